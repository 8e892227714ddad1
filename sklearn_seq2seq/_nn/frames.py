"""Frames: ``frame_length`` consecutive steps read (and decoded) as one step."""

from __future__ import annotations

import torch
from torch import nn

from ._masking import length_mask


def to_frames(x: torch.Tensor, lengths: torch.Tensor, frame_length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack every ``frame_length`` consecutive steps of ``x`` (B, T, F) into one step of
    ``frame_length * F`` features: (B, ceil(T / frame_length), frame_length * F), and each sequence's
    length in frames. Steps past a sequence's length are zero, so a sequence's frames do not depend
    on the padding of the batch it comes in.

    ``x`` may also come split into frames already, (B, n_frames, frame_length, F): exported graphs take
    it so, because ``torch.export`` cannot round a symbolic length up to whole frames.
    """
    if x.dim() == 3:
        batch, n_steps, n_features = x.shape
        x = nn.functional.pad(x, (0, 0, 0, (-n_steps) % frame_length)).reshape(batch, -1, frame_length, n_features)
    batch, n_frames = x.shape[:2]
    lengths = lengths.to(x.device)
    steps = torch.arange(n_frames, device=x.device).unsqueeze(1) * frame_length + torch.arange(
        frame_length, device=x.device)
    real = steps.unsqueeze(0) < lengths.view(-1, 1, 1)
    x = x * real.unsqueeze(-1).to(x.dtype)
    return x.reshape(batch, n_frames, -1), -(-lengths // frame_length)


def from_frames(frames: torch.Tensor, frame_length: int, n_steps: int) -> torch.Tensor:
    """Undo :func:`to_frames`: (B, n_frames, frame_length * F) -> (B, n_steps, F)."""
    batch, n_frames, width = frames.shape
    return frames.reshape(batch, n_frames * frame_length, width // frame_length)[:, :n_steps]


def frame_weights_to_steps(weights: torch.Tensor, frame_length: int, lengths: torch.Tensor) -> torch.Tensor:
    """Attention weights over frames (B, S, n_frames) as weights over steps (B, S, n_frames * frame_length):
    each frame's weight shared evenly by its real steps, so that none falls past a sequence's length
    (``lengths``, in steps) and a row's total is kept."""
    n_frames = weights.shape[2]
    lengths = lengths.to(weights.device)
    starts = torch.arange(n_frames, device=weights.device) * frame_length
    real = (lengths.unsqueeze(1) - starts).clamp(0, frame_length).to(weights.dtype)  # real steps of each frame
    steps = (weights / real.clamp_min(1).unsqueeze(1)).repeat_interleave(frame_length, dim=2)
    return steps * length_mask(lengths, n_frames * frame_length).unsqueeze(1).to(weights.dtype)
