"""Training losses over padded batches: only real (non-padded) target steps count."""

from __future__ import annotations

import torch
from torch import nn

from ._masking import length_mask


class MaskedMSELoss(nn.Module):
    """Mean squared error over real (non-padded) target steps only."""

    def forward(self, prediction: torch.Tensor, target: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Mean of the squared errors over the first ``lengths[i]`` steps of each sequence ``i``.

        Parameters
        ----------
        prediction, target : Tensor of shape (B, T, F)
        lengths : Tensor of shape (B,)

        Returns
        -------
        Tensor
            A scalar.
        """
        mask = length_mask(lengths, target.shape[1]).unsqueeze(-1).to(prediction.dtype)
        squared = (prediction - target) ** 2 * mask
        return squared.sum() / (mask.sum() * target.shape[2]).clamp_min(1.0)


class MaskedCrossEntropyLoss(nn.Module):
    """Cross-entropy of token logits over real (non-padded) target steps only.

    Parameters
    ----------
    label_smoothing : float, default=0.0
        Mass spread uniformly over all ids in the target distribution (as in
        :func:`torch.nn.functional.cross_entropy`).
    """

    def __init__(self, label_smoothing: float = 0.0) -> None:
        super().__init__()
        self.label_smoothing = label_smoothing

    def forward(self, prediction: torch.Tensor, target: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy over the first ``lengths[i]`` steps of each sequence ``i``.

        Parameters
        ----------
        prediction : Tensor of shape (B, T, n_ids)
            Logits.
        target : Tensor of shape (B, T)
            Target ids.
        lengths : Tensor of shape (B,)

        Returns
        -------
        Tensor
            A scalar.
        """
        batch, n_steps, n_ids = prediction.shape
        losses = nn.functional.cross_entropy(
            prediction.reshape(-1, n_ids), target.reshape(-1), reduction="none", label_smoothing=self.label_smoothing
        ).view(batch, n_steps)
        mask = length_mask(lengths, n_steps).to(losses.dtype)
        return (losses * mask).sum() / mask.sum().clamp_min(1.0)
