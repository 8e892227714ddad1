"""Self-attention (Transformer) encoder over padded batches."""

from __future__ import annotations

import torch
from torch import nn

from ._masking import last_real_step, length_mask
from .positions import sinusoids


def sinusoidal_positions(n_steps: int, size: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """The sinusoidal position encoding of "Attention is all you need", shape (n_steps, size)."""
    sines, cosines = sinusoids(n_steps, size, 10000.0, device, dtype)
    encoding = torch.zeros(n_steps, size, device=device, dtype=dtype)
    encoding[:, 0::2] = sines
    encoding[:, 1::2] = cosines[:, : size // 2]
    return encoding


class SelfAttentionEncoder(nn.Module):
    """Transformer encoder: inputs projected to ``d_model``, sinusoidal positions added, then
    ``num_layers`` pre-norm ``nn.TransformerEncoderLayer`` blocks whose attention never reads padded
    steps (a key padding mask).

    It returns what :class:`~sklearn_seq2seq._nn.encoder.RecurrentEncoder` returns, so the readouts and
    the decoder take either: every step's state (zero at padded steps) and a "final" state, here the
    state of each sequence's last real step.

    Parameters
    ----------
    n_features : int
        Features per input timestep.
    d_model : int
        Width of the states.
    num_layers : int
        Transformer blocks.
    dropout : float
        Dropout inside the blocks.
    n_heads : int, default=4
        Attention heads (1 when ``d_model`` is not a multiple of it).
    """

    def __init__(self, n_features: int, d_model: int, num_layers: int, dropout: float, n_heads: int = 4) -> None:
        super().__init__()
        heads = n_heads if d_model % n_heads == 0 else 1
        self.input_proj = nn.Linear(n_features, d_model)
        layer = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=2 * d_model, dropout=dropout,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.output_size = d_model

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Encode ``x`` of shape (B, T, F): states (B, T, d_model), zero at padded steps, and the state
        of each sequence's last real step (B, d_model)."""
        n_steps = x.shape[1]
        lengths = lengths.to(x.device)
        mask = length_mask(lengths, n_steps)
        h = self.input_proj(x) + sinusoidal_positions(n_steps, self.output_size, x.device, x.dtype)
        h = self.norm(self.blocks(h, src_key_padding_mask=~mask))
        states = h * mask.unsqueeze(-1)
        return states, last_real_step(states, lengths)
