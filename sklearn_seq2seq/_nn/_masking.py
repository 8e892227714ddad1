"""Masks for padded batches."""

from __future__ import annotations

import torch


def length_mask(lengths: torch.Tensor, n_steps: int) -> torch.Tensor:
    """Boolean mask of shape (batch, n_steps), true on real (non-padded) steps."""
    steps = torch.arange(n_steps, device=lengths.device)
    return steps.unsqueeze(0) < lengths.unsqueeze(1)


def last_real_step(states: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each sequence's state at its last real step: (batch, size) from ``states`` (batch, n_steps, size)
    and ``lengths`` (batch,), every length at least 1 (the data layer refuses empty sequences)."""
    index = (lengths - 1).view(-1, 1, 1).expand(-1, 1, states.shape[2])
    return states.gather(1, index).squeeze(1)
