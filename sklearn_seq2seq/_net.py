"""The skorch net that trains the encoder-decoder: masked loss, teacher forcing, batched inference."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.utils import to_device
from torch import nn

from ._nn._masking import length_mask


class ArrayDataset(torch.utils.data.Dataset):
    """A dict of equally long arrays (and an optional target) held as tensors, indexed a batch at a time.

    ``dataset[indices]`` returns the whole batch ``(dict of tensors, target)`` with one indexing
    operation per array, instead of one ``__getitem__`` and a collate per sample.
    """

    def __init__(self, X: dict[str, np.ndarray], y: np.ndarray | None = None) -> None:
        self.X = {k: torch.as_tensor(v) for k, v in X.items()}
        self.y = None if y is None else torch.as_tensor(y)
        self.n_samples = len(next(iter(self.X.values())))

    def __len__(self) -> int:
        return self.n_samples

    def __getitem__(self, indices):
        batch = {k: v[indices] for k, v in self.X.items()}
        return batch, (self.y[indices] if self.y is not None else torch.zeros(len(next(iter(batch.values())))))


class BatchLoader:
    """Iterates over an :class:`ArrayDataset` (or a ``Subset`` of one) in batches of index arrays.

    Used as skorch's ``iterator_train`` and ``iterator_valid``. Shuffling draws from torch's global
    random state, which ``fit`` seeds inside ``torch.random.fork_rng``.
    """

    def __init__(self, dataset, batch_size: int, shuffle: bool = False) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self) -> int:
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        n_samples = len(self.dataset)
        order = torch.randperm(n_samples).numpy() if self.shuffle else np.arange(n_samples)
        for start in range(0, n_samples, self.batch_size):
            yield self.dataset[order[start : start + self.batch_size]]


def _pad_rows(batch: dict[str, torch.Tensor], n_rows: int) -> dict[str, torch.Tensor]:
    """Pad every tensor of ``batch`` to ``n_rows`` rows by repeating its first row."""
    missing = n_rows - len(next(iter(batch.values())))
    if missing <= 0:
        return batch
    return {k: torch.cat([v, v[:1].expand(missing, *v.shape[1:])]) for k, v in batch.items()}


class TeacherForcingSchedule(Callback):
    """Scheduled sampling: move the net's teacher-forcing probability linearly from ``start`` (first
    epoch) to ``end`` (last epoch)."""

    def __init__(self, start: float, end: float) -> None:
        self.start = start
        self.end = end

    def on_epoch_begin(self, net, **kwargs) -> None:
        progress = (len(net.history) - 1) / max(net.max_epochs - 1, 1)
        net.teacher_forcing = self.start + (self.end - self.start) * min(progress, 1.0)


class MaskedMSELoss(nn.Module):
    """Mean squared error over real (non-padded) target steps only."""

    def forward(self, prediction: torch.Tensor, target: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
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
        batch, n_steps, n_ids = prediction.shape
        losses = nn.functional.cross_entropy(
            prediction.reshape(-1, n_ids), target.reshape(-1), reduction="none", label_smoothing=self.label_smoothing
        ).view(batch, n_steps)
        mask = length_mask(lengths, n_steps).to(losses.dtype)
        return (losses * mask).sum() / mask.sum().clamp_min(1.0)


class Seq2SeqNet(NeuralNet):
    """skorch ``NeuralNet`` for :class:`~sklearn_seq2seq._nn.Seq2SeqModule`.

    ``X`` is a dict of arrays: ``x`` (n, T, F), ``lengths`` (n,), and in training ``target`` and
    ``target_lengths``; ``y`` is the target again, for skorch's bookkeeping. The loss is masked by
    ``target_lengths`` and the module reads the target for teacher forcing. For token inputs ``x`` is
    (n, T) ids; for token targets ``target`` is (n, H) ids and the criterion a
    :class:`MaskedCrossEntropyLoss`.

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

    # ---- inference (no gradients, batched by BatchLoader, moved by skorch's device handling) ----
    def _map_batches(self, data: dict[str, np.ndarray], fn: Callable[..., Any]) -> Any:
        """Apply ``fn(**batch)`` to ``batch_size`` batches of ``data`` in evaluation mode; stack the results.

        ``fn`` returns a tensor or a tuple of tensors (stacked one by one); floating results come back
        as float32 arrays.

        Every batch is padded to ``batch_size`` rows (repeating its first row) so the matrix products
        have the same shapes whatever the number of sequences passed: a sequence's output then does not
        depend on which other sequences were transformed with it (float32 kernels otherwise differ in
        the last bit between batch sizes).
        """
        self.check_is_fitted()
        self.module_.eval()
        outputs = []
        with torch.inference_mode():
            for batch, _ in BatchLoader(ArrayDataset(data), self.batch_size):
                n_rows = len(next(iter(batch.values())))
                batch = to_device(_pad_rows(batch, self.batch_size), self.device)
                result = fn(**batch)
                parts = result if isinstance(result, tuple) else (result,)
                outputs.append([_to_numpy(part[:n_rows]) for part in parts])
        stacked = tuple(np.concatenate(column, axis=0) for column in zip(*outputs))
        return stacked if isinstance(result, tuple) else stacked[0]

    def encode(self, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Codes of shape (n, n_components)."""
        return self._map_batches({"x": x, "lengths": lengths}, lambda x, lengths: self.module_.encode(x, lengths)[0])

    def generate(self, x: np.ndarray, lengths: np.ndarray, n_steps: int) -> np.ndarray:
        """Decoded sequences of shape (n, n_steps, n_outputs) from input sequences."""
        return self._map_batches(
            {"x": x, "lengths": lengths}, lambda x, lengths: self.module_(x, lengths, n_steps=n_steps)
        )

    def attention(self, x: np.ndarray, lengths: np.ndarray, n_steps: int) -> np.ndarray:
        """Decoder attention weights of shape (n, n_steps, n_memory) when decoding from input sequences."""

        def weights(x, lengths):
            code, states, mask = self.module_.encode(x, lengths)
            return self.module_.decode(code, n_steps, states, mask)[1]

        return self._map_batches({"x": x, "lengths": lengths}, weights)

    def decode_codes(self, codes: np.ndarray, n_steps: int) -> np.ndarray:
        """Decoded sequences of shape (n, n_steps, n_outputs) from codes."""
        return self._map_batches({"code": codes}, lambda code: self.module_.decode(code, n_steps)[0])

    def search(
        self, x: np.ndarray, lengths: np.ndarray, max_steps: int, beam_width: int, length_normalization: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Token ids (n, max_steps) generated from input sequences, and their attention weights."""

        def best(x, lengths):
            code, states, mask = self.module_.encode(x, lengths)
            return self.module_.search(code, max_steps, states, mask, beam_width, length_normalization)

        return self._map_batches({"x": x, "lengths": lengths}, best)

    def search_codes(
        self, codes: np.ndarray, max_steps: int, beam_width: int, length_normalization: float
    ) -> np.ndarray:
        """Token ids (n, max_steps) generated from codes."""
        return self._map_batches(
            {"code": codes},
            lambda code: self.module_.search(code, max_steps, beam_width=beam_width,
                                             length_normalization=length_normalization)[0],
        )


def _to_numpy(tensor: torch.Tensor) -> np.ndarray:
    if tensor.is_floating_point():
        tensor = tensor.float()
    return tensor.cpu().numpy()


