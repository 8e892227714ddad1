"""A safe file format for sharing fitted models: a closed JSON schema and safetensors weights.

``save(estimator, path)`` writes one zip archive holding

* ``metadata.json``: the format name and version, the package version, the estimator's class, its
  hyper-parameters, its fitted layout (:class:`~sklearn_seq2seq._layout.FittedLayout`: scaling,
  vocabularies, target form, step counts, the module's arguments), the fitted attributes
  ``n_features_in_``, ``feature_names_in_`` and ``n_iter_``, and the training history;
* ``weights.safetensors``: the torch module's ``state_dict`` in the safetensors format (a JSON header
  and raw tensor bytes: reading it never unpickles anything).

``load(path)`` accepts exactly that: each section's keys are checked against an allow-list (the
class's parameters, the layout's fields, the three fitted attributes), every value against its
type, and the parameters are validated as ``fit`` validates them. Anything else raises
:class:`ModelFileError`. No code from the file ever runs, and nothing but the allowed attributes is
set on the estimator.

Files of format version 1 (sklearn_seq2seq 0.1, weights as a torch pickle) are converted by
:func:`convert_v1`.

What is not saved: the optimizer's state (continuing training after ``load`` with ``warm_start`` or
``partial_fit`` restarts the optimizer's moment estimates) and the ``callbacks`` parameter (skorch
callback objects are code; ``load`` gives ``callbacks=None`` and ``save`` warns when there were some).
"""

from __future__ import annotations

import inspect
import json
import os
import warnings
import zipfile
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from skorch.history import History

from ._base import BaseSeq2Seq, resolve_device
from ._convert_v1 import read_v1
from ._layout import FittedLayout
from ._nn import Seq2SeqModule
from ._training import initialize
from ._version import __version__
from .classifier import Seq2SeqClassifier
from .regressor import Seq2SeqRegressor
from .transformer import Seq2SeqTransformer

FORMAT_NAME = "sklearn_seq2seq"
FORMAT_VERSION = 2
_CLASSES = {cls.__name__: cls for cls in (Seq2SeqTransformer, Seq2SeqRegressor, Seq2SeqClassifier)}
_METADATA, _WEIGHTS = "metadata.json", "weights.safetensors"
_SECTIONS = {"format", "format_version", "package_version", "class", "params", "layout", "fitted", "history"}
_MODULE_ARGUMENTS = set(inspect.signature(Seq2SeqModule).parameters)


class ModelFileError(ValueError):
    """A file is not a model saved by :func:`save`, or it was altered."""


# ---------------------------------------------------------------- hyper-parameters <-> JSON
def _params_to_json(estimator: BaseSeq2Seq) -> dict:
    params = estimator.get_params(deep=False)
    if params.get("callbacks"):
        warnings.warn("The callbacks parameter is not saved (callbacks are code); the loaded model has "
                      "callbacks=None.", UserWarning, stacklevel=3)
    params["callbacks"] = None
    if params.get("pretrained") is not None:
        warnings.warn("The pretrained parameter is not saved (the fitted weights already hold what it gave); "
                      "the loaded model has pretrained=None.", UserWarning, stacklevel=3)
        params["pretrained"] = None
    if isinstance(params.get("class_weight"), dict):
        params["class_weight"] = {"dict": [[_plain_label(k), float(v)] for k, v in params["class_weight"].items()]}
    optimizer = params["optimizer"]
    if isinstance(optimizer, type):
        if getattr(torch.optim, optimizer.__name__, None) is not optimizer:
            raise TypeError(f"optimizer={optimizer!r} is not a torch.optim class; the safe format stores "
                            "optimizers by name. Use joblib for custom optimizers.")
        params["optimizer"] = {"torch.optim": optimizer.__name__}
    random_state = params["random_state"]
    params["random_state"] = int(random_state) if isinstance(random_state, (int, np.integer)) else None
    for key, value in params.items():
        if isinstance(value, tuple):
            params[key] = {"tuple": list(value)}
        elif isinstance(value, np.generic):
            params[key] = value.item()
    return params


#: Parameters added since files were first written, oldest first, each with the values that build the
#: models written before it: after version 0.2.0, and after the kernel bank came (their models read none).
_ADDED_PARAMS = ({"encoder": "recurrent", "frame_length": 1, "contrastive": 0.0, "n_threads": 1},
                 {"kernel_bank": False})


