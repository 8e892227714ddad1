"""The skorch net that trains the encoder-decoder: masked loss, teacher forcing, batched inference."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from skorch import NeuralNet
from skorch.utils import to_device
from torch import nn

from ._nn._masking import length_mask


def _pad_rows(batch: dict[str, torch.Tensor], n_rows: int) -> dict[str, torch.Tensor]:
    """Pad every tensor of ``batch`` to ``n_rows`` rows by repeating its first row."""
    missing = n_rows - len(next(iter(batch.values())))
    if missing <= 0:
        return batch
    return {k: torch.cat([v, v[:1].expand(missing, *v.shape[1:])]) for k, v in batch.items()}


class MaskedMSELoss(nn.Module):
    """Mean squared error over real (non-padded) target steps only."""

    def forward(self, prediction: torch.Tensor, target: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = length_mask(lengths, target.shape[1]).unsqueeze(-1).to(prediction.dtype)
        squared = (prediction - target) ** 2 * mask
        return squared.sum() / (mask.sum() * target.shape[2]).clamp_min(1.0)


class Seq2SeqNet(NeuralNet):
    """skorch ``NeuralNet`` for :class:`~sklearn_seq2seq._nn.Seq2SeqModule`.

    ``X`` is a dict of arrays: ``x`` (n, T, F), ``lengths`` (n,), and in training ``target`` and
    ``target_lengths``; ``y`` is the target again, for skorch's bookkeeping. The loss is masked by
    ``target_lengths`` and the module reads the target for teacher forcing.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`skorch.NeuralNet`.
    teacher_forcing : float, default=1.0
        Probability, at each training step, of feeding the decoder the target rather than its own
        previous prediction (used with ``decoder_input="previous"``).
    """

    def __init__(self, *args, teacher_forcing: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.teacher_forcing = teacher_forcing

    def infer(self, x, **fit_params):
        if self.module_.training:
            fit_params.setdefault("teacher_forcing", self.teacher_forcing)
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_device(torch.as_tensor(y_true), self.device)
        return self.criterion_(y_pred, y_true, to_device(X["target_lengths"], self.device))

    # ---- inference (no gradients, batched by skorch's iterator, moved by skorch's device handling) ----
    def _map_batches(self, data: dict[str, np.ndarray], fn: Callable[..., torch.Tensor]) -> np.ndarray:
        """Apply ``fn(**batch)`` to ``batch_size`` slices of ``data`` in evaluation mode; stack the results.

        Batches are slices of the arrays (no per-sample dataset indexing, no random state used), moved
        with skorch's device handling. Every batch is padded to ``batch_size`` rows (repeating its first
        row) so the matrix products have the same shapes whatever the number of sequences passed: a
        sequence's output then does not depend on which other sequences were transformed with it
        (float32 kernels otherwise differ in the last bit between batch sizes).
        """
        self.check_is_fitted()
        self.module_.eval()
        n_samples = len(next(iter(data.values())))
        outputs = []
        with torch.inference_mode():
            for start in range(0, n_samples, self.batch_size):
                batch = {k: torch.as_tensor(v[start : start + self.batch_size]) for k, v in data.items()}
                n_rows = len(next(iter(batch.values())))
                batch = to_device(_pad_rows(batch, self.batch_size), self.device)
                outputs.append(fn(**batch)[:n_rows].float().cpu().numpy())
        return np.concatenate(outputs, axis=0)

    def encode(self, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Codes of shape (n, n_components)."""
        return self._map_batches({"x": x, "lengths": lengths}, lambda x, lengths: self.module_.encode(x, lengths)[0])

    def generate(self, x: np.ndarray, lengths: np.ndarray, n_steps: int) -> np.ndarray:
        """Decoded sequences of shape (n, n_steps, n_outputs) from input sequences."""
        return self._map_batches(
            {"x": x, "lengths": lengths}, lambda x, lengths: self.module_(x, lengths, n_steps=n_steps)
        )

    def decode_codes(self, codes: np.ndarray, n_steps: int) -> np.ndarray:
        """Decoded sequences of shape (n, n_steps, n_outputs) from codes."""
        return self._map_batches({"code": codes}, lambda code: self.module_.decode(code, n_steps)[0])


