"""Input handling: every accepted input form -> padded float array + lengths, and back.

This is the only module that knows about the user-facing input conventions:

* ``(n_samples, n_timesteps, n_features)`` arrays: multivariate sequences;
* ``(n_samples, n_timesteps)`` arrays or DataFrames: univariate sequences, one column per timestep.

The rule for ``n_features_in_`` (documented in the estimators): for 2-D input it is the number of columns,
as everywhere in scikit-learn, and later calls must pass the same number of columns; for 3-D input it is
the number of features per timestep (the last axis), and the number of timesteps may differ between calls.

Nothing here imports torch: the estimators turn the arrays returned here into tensors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.utils.validation import check_array, validate_data

_FLOAT_DTYPES = (np.float64, np.float32)


@dataclass(frozen=True)
class Sequences:
    """A batch of sequences in the internal layout.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_timesteps, n_features)
        The sequences, padded at the end where they are shorter than ``n_timesteps``.
    lengths : ndarray of shape (n_samples,), dtype int64
        The number of real timesteps of each sequence.
    ndim : int
        The number of dimensions of the array the user passed (2 or 3); outputs are given back in it.
    """

    values: np.ndarray
    lengths: np.ndarray
    ndim: int

    @property
    def n_samples(self) -> int:
        return self.values.shape[0]

    def to_user(self, values: np.ndarray) -> np.ndarray:
        """Return ``values`` of shape (n, T, F) in the layout the user gave (2-D when F is 1 and input was 2-D)."""
        if self.ndim == 2 and values.shape[2] == 1:
            return values[:, :, 0]
        return values


def _input_ndim(X: Any, name: str) -> int:
    """Number of dimensions of ``X`` without copying it, with a clear error for unsupported forms."""
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        if isinstance(X, (str, bytes)):
            raise TypeError(
                f"{name} must be an array-like of sequences of numbers; got a {type(X).__name__}."
            )
        try:
            ndim = np.asarray(X).ndim
        except ValueError as exc:  # ragged nested lists
            raise ValueError(
                f"{name} could not be read as an array: {exc}. Pass an array of shape "
                "(n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)."
            ) from exc
    return int(ndim)


def check_sequences(estimator: Any, X: Any, *, reset: bool, name: str = "X") -> Sequences:
    """Validate input sequences and convert them to the internal layout.

    Parameters
    ----------
    estimator : estimator instance
        The estimator the data is for; ``n_features_in_`` (and ``feature_names_in_`` for DataFrames)
        are set on it when ``reset`` is true and checked against it otherwise.
    X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)
        The sequences.
    reset : bool
        Whether this is a call to ``fit`` (learn the input layout) or a later call (check it).
    name : str, default="X"
        The name used in error messages.

    Returns
    -------
    Sequences
        The validated sequences, float32 or float64 as given (other numbers become float64).
    """
    ndim = _input_ndim(X, name)
    fitted_ndim = None if reset else getattr(estimator, "_fit_ndim", None)
    check_kwargs = dict(dtype=_FLOAT_DTYPES, ensure_all_finite=True, estimator=estimator)
    if ndim == 2:
        if reset or fitted_ndim == 2:
            values = validate_data(estimator, X, reset=reset, **check_kwargs)
        else:
            values = check_array(X, input_name=name, **check_kwargs)
        values = values[:, :, np.newaxis]
    elif ndim == 3:
        values = check_array(X, allow_nd=True, input_name=name, **check_kwargs)
        if values.shape[1] == 0 or values.shape[2] == 0:
            raise ValueError(
                f"{name} has shape {values.shape}: sequences need at least one timestep and one feature."
            )
    else:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_timesteps) for univariate sequences or 3-D "
            f"(n_samples, n_timesteps, n_features); got an array with {ndim} dimension(s). Reshape your "
            "data, e.g. with X.reshape(1, -1) for a single univariate sequence."
        )
    n_channels = values.shape[2]
    if reset:
        if ndim == 3:
            estimator.n_features_in_ = n_channels
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
        estimator._fit_ndim = ndim
        estimator._n_channels = n_channels
    elif n_channels != estimator._n_channels:
        raise ValueError(
            f"{name} has {n_channels} features per timestep, but {type(estimator).__name__} is expecting "
            f"{estimator._n_channels} features per timestep as input."
        )
    lengths = np.full(values.shape[0], values.shape[1], dtype=np.int64)
    return Sequences(values=values, lengths=lengths, ndim=ndim)


def check_target_sequences(y: Any, n_samples: int, *, name: str = "y") -> Sequences:
    """Validate a target given as numbers, vectors or sequences, and return it as (n, H, F_out).

    A target of shape ``(n,)`` is one step of one feature, ``(n, H)`` is ``H`` steps of one feature and
    ``(n, H, F_out)`` is ``H`` steps of ``F_out`` features.
    """
    ndim = _input_ndim(y, name)
    if ndim not in (1, 2, 3):
        raise ValueError(
            f"{name} must have shape (n_samples,), (n_samples, n_steps) or (n_samples, n_steps, n_features); "
            f"got an array with {ndim} dimension(s)."
        )
    values = check_array(
        y, dtype=_FLOAT_DTYPES, ensure_2d=False, allow_nd=True, ensure_all_finite=True, input_name=name
    )
    if values.shape[0] != n_samples:
        raise ValueError(
            f"X and {name} have inconsistent numbers of samples: {n_samples} and {values.shape[0]}."
        )
    original_ndim = values.ndim
    if values.ndim == 1:
        values = values[:, np.newaxis, np.newaxis]
    elif values.ndim == 2:
        values = values[:, :, np.newaxis]
    if values.shape[1] == 0 or values.shape[2] == 0:
        raise ValueError(f"{name} has shape {values.shape}: targets need at least one step and one feature.")
    lengths = np.full(values.shape[0], values.shape[1], dtype=np.int64)
    return Sequences(values=values, lengths=lengths, ndim=original_ndim)


def target_to_user(values: np.ndarray, ndim: int) -> np.ndarray:
    """Give predictions of shape (n, H, F_out) back in the target layout seen in ``fit``."""
    if ndim == 1:
        return values[:, 0, 0]
    if ndim == 2:
        return values[:, :, 0]
    return values


def step_mask(lengths: np.ndarray, n_timesteps: int) -> np.ndarray:
    """Boolean mask of shape (n_samples, n_timesteps), true on real (non-padded) timesteps."""
    return np.arange(n_timesteps)[np.newaxis, :] < lengths[:, np.newaxis]


def feature_stats(seqs: Sequences) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and scale over all real timesteps (scale 1 for constant features)."""
    real = seqs.values[step_mask(seqs.lengths, seqs.values.shape[1])]
    real = real.astype(np.float64, copy=False)
    mean = real.mean(axis=0)
    scale = real.std(axis=0)
    scale[scale < 10 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(mean))] = 1.0
    return mean, scale
