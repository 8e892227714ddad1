"""Inference graphs for export: a fitted :class:`Seq2SeqModule` wrapped so that one padded array goes in
and a method's result comes out, with every step of the estimator's inference inside.

These modules are what :func:`sklearn_seq2seq.to_onnx` hands to ``torch.onnx.export``. Each reads its
input as the estimator's users give a batch of different lengths in one array: numbers padded at the end
with NaN (whole timesteps), or token ids padded at the end with the padding id. The lengths are
computed inside the graph, so a deployed model needs no second input. A NaN anywhere else than in
trailing whole timesteps makes the floating outputs of its sequence NaN, never a number.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .model import Seq2SeqModule


def step_positions(real_steps: torch.Tensor) -> torch.Tensor:
    """The 1-based position of every step of a (B, T) mask, or of a (B, n_frames, frame_length) mask of
    inputs split into frames, in a shape that broadcasts against the mask."""
    if real_steps.dim() == 2:
        return torch.arange(1, real_steps.shape[1] + 1, device=real_steps.device)
    n_frames, frame_length = real_steps.shape[1:]
    return (torch.arange(n_frames, device=real_steps.device).unsqueeze(1) * frame_length
            + torch.arange(1, frame_length + 1, device=real_steps.device))


def padded_lengths(real_steps: torch.Tensor) -> torch.Tensor:
    """Each row's length in steps: one past its last real step (at least 1), from a mask of real steps
    (see :func:`step_positions`)."""
    return (real_steps.long() * step_positions(real_steps)).flatten(1).amax(1).clamp_min(1)


class PaddedInput(nn.Module):
    """Read a padded batch into what :meth:`Seq2SeqModule.encode` takes, ``(x, lengths)``.

    Numbers come NaN-padded as (B, T, F), or (B, T) for univariate models; for models that read
    ``frame_length > 1`` steps at a time, split into frames: (B, n_frames, frame_length, F), or
    (B, n_frames, frame_length) (``torch.export`` cannot round a symbolic length up to whole frames,
    so the exported graph does that split before this module). Token ids come as (B, T) padded with
    ``pad_id``. Padded steps become zeros; a NaN anywhere else marks its sequence invalid (the
    estimators refuse such input; :class:`InferenceGraph` gives it NaN outputs).

    Parameters
    ----------
    univariate : bool
        Numbers come without a feature axis; one is added.
    pad_id : int or None, default=None
        Token inputs: the padding id. None: numeric inputs.
    """

    def __init__(self, univariate: bool, pad_id: int | None = None) -> None:
        super().__init__()
        self.univariate = univariate
        self.pad_id = pad_id

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """``(x, lengths, invalid)``: the values with every NaN zeroed, the lengths, and which sequences
        hold a NaN that is not padding (None for tokens)."""
        if self.pad_id is not None:
            return x, padded_lengths(x != self.pad_id), None
        if self.univariate:
            x = x.unsqueeze(-1)
        nan = torch.isnan(x)
        real_steps = ~nan.all(-1)
        lengths = padded_lengths(real_steps)
        padding = step_positions(real_steps) > lengths.view(-1, *[1] * (real_steps.dim() - 1))
        invalid = (nan & ~padding.unsqueeze(-1)).flatten(1).any(1)
        return torch.where(nan, torch.zeros_like(x), x), lengths, invalid


#: What an :class:`InferenceGraph` can compute.
GRAPH_OUTPUTS = ("encodings", "class_index", "probabilities", "predictions")


class InferenceGraph(nn.Module):
    """A fitted module's inference on a padded batch, in one pass: the outputs named in ``outputs``.

    - ``"encodings"``: the codes (B, n_components), what ``transform`` returns;
    - ``"class_index"``: the index of each sequence's class (B,) in ``classes_`` (classifiers);
    - ``"probabilities"``: the class probabilities (B, n_classes), the softmax of the head's logits;
    - ``"predictions"``: the ``n_steps`` decoded steps in the targets' units and form (fixed horizons).

    The floating outputs of a sequence holding a NaN that is not padding are NaN (its class index is
    then meaningless).

    Parameters
    ----------
    module : Seq2SeqModule
        The fitted module, in evaluation mode.
    reader : PaddedInput
        How the input is read.
    outputs : sequence of str
        What to return, some of :data:`GRAPH_OUTPUTS`, in the order given.
    n_steps : int or None, default=None
        ``"predictions"``: the steps to decode (the fitted horizon).
    target_mean, target_scale : ndarray or None, default=None
        ``"predictions"``: the target standardisation to undo, broadcastable to (n_steps, n_outputs).
    reverse : bool, default=False
        ``"predictions"``: the targets were trained reversed in time (``reverse_target``).
    target_ndim : {1, 2, 3}, default=3
        ``"predictions"``: the form of ``y`` in ``fit``: numbers (B,), one value per step
        (B, n_steps) when there is one output, or (B, n_steps, n_outputs).
    """

    def __init__(self, module: Seq2SeqModule, reader: PaddedInput, outputs: tuple[str, ...], *,
                 n_steps: int | None = None, target_mean: np.ndarray | None = None,
                 target_scale: np.ndarray | None = None, reverse: bool = False, target_ndim: int = 3) -> None:
        super().__init__()
        unknown = set(outputs) - set(GRAPH_OUTPUTS)
        if unknown:
            raise ValueError(f"Unknown graph outputs {sorted(unknown)}; expected some of {GRAPH_OUTPUTS}.")
        self.module = module
        self.reader = reader
        self.outputs = tuple(outputs)
        self.n_steps = n_steps
        self.reverse = reverse
        self.target_ndim = target_ndim
        if "predictions" in outputs:
            self.register_buffer("target_mean", torch.as_tensor(target_mean, dtype=torch.float32))
            self.register_buffer("target_scale", torch.as_tensor(target_scale, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        x, lengths, invalid = self.reader(x)
        bank_features = self.module.bank_features(x, lengths)
        code, states, mask = self.module.encode(x, lengths, bank_features)
        results = {"encodings": code}
        if "class_index" in self.outputs or "probabilities" in self.outputs:
            logits = self.module.classify(code, bank_features)
            results["class_index"] = logits.argmax(1)
            results["probabilities"] = torch.softmax(logits, dim=1)
        if "predictions" in self.outputs:
            results["predictions"] = self._predictions(code, states, mask, bank_features)
        if invalid is not None:  # a NaN that is not padding: NaN out, never a number
            for name, value in results.items():
                if value.is_floating_point():
                    rows = invalid.view(-1, *[1] * (value.dim() - 1))
                    results[name] = torch.where(rows, torch.full_like(value, float("nan")), value)
        return tuple(results[name] for name in self.outputs)

    def _predictions(self, code: torch.Tensor, states: torch.Tensor, mask: torch.Tensor,
                     bank_features: torch.Tensor | None) -> torch.Tensor:
        values = self.module.infer_outputs(code, self.n_steps, states, mask, bank_features)
        if self.reverse:
            values = values.flip(1)
        values = values * self.target_scale + self.target_mean
        if self.target_ndim == 1:
            return values[:, 0, 0]
        if self.target_ndim == 2 and values.shape[2] == 1:
            return values[:, :, 0]
        return values
