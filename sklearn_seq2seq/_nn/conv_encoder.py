"""Fully convolutional encoder over padded batches (``encoder="conv"``)."""

from __future__ import annotations

import torch
from torch import nn

from ._masking import last_real_step, length_mask

#: Kernel widths (in frames) of the three blocks and each block's width in multiples of ``hidden_size``:
#: the layout of the fully convolutional network of Wang, Yan and Oates (2017), a strong baseline on the
#: UCR archive.
BLOCKS = ((7, 1), (5, 2), (3, 1))


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """Batch normalisation over the real steps only.

    In training, each channel's mean and variance are taken over the real (non-padded) steps of the
    batch, and the running statistics are updated from them as :class:`torch.nn.BatchNorm1d` does; in
    evaluation the running statistics normalise each step on its own, so an encoding never depends on
    the batch it comes in nor on its padding.
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        """Normalise ``x`` (B, C, T) whose real steps are ``mask`` (B, T)."""
        if not self.training:
            return super().forward(x)
        real = mask.unsqueeze(1).to(x.dtype)
        count = real.sum().clamp_min(1)
        mean = (x * real).sum((0, 2)) / count
        var = (((x - mean.view(1, -1, 1)) * real) ** 2).sum((0, 2)) / count
        with torch.no_grad():
            unbiased = var * count / (count - 1).clamp_min(1)
            self.running_mean.lerp_(mean, self.momentum)
            self.running_var.lerp_(unbiased, self.momentum)
            self.num_batches_tracked += 1
        normed = (x - mean.view(1, -1, 1)) / torch.sqrt(var.view(1, -1, 1) + self.eps)
        return normed * self.weight.view(1, -1, 1) + self.bias.view(1, -1, 1)


class ConvolutionalEncoder(nn.Module):
    """Three convolutional blocks (convolution, batch normalisation over real steps, ReLU) over the
    steps or frames, with no recurrence.

    It returns what :class:`~sklearn_seq2seq._nn.encoder.RecurrentEncoder` returns, so the readouts and
    the decoder take either: every step's state (zero at padded steps) and a "final" state, here the
    state of each sequence's last real step. Padded steps are zero before every convolution, as a
    sequence's own zero padding at its end, so a sequence's states do not depend on its batch.

    Parameters
    ----------
    n_features : int
        Features per input step (or frame).
    hidden_size : int
        Channels of the first and last blocks (the middle block has twice as many); the states are
        ``hidden_size`` wide.
    """

    def __init__(self, n_features: int, hidden_size: int) -> None:
        super().__init__()
        widths = [n_features] + [factor * hidden_size for _, factor in BLOCKS]
        self.convs = nn.ModuleList(
            nn.Conv1d(widths[i], widths[i + 1], kernel, padding=kernel // 2) for i, (kernel, _) in enumerate(BLOCKS)
        )
        self.norms = nn.ModuleList(MaskedBatchNorm1d(width) for width in widths[1:])
        self.output_size = widths[-1]

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Encode ``x`` of shape (B, T, F): states (B, T, output_size), zero at padded steps, and the
        state of each sequence's last real step (B, output_size)."""
        lengths = lengths.to(x.device)
        mask = length_mask(lengths, x.shape[1])
        real = mask.unsqueeze(1).to(x.dtype)
        h = x.transpose(1, 2) * real
        for conv, norm in zip(self.convs, self.norms):
            h = torch.relu(norm(conv(h), mask)) * real
        states = h.transpose(1, 2)
        return states, last_real_step(states, lengths)
