"""Per-sequence standardisation of numeric inputs (``standardize="per_sequence"``)."""

from __future__ import annotations

import torch

from ._masking import length_mask

#: Added to each sequence's scale (in the model's globally standardised units) before taking its
#: logarithm and dividing by it: a constant feature becomes zeros, its log-scale ``log(EPS)``.
EPS = 1e-5


def with_sequence_stats(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The values as they are, each sequence's features standardised by their own mean and scale over
    its real steps, and those statistics (the mean and the log-scale) repeated at every step.

    The encoder then reads the shape of each feature whatever its level and amplitude, and the level
    and amplitude besides, so sequences whose scales differ by orders of magnitude are all read at
    full resolution; the values as they came keep what the global standardisation gave (where the
    absolute level of a step matters, as a threshold at 0). Padded steps are zero, and no statistic
    depends on them.

    Parameters
    ----------
    x : Tensor of shape (B, T, F), or (B, n_frames, frame_length, F) as exported graphs give it
        Globally standardised values (padded steps may hold anything, NaN included).
    lengths : Tensor of shape (B,)
        Real steps per sequence.

    Returns
    -------
    Tensor of the shape of ``x`` with ``4 * F`` features: the values, the values standardised per
    sequence, the means and the log-scales.
    """
    framed = x.dim() == 4
    steps = x.flatten(1, 2) if framed else x
    real, mean, centred, scale = sequence_moments(steps, lengths)
    scale = scale + EPS
    zero = torch.zeros((), dtype=steps.dtype, device=steps.device)
    stats = torch.cat([mean, torch.log(scale)], dim=-1).expand(-1, steps.shape[1], -1)
    out = torch.cat([torch.where(real, steps, zero), centred / scale, torch.where(real, stats, zero)], dim=-1)
    return out.unflatten(1, x.shape[1:3]) if framed else out


def sequence_moments(x: torch.Tensor, lengths: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The real-step mask (B, T, 1) of ``x`` (B, T, F); each sequence's mean per feature over its real
    steps (B, 1, F); ``x`` minus that mean, with padded steps zero (B, T, F); and each sequence's
    standard deviation per feature over its real steps (B, 1, F)."""
    real = length_mask(lengths.to(x.device), x.shape[1]).unsqueeze(-1)
    zero = torch.zeros((), dtype=x.dtype, device=x.device)
    count = real.sum(1, keepdim=True).clamp_min(1).to(x.dtype)
    mean = torch.where(real, x, zero).sum(1, keepdim=True) / count
    centred = torch.where(real, x - mean, zero)
    return real, mean, centred, torch.sqrt((centred**2).sum(1, keepdim=True) / count)
