"""A safe file format for sharing fitted models: JSON for everything but the weights, plain tensors.

``save(estimator, path)`` writes one zip archive holding

* ``metadata.json``: the format name and version, the package version, the estimator's class and
  hyper-parameters, its fitted state (scaling statistics, vocabularies, input layout, training
  history) and the torch module's arguments;
* ``weights.pt``: the torch module's ``state_dict`` as plain CPU tensors (``torch.save``).

``load(path)`` reads the JSON with :mod:`json` and the tensors with ``torch.load(weights_only=True)``,
which refuses anything but tensors and plain containers, so loading never runs code from the file
(joblib and pickle files do: only load those from sources you trust). Only the package's estimator
classes can be named, and every value is decoded from a closed set of JSON forms.

Why not skops: its secure format loads only types that are marked trusted; a fitted estimator holds a
skorch net, torch modules, optimizers and callbacks, which would all have to be trusted by name, and
trusting them is what makes pickle unsafe. Saving the state the model needs, and nothing else, keeps
the format small and the loader closed.

What is not saved: the optimizer's state (continuing training after ``load`` with ``warm_start`` or
``partial_fit`` restarts the optimizer's moment estimates) and the ``callbacks`` parameter (skorch
callback objects are code; ``load`` gives ``callbacks=None`` and ``save`` warns when there were some).
"""

from __future__ import annotations

import io
import json
import os
import warnings
import zipfile
from typing import Any

import numpy as np
import torch
from skorch.history import History

from ._version import __version__
from ._base import BaseSeq2Seq, _resolve_device
from ._tokens import Vocabulary
from .regressor import Seq2SeqRegressor
from .transformer import Seq2SeqTransformer

FORMAT_NAME = "sklearn_seq2seq"
FORMAT_VERSION = 1
_CLASSES = {cls.__name__: cls for cls in (Seq2SeqTransformer, Seq2SeqRegressor)}
_METADATA, _WEIGHTS = "metadata.json", "weights.pt"


class ModelFileError(ValueError):
    """A file is not a model saved by :func:`save`, or it was altered."""