def _params_from_json(cls: type, params: Any) -> dict:
    allowed = set(cls().get_params(deep=False))
    for since in range(len(_ADDED_PARAMS)):
        added = {name: value for group in _ADDED_PARAMS[since:] for name, value in group.items()}
        if isinstance(params, dict) and set(params) == allowed - set(added):
            params = {**params, **added}
            break
    if not isinstance(params, dict) or set(params) != allowed:
        keys = set(params) if isinstance(params, dict) else set()
        raise ModelFileError(f"The saved hyper-parameters are not those of {cls.__name__} "
                             f"(unknown: {sorted(keys - allowed)}, missing: {sorted(allowed - keys)}).")
    out = {}
    for key, value in params.items():
        if isinstance(value, dict) and set(value) == {"tuple"} and isinstance(value["tuple"], list):
            value = tuple(value["tuple"])
        elif key == "class_weight" and isinstance(value, dict) and set(value) == {"dict"}:
            pairs = value["dict"]
            if not (isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2 for p in pairs)
                    and all(isinstance(k, (str, int, float, bool)) and isinstance(v, (int, float))
                            and not isinstance(v, bool) for k, v in pairs)):
                raise ModelFileError("parameter class_weight: not a list of [class, weight] pairs.")
            value = {k: float(v) for k, v in pairs}
        elif isinstance(value, dict) and set(value) == {"torch.optim"}:
            optimizer = getattr(torch.optim, str(value["torch.optim"]), None)
            if not (isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)):
                raise ModelFileError(f"optimizer {value['torch.optim']!r} is not a torch.optim optimizer.")
            value = optimizer
        elif not (value is None or isinstance(value, (bool, int, float, str))):
            raise ModelFileError(f"parameter {key}: {str(value)[:80]!r} is not a value of the format.")
        if isinstance(value, tuple) and not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                for v in value):
            raise ModelFileError(f"parameter {key}: a tuple of the format holds numbers only.")
        out[key] = value
    return out


def _fitted_attributes(estimator: BaseSeq2Seq) -> dict:
    names = getattr(estimator, "feature_names_in_", None)
    return {"n_features_in_": getattr(estimator, "n_features_in_", None),
            "feature_names_in_": None if names is None else [str(n) for n in names],
            "n_iter_": int(estimator.n_iter_)}


def _set_fitted_attributes(estimator: BaseSeq2Seq, fitted: Any) -> None:
    if not isinstance(fitted, dict) or set(fitted) != {"n_features_in_", "feature_names_in_", "n_iter_"}:
        raise ModelFileError("The file's fitted attributes are not n_features_in_, feature_names_in_ and n_iter_.")
    n_features, names, n_iter = fitted["n_features_in_"], fitted["feature_names_in_"], fitted["n_iter_"]
    if not (n_features is None or (isinstance(n_features, int) and not isinstance(n_features, bool))):
        raise ModelFileError("n_features_in_ must be an integer or null.")
    if not (names is None or (isinstance(names, list) and all(isinstance(n, str) for n in names))):
        raise ModelFileError("feature_names_in_ must be a list of strings or null.")
    if not isinstance(n_iter, int) or isinstance(n_iter, bool):
        raise ModelFileError("n_iter_ must be an integer.")
    if n_features is not None:
        estimator.n_features_in_ = n_features
    if names is not None:
        estimator.feature_names_in_ = np.asarray(names, dtype=object)
    estimator.n_iter_ = n_iter


def _history_from_json(history: Any) -> History:
    # json.loads yields only plain values (dict, list, str, numbers, bools, None): nothing to run
    if not isinstance(history, list) or not all(isinstance(epoch, dict) for epoch in history):
        raise ModelFileError("The file's history is not a list of epochs.")
    return History(history)


# ---------------------------------------------------------------- save / load
def save(estimator: BaseSeq2Seq, path: str | os.PathLike) -> None:
    """Save a fitted estimator in the safe format (see the module's documentation).

    Parameters
    ----------
    estimator : Seq2SeqTransformer, Seq2SeqRegressor or Seq2SeqClassifier
        A fitted estimator. The autoencoder that
        :meth:`Seq2SeqClassifier.pretrain_autoencoder <sklearn_seq2seq.Seq2SeqClassifier.pretrain_autoencoder>`
        returns is saved as a :class:`~sklearn_seq2seq.Seq2SeqTransformer` with all it learned (its
        front end's scales included), so it loads as one that transforms, and starts classifiers, as it did.
    path : str or path-like
        The file to write (a zip archive; ``.s2s`` is a fine suffix).
    """
    public = next((cls for cls in type(estimator).__mro__ if _CLASSES.get(cls.__name__) is cls), None)
    # the package's own subclasses (a classifier's pretraining) are saved as their public class; another
    # subclass may behave otherwise than the class it would load as
    own = type(estimator).__module__.partition(".")[0] == __name__.partition(".")[0]
    if public is None or (public is not type(estimator) and not own):
        raise TypeError(f"save() stores {', '.join(sorted(_CLASSES))} models; got {type(estimator).__name__}"
                        + (", a subclass, which would load as another class." if public is not None else "."))
    if not estimator.__sklearn_is_fitted__():
        from sklearn.exceptions import NotFittedError

        raise NotFittedError(f"This {type(estimator).__name__} is not fitted yet; fit it before saving.")
    metadata = {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "package_version": __version__,
        "class": public.__name__, "params": _params_to_json(estimator),
        "layout": estimator.layout_.to_json(), "fitted": _fitted_attributes(estimator),
        "history": json.loads(json.dumps(list(estimator.history_), default=_plain)),
    }
    weights = {k: v.detach().cpu().contiguous() for k, v in estimator.net_.module_.state_dict().items()}
    _write_archive(path, metadata, save_tensors(weights))


