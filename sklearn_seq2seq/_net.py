"""The skorch net that trains the encoder-decoder: masked loss, teacher forcing, batched inference."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from skorch.utils import to_device
from torch import nn

from ._nn._masking import length_mask


class ArrayDataset(torch.utils.data.Dataset):
    """A dict of equally long arrays (and an optional target), indexed a batch at a time.

    ``dataset[indices]`` returns the whole batch ``(dict of tensors, target)`` with one indexing
    operation per array, instead of one ``__getitem__`` and a collate per sample. The arrays stay as
    given (no copy of the whole data); each batch is a fresh copy, floating values cast to float32.
    """

    def __init__(self, X: dict[str, np.ndarray], y: np.ndarray | None = None) -> None:
        self.X = X
        self.y = y
        self.n_samples = len(next(iter(X.values())))

    def __len__(self) -> int:
        return self.n_samples

    def __getitem__(self, indices):
        batch = {k: _batch_tensor(v, indices) for k, v in self.X.items()}
        target = _batch_tensor(self.y, indices) if self.y is not None else torch.zeros(len(next(iter(batch.values()))))
        return batch, target


def _batch_tensor(values: np.ndarray, indices) -> torch.Tensor:
    rows = np.asarray(values)[indices]
    if rows.dtype.kind == "f" and rows.dtype != np.float32:
        rows = rows.astype(np.float32)
    return torch.from_numpy(np.ascontiguousarray(rows))


class BatchLoader:
    """Iterates over an :class:`ArrayDataset` (or a ``Subset`` of one) in batches of index arrays.

    Used as skorch's ``iterator_train`` and ``iterator_valid``. Shuffling draws from torch's global
    random state, which ``fit`` seeds inside ``torch.random.fork_rng``.

    Parameters
    ----------
    dataset : ArrayDataset or torch.utils.data.Subset of one
        The data.
    batch_size : int
        Rows per batch.
    shuffle : bool, default=False
        Draw a new random order every epoch.
    group_by_length : bool, default=False
        With ``shuffle``, cut each epoch's random order into spans of ``GROUP_SPAN`` batches, sort each
        span by sequence length (input plus target steps) and shuffle the resulting batches, so that a
        batch holds sequences of similar length and pads little. Data whose sequences all have the
        same length is batched exactly as without grouping.
    """

    GROUP_SPAN = 20

    def __init__(self, dataset, batch_size: int, shuffle: bool = False, group_by_length: bool = False) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.group_by_length = group_by_length

    def __len__(self) -> int:
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        n_samples = len(self.dataset)
        if not self.shuffle:
            order = np.arange(n_samples)
        else:
            order = torch.randperm(n_samples).numpy()
            if self.group_by_length:
                steps = _sample_steps(self.dataset)
                if steps.min() < steps.max():
                    yield from (self.dataset[rows] for rows in self._grouped_batches(order, steps))
                    return
        for start in range(0, n_samples, self.batch_size):
            yield self.dataset[order[start : start + self.batch_size]]

    def _grouped_batches(self, order: np.ndarray, steps: np.ndarray) -> list[np.ndarray]:
        span = self.batch_size * self.GROUP_SPAN
        batches = []
        for start in range(0, len(order), span):
            chunk = order[start : start + span]
            chunk = chunk[np.argsort(steps[chunk], kind="stable")]  # ties keep their random order
            batches += [chunk[i : i + self.batch_size] for i in range(0, len(chunk), self.batch_size)]
        return [batches[i] for i in torch.randperm(len(batches)).tolist()]


def _sample_steps(dataset) -> np.ndarray:
    """Input plus target steps of each sample of an :class:`ArrayDataset` or a ``Subset`` of one."""
    indices = slice(None)
    if isinstance(dataset, torch.utils.data.Subset):
        dataset, indices = dataset.dataset, np.asarray(dataset.indices)
    steps = np.asarray(dataset.X["lengths"], dtype=np.int64)
    if "target_lengths" in dataset.X:
        steps = steps + np.asarray(dataset.X["target_lengths"], dtype=np.int64)
    return steps[indices]


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
    inference_batch_size : int or None, default=None
        Rows per batch at inference (None: ``batch_size``). Inference batches are always padded to
        this many rows, so larger batches run faster but cost more for a single sequence.
    """

    def __init__(
        self, *args, teacher_forcing: float = 1.0, inference_batch_size: int | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.teacher_forcing = teacher_forcing
        self.inference_batch_size = inference_batch_size

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's training loop, noting whether a user's ``KeyboardInterrupt`` stopped it (skorch
        catches it to keep the model trained so far)."""
        self.interrupted_ = False
        self._flatten_rnn_weights()
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt:
            # skorch's EarlyStopping stops training by raising KeyboardInterrupt too: that is no interrupt
            self.interrupted_ = not any(
                isinstance(cb, EarlyStopping) and getattr(cb, "misses_", 0) >= cb.patience
                for _, cb in self.callbacks_
            )
            raise

    def _flatten_rnn_weights(self) -> None:
        """Put each RNN's weights back in one contiguous block (cuDNN needs it) after a copy, unpickling
        or ``load_state_dict`` scattered them; a no-op where they already are, and on the CPU."""
        for module in self.module_.modules():
            if isinstance(module, nn.RNNBase):
                module.flatten_parameters()

    def infer(self, x, **fit_params):
        if self.module_.training:
            fit_params.setdefault("teacher_forcing", self.teacher_forcing)
        if "target" in x:  # decode only as many steps as the batch's longest target has
            x = {**x, "target": x["target"][:, : int(x["target_lengths"].max())]}
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_device(torch.as_tensor(y_true), self.device)[:, : y_pred.shape[1]]
        return self.criterion_(y_pred, y_true, to_device(X["target_lengths"], self.device))

    # ---- inference (no gradients, batched by BatchLoader, moved by skorch's device handling) ----
    def _map_batches(self, data: dict[str, np.ndarray], fn: Callable[..., Any]) -> Any:
        """Apply ``fn(**batch)`` to batches of ``data`` in evaluation mode; stack the results.

        ``fn`` returns a tensor or a tuple of tensors (stacked one by one); floating results come back
        as float32 arrays.

        Every batch is padded to ``inference_batch_size`` rows (repeating its first row) so the matrix products
        have the same shapes whatever the number of sequences passed: a sequence's output then does not
        depend on which other sequences were transformed with it (float32 kernels otherwise differ in
        the last bit between batch sizes). On CPUs, batches run concurrently (:func:`_map_concurrently`).
        """
        self.check_is_fitted()
        self.module_.eval()
        self._flatten_rnn_weights()
        rows = self.inference_batch_size or self.batch_size
        dataset = ArrayDataset(data)
        n_samples = len(dataset)

        def run(start: int) -> tuple[bool, list[np.ndarray]]:
            batch, _ = dataset[np.arange(start, min(start + rows, n_samples))]
            n_rows = len(next(iter(batch.values())))
            with torch.inference_mode():  # per thread
                result = fn(**to_device(_pad_rows(batch, rows), self.device))
            parts = result if isinstance(result, tuple) else (result,)
            return isinstance(result, tuple), [_to_numpy(part[:n_rows]) for part in parts]

        starts = range(0, n_samples, rows)
        outputs: list[np.ndarray] = []  # allocated once the first batch shows the shapes
        for start, (is_tuple, parts) in zip(starts, _map_concurrently(run, starts, self.device)):
            for i, part in enumerate(parts):
                if len(outputs) <= i:
                    outputs.append(np.empty((n_samples, *part.shape[1:]), dtype=part.dtype))
                outputs[i][start : start + len(part)] = part
        return tuple(outputs) if is_tuple else outputs[0]

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


#: At most this many inference batches run at once, one torch thread each.
MAX_CONCURRENT_BATCHES = 4


def _map_concurrently(fn: Callable[[Any], Any], items, device) -> Iterator[Any]:
    """``map(fn, items)``, in order; on CPUs with several torch threads, items run concurrently in up
    to ``MAX_CONCURRENT_BATCHES`` threads with one torch thread each.

    A recurrent network's steps are many small operations, which split poorly over cores: two batches
    at once, one core each, encoded 1.15-1.22x as many sequences per second as one batch at a time on
    two cores (``benchmarks/throughput.py``). The bound keeps the working memory at a few batches on
    many-core machines. The workers keep to one torch thread: workers with several would start OpenMP
    teams of their own, and once a process holds more OpenMP threads than cores, OpenMP stops spinning
    at its barriers and every parallel operation of the caller slows down (4x for a small fit after a
    pool of two 2-thread workers, measured). A single batch runs in the pool too, so every batch is
    computed with the same number of torch threads and a sequence's output does not depend on how
    many others were passed with it (parallel reductions may round differently with another count).
    """
    threads = torch.get_num_threads()
    if torch.device(device).type != "cpu" or threads < 2:
        return map(fn, items)
    return _worker_pool(min(threads, MAX_CONCURRENT_BATCHES), threads).map(fn, items)


_POOLS: dict[tuple[int, int], ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def _worker_pool(workers: int, threads: int) -> ThreadPoolExecutor:
    """A process-wide pool of ``workers`` inference threads with one torch thread each; ``threads`` is
    the caller's own count, restored as the default for threads started later."""
    key = (os.getpid(), workers)  # a forked child makes its own
    with _POOLS_LOCK:
        if key not in _POOLS:
            pool = ThreadPoolExecutor(workers, thread_name_prefix="sklearn_seq2seq", initializer=_one_torch_thread)
            started = threading.Barrier(workers, timeout=60)
            list(pool.map(lambda _: started.wait(), range(workers)))  # start (and set up) every thread now
            # torch.set_num_threads also sets the count that threads started later begin with: restore it
            torch.set_num_threads(threads)
            _POOLS[key] = pool
        return _POOLS[key]


def _one_torch_thread() -> None:
    torch.get_num_threads()  # settle this thread's own settings first, then set them
    torch.set_num_threads(1)


def _to_numpy(tensor: torch.Tensor) -> np.ndarray:
    if tensor.is_floating_point():
        tensor = tensor.float()
    return tensor.cpu().numpy()


