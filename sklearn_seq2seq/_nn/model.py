"""The full encoder-decoder: encoder -> readout (the code) -> memory -> attention decoder."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._masking import length_mask
from .decoder import AttentionDecoder
from .encoder import RecurrentEncoder
from .readout import make_readout

ATTEND_OVER = ("code", "encoder")


class Seq2SeqModule(nn.Module):
    """Attention encoder-decoder with a fixed-length code as its bottleneck.

    With ``attend_over="code"`` the decoder's initial state and its attention memory (``n_slots``
    vectors) are both computed from the code alone, so everything the decoder sees passes through the
    encoding. With ``attend_over="encoder"`` the decoder attends over every encoder timestep (only for
    supervised fits: it lets the decoder bypass the code).

    Parameters
    ----------
    n_features, n_outputs : int
        Features per input step and per output step.
    n_components : int
        Size of the code.
    hidden_size, cell, num_layers, bidirectional, dropout
        Recurrent layers (see :class:`RecurrentEncoder`).
    readout : {"pool", "slots", "last"}
        How the code is read from the encoder states.
    n_slots : int
        Latent slots of the ``slots`` readout, and memory vectors the decoder attends over.
    attention : {"additive", "dot", "general", "none"}
        Decoder attention score form.
    attend_over : {"code", "encoder"}
        What the decoder attends over.
    decoder_input : {"position", "previous", "zeros"}
        What each decoder step reads.
    input_noise : float
        Standard deviation of Gaussian noise added to the inputs (or to the input token embeddings) in
        training (denoising).
    n_input_tokens : int or None, default=None
        Token inputs: the size of the input id space. ``x`` is then (B, T) ids, embedded before the
        encoder, and ``n_features`` is ignored.
    n_output_tokens : int or None, default=None
        Token outputs: the size of the target id space (see :class:`AttentionDecoder`); ``n_outputs``
        is ignored.
    embedding_dim : int, default=32
        Size of the token embeddings.
    pad_id, start_id, end_id : int or None, default=None
        Token inputs or outputs: the ids of the padding, start and end symbols (the data layer's
        reserved ids; the modules only use them).
    x_mean, x_scale : sequence of float, optional
        Per-feature statistics of numeric inputs: ``encode`` standardises every batch as
        ``(x - x_mean) / x_scale`` (kept as buffers, so they move with the module and are saved in its
        state dict). None: the inputs are used as given.
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        n_components: int,
        hidden_size: int = 64,
        cell: str = "gru",
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.0,
        readout: str = "pool",
        n_slots: int = 8,
        attention: str = "general",
        attend_over: str = "code",
        decoder_input: str = "position",
        input_noise: float = 0.0,
        n_input_tokens: int | None = None,
        n_output_tokens: int | None = None,
        embedding_dim: int = 32,
        x_mean: Sequence[float] | None = None,
        x_scale: Sequence[float] | None = None,
        pad_id: int | None = None,
        start_id: int | None = None,
        end_id: int | None = None,
    ) -> None:
        super().__init__()
        if attend_over not in ATTEND_OVER:
            raise ValueError(f"Unknown attend_over {attend_over!r}; expected one of {ATTEND_OVER}.")
        self.attend_over = attend_over
        self.n_slots = n_slots
        self.hidden_size = hidden_size
        self.input_noise = input_noise
        if x_mean is not None and x_scale is not None:
            self.register_buffer("x_mean", torch.tensor(x_mean, dtype=torch.float32))
            self.register_buffer("x_scale", torch.tensor(x_scale, dtype=torch.float32))
        else:
            self.x_mean = self.x_scale = None
        self.embed = None if n_input_tokens is None else nn.Embedding(n_input_tokens, embedding_dim, padding_idx=pad_id)
        encoder_inputs = n_features if n_input_tokens is None else embedding_dim
        self.encoder = RecurrentEncoder(encoder_inputs, hidden_size, cell, num_layers, bidirectional, dropout)
        self.readout = make_readout(readout, self.encoder.output_size, n_components, n_slots)
        if attend_over == "code":
            self.memory_proj = nn.Linear(n_components, n_slots * hidden_size)
        else:
            self.memory_proj = nn.Linear(self.encoder.output_size, hidden_size)
        self.decoder = AttentionDecoder(
            n_outputs, n_components, hidden_size, cell, num_layers, dropout, attention, decoder_input,
            n_tokens=n_output_tokens, embedding_dim=embedding_dim, pad_id=pad_id, start_id=start_id, end_id=end_id,
        )

    def encode(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return the code (B, n_components), the encoder states (B, T, S) and their mask (B, T).

        ``x`` is (B, T, n_features) values, or (B, T) token ids for token inputs.
        """
        if self.embed is not None:
            x = self.embed(x)
        elif self.x_mean is not None:
            x = (x - self.x_mean) / self.x_scale
        if self.training and self.input_noise > 0:
            x = x + self.input_noise * torch.randn_like(x)
        mask = length_mask(lengths, x.shape[1])
        states, final = self.encoder(x, lengths)
        return self.readout(states, final, mask), states, mask

    def code_memory(self, code: torch.Tensor) -> torch.Tensor:
        """The decoder's memory computed from the code alone, shape (B, n_slots, hidden_size)."""
        return torch.tanh(self.memory_proj(code)).view(code.shape[0], self.n_slots, self.hidden_size)

    def memory(self, code, states=None, mask=None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """What the decoder attends over, and its mask (None when every entry is real)."""
        if self.attend_over == "code":
            return self.code_memory(code), None
        return torch.tanh(self.memory_proj(states)), mask

    def decode(self, code, n_steps, states=None, mask=None, target=None, teacher_forcing=1.0):
        """Decode from the code (and the encoder states when attending over them)."""
        memory, memory_mask = self.memory(code, states, mask)
        return self.decoder(code, memory, memory_mask, n_steps, target, teacher_forcing)

    def search(self, code, max_steps, states=None, mask=None, beam_width=1, length_normalization=1.0,
               return_attention=False):
        """Generate token ids from the code (see :meth:`AttentionDecoder.search`)."""
        memory, memory_mask = self.memory(code, states, mask)
        return self.decoder.search(code, memory, memory_mask, max_steps, beam_width, length_normalization,
                                   return_attention)

    def forward(
        self,
        x: torch.Tensor,
        lengths: torch.Tensor,
        target: torch.Tensor | None = None,
        target_lengths: torch.Tensor | None = None,
        n_steps: int | None = None,
        teacher_forcing: float = 1.0,
    ) -> torch.Tensor:
        """Encode ``x`` and decode ``target.shape[1]`` steps (or ``n_steps``); returns (B, steps, n_outputs).

        ``target_lengths`` is accepted so that skorch can pass the whole training batch; the loss, not
        the module, uses it.
        """
        code, states, mask = self.encode(x, lengths)
        steps = target.shape[1] if target is not None else n_steps
        outputs, _ = self.decode(code, steps, states, mask, target, teacher_forcing)
        return outputs
