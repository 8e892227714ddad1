"""A contrastive objective on the codes: two random views of a sequence should encode alike, and
unlike the other sequences of the batch (NT-Xent, as in SimCLR; time crops as in TS2Vec)."""

from __future__ import annotations

import torch
from torch import nn


def random_crops(x: torch.Tensor, lengths: torch.Tensor, min_fraction: float = 0.5,
                 generator: torch.Generator | None = None):
    """A random contiguous crop of each sequence of ``x`` (B, T, ...) covering ``min_fraction`` to all
    of its real steps, moved to the start: the cropped batch (B, T, ...) and the crops' lengths.
    Random numbers come from ``generator`` (None: torch's global stream)."""
    lengths = lengths.to(x.device)
    batch, n_steps = x.shape[:2]
    fraction = min_fraction + (1 - min_fraction) * torch.rand(batch, device=x.device, generator=generator)
    widths = (fraction * lengths).ceil().long().clamp(1).minimum(lengths)
    starts = (torch.rand(batch, device=x.device, generator=generator) * (lengths - widths + 1)).long()
    index = (starts.unsqueeze(1) + torch.arange(n_steps, device=x.device)).clamp(max=n_steps - 1)
    if x.dim() == 3:
        index = index.unsqueeze(-1).expand(-1, -1, x.shape[2])
    return x.gather(1, index), widths


def nt_xent(a: torch.Tensor, b: torch.Tensor, temperature: float = 0.1) -> torch.Tensor:
    """Normalised-temperature cross-entropy between two views' codes (B, C): row i of ``a`` must pick
    row i of ``b`` among all rows, and the other way round."""
    a, b = nn.functional.normalize(a, dim=1), nn.functional.normalize(b, dim=1)
    logits = a @ b.T / temperature
    labels = torch.arange(a.shape[0], device=a.device)
    return 0.5 * (nn.functional.cross_entropy(logits, labels) + nn.functional.cross_entropy(logits.T, labels))
