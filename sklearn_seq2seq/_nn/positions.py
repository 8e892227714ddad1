"""Sinusoids of the step index: the decoder's positional inputs and the self-attention encoder's positions."""

from __future__ import annotations

import math

import torch


def sinusoids(n_steps: int, size: int, base: float, device: torch.device,
              dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """The sines and the cosines of the steps ``0 .. n_steps - 1`` at ``ceil(size / 2)`` frequencies
    ``base ** (-i / (size / 2))``, from one cycle per step down to one per ``base`` steps ("Attention is
    all you need" uses ``base=10000``): two tensors of shape (n_steps, ceil(size / 2))."""
    steps = torch.arange(n_steps, device=device, dtype=dtype).unsqueeze(1)
    frequencies = torch.exp(-math.log(base) * torch.arange(0, size, 2, device=device, dtype=dtype) / size)
    angles = steps * frequencies
    return torch.sin(angles), torch.cos(angles)
