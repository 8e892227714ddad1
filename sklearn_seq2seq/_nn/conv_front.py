"""A learned multi-scale convolutional front end for the recurrent encoder (``encoder="conv_recurrent"``)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._masking import length_mask
from .frames import to_frames

#: Dilations of the front end's convolutions by default: receptive fields of 9 and 33 steps (the
#: recurrence widens them over the frames; five scales, 9 to 129 steps, cost twice as much and did
#: no better for encodings: docs/defaults.md). The layout passes others where they measured better.
DILATIONS = (1, 4)


class ConvFrontEnd(nn.Module):
    """Dilated convolutions over the steps, then the mean and the maximum of each frame, beside the
    frame's own values.

    Every dilation in ``dilations`` has ``channels`` filters of ``kernel_size`` steps (ReLU), as
    ROCKET's kernels span scales, but learned. Each frame of ``frame_length`` steps becomes the mean
    and the maximum of the filters' outputs over its real steps, followed by the frame's own values
    (:func:`~sklearn_seq2seq._nn.frames.to_frames`, which groups the steps here too), so the recurrence
    runs once per frame as with plain frames and still sees the level and exact shape that plain
    frames carry. Padded steps are zero before the convolutions (as the convolutions' own zero padding
    at a sequence's end) and are left out of every mean and maximum, so a sequence's features do not
    depend on the batch it comes in.

    Parameters
    ----------
    n_features : int
        Features per input step.
    frame_length : int
        Steps per frame.
    dilations : sequence of int, default=DILATIONS
        The dilation of each scale's convolutions.
    channels : int, default=16
        Filters per dilation.
    kernel_size : int, default=9
        Steps each filter spans (before dilation).
    """

    def __init__(self, n_features: int, frame_length: int, dilations: Sequence[int] = DILATIONS, channels: int = 16,
                 kernel_size: int = 9) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv1d(n_features, channels, kernel_size, dilation=d, padding=d * (kernel_size // 2)) for d in dilations
        )
        self.frame_length = frame_length
        self.output_size = 2 * channels * len(dilations) + frame_length * n_features

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Features (B, n_frames, output_size) of ``x`` (B, T, F), or of ``x`` split into frames
        (B, n_frames, frame_length, F) as exported graphs give it, and the lengths in frames."""
        frame_length = self.frame_length
        frames, frame_lengths = to_frames(x, lengths, frame_length)
        split = x.dim() == 4
        if split:
            x = x.flatten(1, 2)
        lengths = lengths.to(x.device)
        # channels first from the convolutions to the pooling, so the filters' outputs are never copied
        # into another layout
        real = length_mask(lengths, x.shape[1]).unsqueeze(1).to(x.dtype)  # (B, 1, T)
        steps = x.transpose(1, 2) * real
        features = torch.cat([torch.relu(conv(steps)) for conv in self.convs], dim=1) * real  # zero past each length
        pad = 0 if split else (-x.shape[1]) % frame_length
        features = nn.functional.pad(features, (0, pad)).unflatten(2, (-1, frame_length))  # (B, C, n_frames, steps)
        real_per_frame = nn.functional.pad(real, (0, pad)).unflatten(2, (-1, frame_length)).sum(-1)
        mean = features.sum(-1) / real_per_frame.clamp_min(1)
        return torch.cat([mean.transpose(1, 2), features.amax(-1).transpose(1, 2), frames], dim=-1), frame_lengths
