"""Masks for padded batches."""

from __future__ import annotations

import torch


def length_mask(lengths: torch.Tensor, n_steps: int) -> torch.Tensor:
    """Boolean mask of shape (batch, n_steps), true on real (non-padded) steps."""
    steps = torch.arange(n_steps, device=lengths.device)
    return steps.unsqueeze(0) < lengths.unsqueeze(1)
