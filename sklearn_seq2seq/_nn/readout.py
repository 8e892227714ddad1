"""Readouts: how the fixed-length code is read from all of the encoder's timesteps."""

from __future__ import annotations

import torch
from torch import nn

READOUTS = ("pool", "pool_last", "slots", "last")


class PoolReadout(nn.Module):
    """Mean and max of the encoder states over real timesteps (and with ``with_final`` the encoder's
    final state too), projected to the code."""

    def __init__(self, state_size: int, n_components: int, with_final: bool = False) -> None:
        super().__init__()
        self.with_final = with_final
        self.proj = nn.Linear((3 if with_final else 2) * state_size, n_components)

    def forward(self, states: torch.Tensor, final: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # the encoder's states are zero at padded steps, so their sum is over real steps already
        mean = states.sum(1) / mask.sum(1, keepdim=True).clamp_min(1).to(states.dtype)
        if torch.compiler.is_exporting() or not bool(mask.all()):  # keep padded steps out of the maximum
            states = states.masked_fill(~mask.unsqueeze(-1), float("-inf"))
        pooled = [mean, states.amax(1)] + ([final] if self.with_final else [])
        return self.proj(torch.cat(pooled, dim=-1))


class SlotReadout(nn.Module):
    """Learned queries ("latent slots") attend over the encoder states; the slots, projected, are the code."""

    def __init__(self, state_size: int, n_components: int, n_slots: int, n_heads: int = 4) -> None:
        super().__init__()
        heads = n_heads if state_size % n_heads == 0 else 1
        self.queries = nn.Parameter(torch.randn(n_slots, state_size) * state_size**-0.5)
        self.attention = nn.MultiheadAttention(state_size, heads, batch_first=True)
        self.proj = nn.Linear(n_slots * state_size, n_components)

    def forward(self, states: torch.Tensor, final: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        queries = self.queries.unsqueeze(0).expand(states.shape[0], -1, -1)
        slots, _ = self.attention(queries, states, states, key_padding_mask=~mask, need_weights=False)
        return self.proj(slots.flatten(1))


class LastReadout(nn.Module):
    """The final recurrent state (both directions when bidirectional), projected to the code."""

    def __init__(self, state_size: int, n_components: int) -> None:
        super().__init__()
        self.proj = nn.Linear(state_size, n_components)

    def forward(self, states: torch.Tensor, final: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.proj(final)


def make_readout(kind: str, state_size: int, n_components: int, n_slots: int) -> nn.Module:
    """Build the readout named ``kind`` (one of :data:`READOUTS`)."""
    if kind in ("pool", "pool_last"):
        return PoolReadout(state_size, n_components, with_final=kind == "pool_last")
    if kind == "slots":
        return SlotReadout(state_size, n_components, n_slots)
    if kind == "last":
        return LastReadout(state_size, n_components)
    raise ValueError(f"Unknown readout {kind!r}; expected one of {READOUTS}.")
