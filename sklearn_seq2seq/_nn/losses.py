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


def weighted_label_loss(logits: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Weighted cross-entropy of class logits over the labelled samples of a batch.

    Parameters
    ----------
    logits : Tensor of shape (B, n_classes)
    labels : Tensor of shape (B,)
        Class indices; ``-1`` marks an unlabelled sample, which does not count.
    weights : Tensor of shape (B,)
        Each sample's weight (its class weight).

    Returns
    -------
    Tensor
        A scalar: the sum of the labelled samples' weighted losses divided by their number (0 for a
        batch without labels, still connected to the graph).
    """
    labelled = labels >= 0
    if not bool(labelled.any()):
        return logits.sum() * 0.0
    losses = nn.functional.cross_entropy(logits[labelled], labels[labelled], reduction="none")
    return (losses * weights[labelled].to(losses.dtype)).sum() / labelled.sum()


def view_label_loss(logits: torch.Tensor, view_logits: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor,
                    threshold: float) -> torch.Tensor:
    """Cross-entropy of the class logits of random views of a batch's sequences against their labels,
    and for unlabelled sequences against the class their own (unaltered) logits give, where its
    probability reaches ``threshold`` (pseudo-labels, as in FixMatch).

    Parameters
    ----------
    logits : Tensor of shape (B, n_classes)
        The sequences' own logits (no gradient flows through them).
    view_logits : Tensor of shape (B, n_classes)
        Their views' logits.
    labels : Tensor of shape (B,)
        Class indices, ``-1`` for unlabelled sequences.
    weights : Tensor of shape (B,)
        The labelled sequences' weights (class weights); pseudo-labels weigh 1.
    threshold : float
        The probability an unlabelled sequence's predicted class must reach to count.

    Returns
    -------
    Tensor
        A scalar: the weighted losses summed over the counted sequences, divided by the batch size.
    """
    confidence, predicted = torch.softmax(logits.detach(), dim=1).max(dim=1)
    labelled = labels >= 0
    targets = torch.where(labelled, labels, predicted)
    counted = labelled | (confidence >= threshold)
    weights = torch.where(labelled, weights.to(view_logits.dtype), torch.ones_like(confidence))
    losses = nn.functional.cross_entropy(view_logits, targets, reduction="none")
    return (losses * weights * counted.to(losses.dtype)).sum() / len(labels)