# ---------------------------------------------------------------- values <-> JSON
def _encode(value: Any, name: str) -> Any:
    """A JSON form of a fitted value; only the types a fitted estimator holds."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray):
        return {"ndarray": [_encode(v, name) for v in value.tolist()], "dtype": value.dtype.str}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v, name) for v in value]}
    if isinstance(value, list):
        return [_encode(v, name) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"{name}: only dicts with string keys can be saved.")
        return {"dict": {k: _encode(v, name) for k, v in value.items()}}
    if isinstance(value, Vocabulary):
        return {"vocabulary": [_encode(t, name) for t in value.tokens], "form": value.form}
    raise TypeError(f"{name} holds a {type(value).__name__}, which the safe format cannot store.")


def _decode(value: Any, name: str) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_decode(v, name) for v in value]
    if isinstance(value, dict) and len(value) in (1, 2):
        if set(value) == {"ndarray", "dtype"}:
            dtype = np.dtype(value["dtype"])
            if dtype.kind not in "biufUO":  # object arrays hold decoded plain values only
                raise ModelFileError(f"{name}: arrays of dtype {dtype} are not part of the format.")
            return np.asarray(_decode(value["ndarray"], name), dtype=dtype)
        if set(value) == {"tuple"}:
            return tuple(_decode(v, name) for v in value["tuple"])
        if set(value) == {"dict"} and isinstance(value["dict"], dict):
            return {str(k): _decode(v, name) for k, v in value["dict"].items()}
        if set(value) == {"vocabulary", "form"} and value["form"] in ("chars", "words", "ids"):
            return Vocabulary(_decode(value["vocabulary"], name), value["form"])
    raise ModelFileError(f"{name}: {str(value)[:80]!r} is not a value of the format.")


def _params(estimator: BaseSeq2Seq) -> dict:
    params = estimator.get_params(deep=False)
    if params.get("callbacks"):
        warnings.warn("The callbacks parameter is not saved (callbacks are code); the loaded model has "
                      "callbacks=None.", UserWarning, stacklevel=3)
    params["callbacks"] = None
    optimizer = params["optimizer"]
    if isinstance(optimizer, type):
        if getattr(torch.optim, optimizer.__name__, None) is not optimizer:
            raise TypeError(f"optimizer={optimizer!r} is not a torch.optim class; the safe format stores "
                            "optimizers by name. Use joblib for custom optimizers.")
        params["optimizer"] = {"torch.optim": optimizer.__name__}
    if not (params["random_state"] is None or isinstance(params["random_state"], (int, np.integer))):
        params["random_state"] = None  # a RandomState's state is not part of a fitted model
    return {k: _encode(v, f"parameter {k}") for k, v in params.items()}


# ---------------------------------------------------------------- save / load
def save(estimator: BaseSeq2Seq, path: str | os.PathLike) -> None:
    """Save a fitted estimator in the safe format (see the module's documentation).

    Parameters
    ----------
    estimator : Seq2SeqTransformer or Seq2SeqRegressor
        A fitted estimator.
    path : str or path-like
        The file to write (a zip archive; ``.s2s`` is a fine suffix).
    """
    if type(estimator).__name__ not in _CLASSES or not isinstance(estimator, tuple(_CLASSES.values())):
        raise TypeError(f"save() stores Seq2SeqTransformer and Seq2SeqRegressor models; got {type(estimator).__name__}.")
    if not estimator.__sklearn_is_fitted__():
        from sklearn.exceptions import NotFittedError

        raise NotFittedError(f"This {type(estimator).__name__} is not fitted yet; fit it before saving.")
    state = {}
    for key, value in vars(estimator).items():
        if key in ("net_", "history_") or key in estimator.get_params(deep=False):
            continue
        if key == "target_vocabulary_" and value is getattr(estimator, "vocabulary_", None):
            state[key] = {"same_as": "vocabulary_"}
            continue
        state[key] = _encode(value, key)
    metadata = {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "package_version": __version__,
        "class": type(estimator).__name__, "params": _params(estimator), "state": state,
        "history": _encode(list(estimator.history_), "history_"),
    }
    weights = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in estimator.net_.module_.state_dict().items()}, weights)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_METADATA, json.dumps(metadata))
        archive.writestr(_WEIGHTS, weights.getvalue())


def load(path: str | os.PathLike, *, device: str | None = None) -> BaseSeq2Seq:
    """Load an estimator saved by :func:`save`, without running any code from the file.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.
    device : str, optional
        Where to put the model: ``"cpu"``, ``"cuda"``, ... Default: the saved ``device`` parameter when
        that device exists here, else the CPU (a model fitted on a GPU loads on a CPU-only machine).

    Returns
    -------
    Seq2SeqTransformer or Seq2SeqRegressor
        The fitted estimator; its outputs are identical to the saved one's on the same device.

    Raises
    ------
    ModelFileError
        When the file is not a model saved by :func:`save` (a foreign or altered file, or a newer format).
    """
    metadata, weights = _read_archive(path)
    cls = _CLASSES[metadata["class"]]
    params = {k: _decode(v, f"parameter {k}") for k, v in metadata["params"].items()}
    if isinstance(params.get("optimizer"), dict):
        name = params["optimizer"].get("torch.optim")
        optimizer = getattr(torch.optim, str(name), None)
        if not (isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)):
            raise ModelFileError(f"optimizer {name!r} is not a torch.optim optimizer.")
        params["optimizer"] = optimizer
    try:
        estimator = cls(**params)
        estimator._validate_params()
    except (TypeError, ValueError) as exc:
        raise ModelFileError(f"The saved hyper-parameters are not valid for {cls.__name__}: {exc}") from None
    if device is None:
        try:
            device = _resolve_device(estimator.device)
        except ValueError:
            device = "cpu"
    device = _resolve_device(device)
    if device != estimator.device and estimator.device != "auto":
        estimator.set_params(device=device)
    for key, value in metadata["state"].items():
        if not (key.endswith("_") or key.startswith("_")):
            raise ModelFileError(f"{key!r} is not fitted state.")
        if value == {"same_as": "vocabulary_"}:
            continue
        setattr(estimator, key, _decode(value, key))
    if metadata["state"].get("target_vocabulary_") == {"same_as": "vocabulary_"}:
        estimator.target_vocabulary_ = estimator.vocabulary_
    try:
        net = estimator._make_net(estimator._n_fit_samples, device, estimator._seed)
        net.initialize()
        net.module_.load_state_dict(weights, strict=True)
        net.history = History(_decode(metadata["history"], "history_"))
    except (AttributeError, KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise ModelFileError(f"The saved weights or state do not make a {cls.__name__}: {exc}") from None
    estimator.net_ = net
    estimator.history_ = net.history
    return estimator


def _read_archive(path: str | os.PathLike) -> tuple[dict, dict]:
    """The metadata and the weights of a model file, checked before anything is built from them."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if names != {_METADATA, _WEIGHTS}:
                raise ModelFileError(f"{os.fspath(path)!r} is not a sklearn_seq2seq model file (it holds {sorted(names)[:5]}).")
            raw_metadata = archive.read(_METADATA)
            raw_weights = archive.read(_WEIGHTS)
    except zipfile.BadZipFile:
        raise ModelFileError(f"{os.fspath(path)!r} is not a sklearn_seq2seq model file (not a zip archive).") from None
    try:
        metadata = json.loads(raw_metadata)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"The model file's metadata is not valid JSON: {exc}") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise ModelFileError("The file's metadata does not describe a sklearn_seq2seq model.")
    version = metadata.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(f"The file uses format version {version!r}; this sklearn_seq2seq "
                             f"({__version__}) reads versions up to {FORMAT_VERSION}. Upgrade the package.")
    if metadata.get("class") not in _CLASSES:
        raise ModelFileError(f"The file names the class {metadata.get('class')!r}; only {sorted(_CLASSES)} can be loaded.")
    for key in ("params", "state", "history"):
        if key not in metadata:
            raise ModelFileError(f"The model file's metadata lacks {key!r}.")
    try:
        weights = torch.load(io.BytesIO(raw_weights), map_location="cpu", weights_only=True)
    except Exception as exc:  # weights_only refuses anything but tensors: a tampered file lands here
        raise ModelFileError(f"The model file's weights cannot be read safely: {exc}") from None
    if not isinstance(weights, dict) or not all(isinstance(v, torch.Tensor) for v in weights.values()):
        raise ModelFileError("The model file's weights are not a dict of tensors.")
    return metadata, weights
