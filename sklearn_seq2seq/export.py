"""ONNX export of fitted estimators: :func:`to_onnx`, and :func:`to_onnx_input`, which gives any accepted
input in the one array form the exported graphs read.

The graph is the estimator's own inference (:mod:`sklearn_seq2seq._nn.graphs`) exported by
``torch.onnx.export`` with dynamic batch and sequence-length axes: the input standardisation, the
frames, the encoder, the readout and, per method, the classification head or the decoder with the
target's un-standardisation are all inside it. A batch of sequences of different lengths is one array
padded at the end with NaN (numbers) or with the padding id (tokens); the graph finds each sequence's
length itself. ``onnx`` and ``onnxscript`` (the exporter's) are needed only here, and imported only when
a model is exported: the ``onnx`` extra installs them with ``onnxruntime`` and ``skl2onnx``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sklearn.base import is_regressor
from sklearn.utils.validation import check_is_fitted

from ._base import BaseSeq2Seq
from ._data import Sequences, step_mask
from ._nn.graphs import InferenceGraph, PaddedInput
from ._tokens import PAD
from ._version import __version__
from .classifier import Seq2SeqClassifier

#: The name of the exported graph's input.
INPUT_NAME = "X"
#: The methods :func:`to_onnx` exports (those a model has and can run in a graph).
METHODS = ("transform", "predict", "predict_proba")
#: A classifier's ``predict`` output (as skl2onnx names it).
LABEL_OUTPUT = "label"
#: The exported graph's output names, by :class:`InferenceGraph` output.
OUTPUT_NAMES = {"encodings": "encodings", "class_index": LABEL_OUTPUT, "probabilities": "probabilities",
                "predictions": "predictions"}
#: The oldest ONNX opset the torch exporter writes.
OLDEST_OPSET = 18
#: Batch size of the example input traced by the exporter: 0 and 1 would be read as fixed sizes.
_EXAMPLE_BATCH = 2


def default_methods(estimator: Any) -> tuple[str, ...]:
    """The methods :func:`to_onnx` exports when none are named: ``transform`` for a
    ``Seq2SeqTransformer``, ``predict`` for a ``Seq2SeqRegressor``, ``predict`` and ``predict_proba``
    for a ``Seq2SeqClassifier`` (as skl2onnx exports classifiers)."""
    if isinstance(estimator, Seq2SeqClassifier):
        return ("predict", "predict_proba")
    if is_regressor(estimator):
        return ("predict",)
    return ("transform",)


def exportable_methods(estimator: Any) -> tuple[str, ...]:
    """The methods of a fitted estimator that :func:`to_onnx` can export."""
    if isinstance(estimator, Seq2SeqClassifier):
        return METHODS
    return ("transform",) if _prediction_refusal(estimator) else ("transform", "predict")


def _prediction_refusal(estimator: Any) -> str | None:
    """Why ``predict`` of a fitted regressor or transformer cannot be exported, or None."""
    layout = estimator.layout_
    if layout.target_tokens:
        return ("its predict generates tokens one after another with a search that stops when the data says "
                "so (an end symbol), which a graph with fixed steps does not hold")
    if layout.lengths_follow_input:
        return ("its predict decodes as many steps as each input has"
                + (" (an autoencoder)" if layout.targets_from == "X" else " (targets that follow the inputs' lengths)")
                + ", which the exported graphs do not (they decode a fixed horizon)")
    return None


def _check_methods(estimator: Any, method: str | Sequence[str] | None) -> tuple[str, ...]:
    methods = default_methods(estimator) if method is None else (method,) if isinstance(method, str) else tuple(method)
    if not methods or len(set(methods)) != len(methods):
        raise ValueError(f"method must name one or more of {list(METHODS)}, each once; got {list(methods)}.")
    name = type(estimator).__name__
    possible = exportable_methods(estimator)
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"Unknown method {m!r}; to_onnx exports {list(METHODS)} (those the estimator "
                             f"has). This {name} exports {list(possible)}.")
        if m not in possible:
            why = (f"{name} has no predict_proba" if m == "predict_proba"
                   else f"this {name} cannot be exported for {m}: {_prediction_refusal(estimator)}")
            raise ValueError(f"{why[0].upper()}{why[1:]}. It can be exported for {list(possible)}.")
    return methods


def _graph(estimator: Any, methods: tuple[str, ...]) -> tuple[InferenceGraph, list[str]]:
    """The torch graph computing ``methods`` and the names of its outputs, in order."""
    layout = estimator.layout_
    module = estimator.net_.module_
    tokens = layout.input_form is not None
    reader = PaddedInput(univariate=not tokens and layout.input_ndim == 2, pad_id=PAD if tokens else None)
    classifier = isinstance(estimator, Seq2SeqClassifier)
    wanted = {"transform": "encodings", "predict_proba": "probabilities",
              "predict": "class_index" if classifier else "predictions"}
    outputs = tuple(wanted[m] for m in methods)
    settings = {}
    if "predictions" in outputs:
        n_steps = layout.n_target_steps
        settings = dict(n_steps=n_steps, target_mean=layout.y_mean[:n_steps], target_scale=layout.y_scale[:n_steps],
                        reverse=bool(estimator.reverse_target), target_ndim=layout.target_ndim)
    graph = InferenceGraph(module, reader, outputs, **settings)
    return graph, [OUTPUT_NAMES[o] for o in graph.outputs]


def _input_frames(estimator: Any) -> int:
    """How many steps the model reads at a time (1 for tokens)."""
    return 1 if estimator.layout_.input_form is not None else estimator.frame_length_


def _example_input(estimator: Any) -> torch.Tensor:
    """An input for the exporter to trace: two sequences of five frames, so that no size is read as
    fixed (torch.export fixes sizes 0 and 1); split into frames for models that read frames."""
    layout = estimator.layout_
    frames = _input_frames(estimator)
    if layout.input_form is not None:
        return torch.full((_EXAMPLE_BATCH, 5), layout.vocabulary.n_ids - 1, dtype=torch.long)
    shape = (_EXAMPLE_BATCH, 5) + ((frames,) if frames > 1 else ()) + (() if layout.input_ndim == 2 else (layout.n_channels,))
    return torch.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape)


def to_onnx(estimator: Any, *, method: str | Sequence[str] | None = None, target_opset: int | None = None):
    """Export a fitted estimator's inference as an ONNX model.

    The graph holds every step of the estimator's own inference, from the raw input (standardisation
    included) to the method's result. Batch size and sequence length are dynamic. A batch of sequences
    of different lengths is one array padded at the end: with NaN for numbers (whole timesteps, as
    the estimators accept), with the padding id 0 for token ids; :func:`to_onnx_input` gives any input
    in that form.

    Parameters
    ----------
    estimator : Seq2SeqTransformer, Seq2SeqRegressor or Seq2SeqClassifier
        A fitted estimator.
    method : str or sequence of str, default=None
        What the graph computes, one output per method, in the order given:

        - ``"transform"``: output ``"encodings"`` (n_samples, n_components), every estimator;
        - ``"predict"``: a regressor's (or a supervised transformer's) fixed-horizon predictions,
          output ``"predictions"`` in the shape of ``y`` in ``fit``; a classifier's classes, output
          ``"label"`` (n_samples,) from ``classes_``;
        - ``"predict_proba"``: a classifier's probabilities, output ``"probabilities"``.

        None: ``transform`` for a ``Seq2SeqTransformer``, ``predict`` for a ``Seq2SeqRegressor``,
        ``["predict", "predict_proba"]`` for a ``Seq2SeqClassifier``. What a model cannot do in a
        graph (generating tokens, decoding as many steps as each input has) raises a ``ValueError``
        naming what it can export.
    target_opset : int, default=None
        The ONNX opset of the graph (18 or newer); None: the exporter's default.

    Returns
    -------
    onnx.ModelProto
        One float32 (or, for token models, int64) input ``"X"``: (n_samples, n_timesteps) for models
        fitted on 2-D arrays, (n_samples, n_timesteps, n_features) otherwise, token ids
        (n_samples, n_tokens) for token models. Save it with ``onnx.save``; run it with
        ``onnxruntime.InferenceSession(model.SerializeToString())``.

    Raises
    ------
    ValueError
        For a method the model cannot export, or an opset older than 18.
    ImportError
        Without ``onnx`` and ``onnxscript`` (``pip install sklearn_seq2seq[onnx]``).

    Notes
    -----
    A NaN that is not padding (not in trailing whole timesteps), which the estimators refuse, makes the
    encodings, probabilities and predictions of its sequence NaN (its label is then meaningless): the
    graph never turns it into a number.
    """
    _check_estimator(estimator)
    methods = _check_methods(estimator, method)
    if target_opset is not None and target_opset < OLDEST_OPSET:
        raise ValueError(f"target_opset={target_opset}: the exporter writes opset {OLDEST_OPSET} or newer.")
    onnx = _import_onnx()
    import onnx.inliner

    from . import _onnx_graph

    graph, output_names = _graph(estimator, methods)
    example = _example_input(estimator)
    # A model reading frames is exported for inputs split into frames, and given a Pad and a Reshape in
    # front (_onnx_graph.split_into_frames): torch.export cannot round a symbolic length up to frames.
    frames = _input_frames(estimator)
    module = estimator.net_.module_
    training = module.training
    graph.eval()
    try:
        with torch.inference_mode(False), torch.no_grad():
            program = torch.onnx.export(
                graph, (example.to(_module_device(module)),), dynamo=True, verbose=False,
                input_names=[INPUT_NAME if frames == 1 else f"{INPUT_NAME}_frames"], output_names=output_names,
                dynamic_shapes=({0: torch.export.Dim.AUTO, 1: torch.export.Dim.AUTO},), opset_version=target_opset,
            )
    finally:
        module.train(training)
    model = onnx.inliner.inline_local_functions(program.model_proto)
    if frames > 1:
        model = _onnx_graph.split_into_frames(model, frames, INPUT_NAME)
    model = _onnx_graph.name_dynamic_axes(model)
    if "predict" in methods and isinstance(estimator, Seq2SeqClassifier):
        model = _onnx_graph.gather_labels(model, LABEL_OUTPUT, estimator.classes_)
    onnx.checker.check_model(model, full_check=True)
    model.producer_name = "sklearn_seq2seq"
    model.producer_version = __version__
    model.doc_string = f"{type(estimator).__name__}: {', '.join(methods)}"
    return model


def _module_device(module: torch.nn.Module) -> torch.device:
    return next(module.parameters()).device


def to_onnx_input(estimator: Any, X: Any) -> np.ndarray:
    """The array an exported graph of ``estimator`` reads for ``X``.

    Parameters
    ----------
    estimator : fitted estimator
        The estimator the graph was exported from.
    X : any input the estimator accepts
        Arrays, NaN-padded arrays, lists of sequences of different lengths, strings or token lists.

    Returns
    -------
    ndarray
        Numbers: float32 (n_samples, n_timesteps[, n_features]) with shorter sequences padded at the
        end with NaN. Tokens: int64 ids (n_samples, n_tokens) of the fitted vocabulary, with the end
        symbol the models read after each sequence, padded with 0; unknown tokens get the unknown id.
    """
    _check_estimator(estimator)
    seqs = estimator._check_X(X)
    if not isinstance(seqs, Sequences):
        return np.ascontiguousarray(seqs.values, dtype=np.int64)
    values = np.array(seqs.values, dtype=np.float32)
    values[~step_mask(seqs.lengths, values.shape[1])] = np.nan
    return values[:, :, 0] if estimator.layout_.input_ndim == 2 else values


def _check_estimator(estimator: Any) -> None:
    if not isinstance(estimator, BaseSeq2Seq):
        raise TypeError(f"Expected a Seq2SeqTransformer, Seq2SeqRegressor or Seq2SeqClassifier, got "
                        f"{type(estimator).__name__}. Pipelines of scikit-learn steps convert with skl2onnx "
                        "after register_onnx_converters().")
    check_is_fitted(estimator)


def _import_onnx():
    try:
        import onnx
        import onnxscript  # noqa: F401  (torch's ONNX exporter)
    except ImportError as exc:
        raise ImportError(
            "Exporting to ONNX needs the onnx and onnxscript packages: pip install 'sklearn_seq2seq[onnx]'."
        ) from exc
    return onnx