def _plain_label(value: Any) -> Any:
    """A class label as a JSON value (numpy scalars as Python ones)."""
    value = value.item() if isinstance(value, np.generic) else value
    if not isinstance(value, (str, int, float, bool)):
        raise TypeError(f"class_weight key {value!r} is not a string, number or boolean; the safe format "
                        "cannot store it.")
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"the history holds a {type(value).__name__}, which the safe format cannot store")


def _write_archive(path: str | os.PathLike, metadata: dict, weights: bytes) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_METADATA, json.dumps(metadata))
        archive.writestr(_WEIGHTS, weights)


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
    Seq2SeqTransformer, Seq2SeqRegressor or Seq2SeqClassifier
        The fitted estimator; its outputs are identical to the saved one's on the same device.

    Raises
    ------
    ModelFileError
        When the file is not a model saved by :func:`save` (a foreign or altered file, or another
        format version; version 1 files say how to convert them).
    """
    metadata, raw_weights = _read_archive(path)
    cls = _CLASSES[metadata["class"]]
    try:
        estimator = cls(**_params_from_json(cls, metadata["params"]))
        estimator._validate_params()
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(f"The saved hyper-parameters are not valid for {cls.__name__}: {exc}") from None
    try:
        layout = FittedLayout.from_json(metadata["layout"], _MODULE_ARGUMENTS)
    except ValueError as exc:
        raise ModelFileError(f"The file's fitted layout is not valid: {exc}") from None
    _set_fitted_attributes(estimator, metadata["fitted"])
    history = _history_from_json(metadata["history"])
    try:
        weights = load_tensors(raw_weights)
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise ModelFileError(f"The model file's weights are not a safetensors file: {exc}") from None
    if device is None:
        try:
            device = resolve_device(estimator.device)
        except ValueError:
            device = "cpu"
    device = resolve_device(device)
    if device != estimator.device and estimator.device != "auto":
        estimator.set_params(device=device)
    try:
        net = estimator._make_net(estimator.get_params(deep=False), layout, n_samples=layout.n_fit_samples,
                                  device=device, seed=layout.seed)
        initialize(net, layout.seed)  # seeded and forked: the caller's torch random state is untouched
        net.module_.load_state_dict(weights, strict=True)
    except (KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise ModelFileError(f"The saved weights or layout do not make a {cls.__name__}: {exc}") from None
    net.history = history
    estimator.layout_ = layout
    estimator.net_ = net
    estimator.history_ = net.history
    return estimator


def convert_v1(path: str | os.PathLike, new_path: str | os.PathLike) -> None:
    """Convert a model file of format version 1 (sklearn_seq2seq 0.1) to the current format.

    The version 1 attributes are read through an allow-list and mapped onto the fitted layout; the
    weights, which version 1 stored as a torch pickle, are read with ``torch.load(weights_only=True)``
    and written as safetensors. The converted file is then loaded once, so a file that does not make a
    model is refused here. Convert only files you trust.

    Parameters
    ----------
    path : str or path-like
        A file written by version 1 of :func:`save`.
    new_path : str or path-like
        Where to write the converted file (read it with :func:`load`).

    Raises
    ------
    ModelFileError
        When ``path`` is not a valid version 1 file.
    """
    try:
        sections, weights = read_v1(path)
    except (KeyError, TypeError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{os.fspath(path)!r} is not a valid format version 1 model file: {exc}") from None
    metadata = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "package_version": __version__,
                **sections}
    _write_archive(new_path, metadata, save_tensors({k: v.contiguous() for k, v in weights.items()}))
    try:
        load(new_path, device="cpu")
    except ModelFileError:
        os.remove(new_path)
        raise


def _read_archive(path: str | os.PathLike) -> tuple[dict, bytes]:
    """The metadata and the raw weights of a model file, checked before anything is built from them."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if names == {"metadata.json", "weights.pt"}:
                raise ModelFileError(_VERSION_1_HELP.format(path=os.fspath(path)))
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
                             f"({__version__}) reads version {FORMAT_VERSION}. Upgrade the package.")
    if version != FORMAT_VERSION:
        raise ModelFileError(_VERSION_1_HELP.format(path=os.fspath(path)))
    if set(metadata) != _SECTIONS:
        raise ModelFileError(f"The model file's metadata has the sections {sorted(metadata)}; the format has "
                             f"exactly {sorted(_SECTIONS)}.")
    if metadata["class"] not in _CLASSES:
        raise ModelFileError(f"The file names the class {metadata['class']!r}; only {sorted(_CLASSES)} can be loaded.")
    return metadata, raw_weights


_VERSION_1_HELP = (
    "{path!r} uses format version 1 (sklearn_seq2seq 0.1: weights pickled by torch.save), which load() no "
    "longer opens. Convert it once with sklearn_seq2seq.convert_v1({path!r}, NEW_PATH) and load "
    "the new file; do so only for files you trust (it reads the weights with torch.load(weights_only=True))."
)
