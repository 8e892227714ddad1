"""Inference: the fitted module run over data in batches, without gradients, in evaluation mode.

A plain loop over consecutive slices of the data: each batch is cast to float32, padded to a whole
number of ``ROW_BLOCK`` rows (repeating its first row), moved to the net's device (skorch's
``to_device``), run, and written into one output array allocated once the first batch shows the
shapes. No thread pool is started, and torch's thread settings are left as the caller has them.

Why the row blocks: float32 matrix products on CPUs compute the rows of a partial block of rows with
other kernels than the rows of full blocks, which round differently in the last bit, so without
padding a sequence's output would depend on how many sequences were passed with it. With every batch
a whole number of blocks, every real row goes through the full-block kernels, and ``predict(X)[i]``
equals ``predict(X[i:i+1])`` bit for bit, at the price of computing at most ``ROW_BLOCK - 1`` extra
rows (measured in benchmarks/latency.py). GPU libraries choose kernels by the whole batch shape, and
extra rows cost next to nothing there: on GPUs every batch is padded to the full batch size.
The products over the kernel bank's thousands of features are the exception: on some CPUs (an Intel
Xeon with AVX-512) their kernels depend on the number of rows beyond whole blocks, so those layers
multiply each row on its own in evaluation (``_nn.rowwise_linear.RowwiseLinear``).
The kernel bank's features themselves need no padding: each row's are a convolution over its own
steps (a sum of 9 products in a fixed order) and exact comparisons, which no batch size changes
(``tests/test_kernel_bank.py``). Where a function reads them (``bank=True``), they are computed on a
batch's real rows before the padding, so that one sequence costs the bank one row, not a block.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from skorch.utils import to_device

from ._training import Seq2SeqNet, batch_tensor

#: Inference batches hold ``max(batch_size, INFERENCE_BATCH_SIZE)`` sequences (measured in
#: benchmarks/throughput.py).
INFERENCE_BATCH_SIZE = 256

#: Every inference batch is padded to a multiple of this many rows (see the module's docstring).
ROW_BLOCK = 16


def map_batches(net: Seq2SeqNet, data: dict[str, np.ndarray], fn: Callable[..., Any], bank: bool = False) -> Any:
    """Apply ``fn(**batch)`` to consecutive batches of ``data``; stack the results.

    ``fn`` returns a tensor or a tuple of tensors (stacked one by one; None stays None); floating
    results come back as float32 arrays. With ``bank=True``, a module with a kernel bank and no
    ``"bank_features"`` in ``data``, each batch also holds its sequences' ``bank_features``, computed
    on its real rows before they are padded (the module's docstring).
    """
    net.check_is_fitted()
    module = net.module_
    module.eval()
    net.flatten_rnn_weights()
    rows = max(net.batch_size, INFERENCE_BATCH_SIZE)
    block = ROW_BLOCK if torch.device(net.device).type == "cpu" else rows
    n_samples = len(next(iter(data.values())))
    outputs: list[np.ndarray | None] = []
    is_tuple = False
    with torch.inference_mode():
        for start in range(0, n_samples, rows):
            window = slice(start, start + rows)
            batch = to_device({k: batch_tensor(v, window) for k, v in data.items()}, net.device)
            if bank and module.kernel_bank is not None and "bank_features" not in batch:
                batch["bank_features"] = module.bank_features(batch["x"], batch["lengths"])
            result = fn(**_pad_rows(batch, block))
            is_tuple = isinstance(result, tuple)
            for i, part in enumerate(result if is_tuple else (result,)):
                if len(outputs) <= i:
                    outputs.append(None if part is None else np.empty((n_samples, *part.shape[1:]),
                                                                      dtype=_numpy_dtype(part)))
                if part is not None:
                    outputs[i][window] = _to_numpy(part[: min(rows, n_samples - start)])
    return tuple(outputs) if is_tuple else outputs[0]


def _inputs(x: np.ndarray, lengths: np.ndarray, bank_features: np.ndarray | None) -> dict[str, np.ndarray]:
    """The arrays :func:`map_batches` cuts into batches: the sequences, with their kernel bank features
    when computed beforehand."""
    data = {"x": x, "lengths": lengths}
    return data if bank_features is None else {**data, "bank_features": bank_features}


def encode(net: Seq2SeqNet, x: np.ndarray, lengths: np.ndarray, bank_features: np.ndarray | None = None
           ) -> np.ndarray:
    """Codes of shape (n, n_components); ``bank_features``: the sequences' kernel bank features
    (:func:`bank_features`) when computed beforehand, else computed batch by batch."""
    return map_batches(net, _inputs(x, lengths, bank_features),
                       lambda x, lengths, bank_features=None: net.module_.encode(x, lengths, bank_features)[0],
                       bank=True)


#: The kernel bank's features of the training sequences are computed once per fit when they hold at
#: most this many numbers (128 MB); more are computed batch by batch in training, as inference does.
BANK_FEATURES_CACHED = 2**25


def with_bank_features(net: Seq2SeqNet, data: dict) -> dict:
    """Training ``data`` with ``"bank_features"``, the features of every training sequence by the
    initialised ``net``'s fitted kernel bank, which is fixed during training: each training step then
    reads its batch's from there instead of convolving them again (its random views still are).
    Features already in ``data`` (the bank's fit computed them: ``_training.fit_kernel_bank``) are
    kept; without a bank, or when they would hold more than :data:`BANK_FEATURES_CACHED` numbers,
    ``data`` has none."""
    bank = net.module_.kernel_bank
    if bank is None or len(data["lengths"]) * bank.output_size > BANK_FEATURES_CACHED:
        return {key: values for key, values in data.items() if key != "bank_features"}
    if "bank_features" in data:
        return data
    return {**data, "bank_features": bank_features(net, data["x"], data["lengths"])}


def with_view_pool(net: Seq2SeqNet, data: dict, n_views: int, seed: int) -> dict:
    """Training ``data`` with a pool of ``n_views`` random views of every training sequence and their
    kernel bank features (``"views"``, ``"view_lengths"``, ``"view_bank_features"``:
    ``Seq2SeqModule.view_pool``), drawn once from ``seed``: each training step encodes one of each
    sequence's pooled views, picked at random, instead of convolving a fresh view with the bank.

    ``data`` as it is where the views would not be read or pooled: ``n_views`` below 2, a module
    without a contrastive term or without a kernel bank, training sequences whose own bank features are
    not cached (:func:`with_bank_features`), or a pool that would hold more than
    :data:`BANK_FEATURES_CACHED` numbers (then every step draws and convolves fresh views).
    """
    module = net.module_
    bank = module.kernel_bank
    if n_views < 2 or bank is None or module.contrastive <= 0 or "bank_features" not in data:
        return data
    x, lengths = data["x"], data["lengths"]
    if len(lengths) * n_views * (bank.output_size + int(np.prod(x.shape[1:]))) > BANK_FEATURES_CACHED:
        return data
    generator = torch.Generator(device=net.device).manual_seed(seed % np.iinfo(np.int32).max)
    views, view_lengths, view_bank_features = map_batches(
        net, {"x": x, "lengths": lengths},
        lambda x, lengths: module.view_pool(x, lengths, n_views, generator))
    return {**data, "views": views, "view_lengths": view_lengths, "view_bank_features": view_bank_features}


def bank_features(net: Seq2SeqNet, x: np.ndarray, lengths: np.ndarray) -> np.ndarray | None:
    """The kernel bank's features (n, bank size) of input sequences; None without a bank."""
    if net.module_.kernel_bank is None:
        return None
    return map_batches(net, {"x": x, "lengths": lengths}, lambda x, lengths, bank_features: bank_features, bank=True)


def classify(net: Seq2SeqNet, x: np.ndarray, lengths: np.ndarray, bank_features: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """Codes (n, n_components) and class logits (n, n_classes) of input sequences, in one pass
    (classifiers only); ``bank_features``: their kernel bank's features (:func:`bank_features`) when
    computed beforehand, else computed batch by batch."""

    def codes_and_logits(x, lengths, bank_features=None):
        code = net.module_.encode(x, lengths, bank_features)[0]
        return code, net.module_.classify(code, bank_features)

    return map_batches(net, _inputs(x, lengths, bank_features), codes_and_logits, bank=True)


def generate(net: Seq2SeqNet, x: np.ndarray, lengths: np.ndarray, n_steps: int) -> np.ndarray:
    """Outputs of shape (n, n_steps, n_outputs) from input sequences (the decoder's, or a value head's:
    ``Seq2SeqModule.infer_outputs``)."""
    return map_batches(net, {"x": x, "lengths": lengths},
                       lambda x, lengths, bank_features=None: net.module_(x, lengths, n_steps=n_steps,
                                                                          bank_features=bank_features),
                       bank=True)


def attention(net: Seq2SeqNet, x: np.ndarray, lengths: np.ndarray, n_steps: int) -> np.ndarray:
    """Decoder attention weights of shape (n, n_steps, n_memory) when decoding values from inputs."""

    def weights(x, lengths, bank_features=None):
        code, states, mask = net.module_.encode(x, lengths, bank_features)
        # encoder frames: to steps
        return net.module_.decode(code, n_steps, states, mask, input_lengths=lengths)[1][:, :, : x.shape[1]]

    return map_batches(net, {"x": x, "lengths": lengths}, weights, bank=True)


def decode_codes(net: Seq2SeqNet, codes: np.ndarray, n_steps: int) -> np.ndarray:
    """Outputs of shape (n, n_steps, n_outputs) from codes (``Seq2SeqModule.infer_outputs``)."""
    return map_batches(net, {"code": codes}, lambda code: net.module_.infer_outputs(code, n_steps))


def search(
    net: Seq2SeqNet,
    x: np.ndarray,
    lengths: np.ndarray,
    max_steps: int,
    beam_width: int,
    length_normalization: float,
    *,
    return_attention: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Token ids (n, max_steps) generated from input sequences, and with ``return_attention`` their
    attention weights (n, max_steps, n_memory)."""

    def best(x, lengths, bank_features=None):
        code, states, mask = net.module_.encode(x, lengths, bank_features)
        return net.module_.search(code, max_steps, states, mask, beam_width, length_normalization, return_attention)

    return map_batches(net, {"x": x, "lengths": lengths}, best, bank=True)


def search_codes(
    net: Seq2SeqNet, codes: np.ndarray, max_steps: int, beam_width: int, length_normalization: float
) -> np.ndarray:
    """Token ids (n, max_steps) generated from codes."""
    return map_batches(
        net, {"code": codes},
        lambda code: net.module_.search(code, max_steps, beam_width=beam_width,
                                        length_normalization=length_normalization)[0],
    )


def _pad_rows(batch: dict[str, torch.Tensor], block: int) -> dict[str, torch.Tensor]:
    """Pad every tensor of ``batch`` to a multiple of ``block`` rows by repeating its first row."""
    n_rows = len(next(iter(batch.values())))
    missing = -n_rows % block
    if missing == 0:
        return batch
    return {k: torch.cat([v, v[:1].expand(missing, *v.shape[1:])]) for k, v in batch.items()}


def _numpy_dtype(tensor: torch.Tensor) -> np.dtype:
    return np.dtype(np.float32) if tensor.is_floating_point() else np.dtype(str(tensor.dtype).split(".")[-1])


def _to_numpy(tensor: torch.Tensor) -> np.ndarray:
    if tensor.is_floating_point():
        tensor = tensor.float()
    return tensor.cpu().numpy()
