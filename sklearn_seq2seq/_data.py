"""Input handling: every accepted input form -> padded float array + lengths, and back.

This is the only module that knows the user-facing input conventions:

* ``(n_samples, n_timesteps, n_features)`` arrays: multivariate sequences;
* ``(n_samples, n_timesteps)`` arrays or DataFrames: univariate sequences, one column per timestep;
* in both, sequences shorter than ``n_timesteps`` may be padded at the end with NaN (the tslearn
  convention): a trailing run of all-NaN timesteps is padding, any other NaN is an error;
* a list of ``(T_i, n_features)`` (or ``(T_i,)``) arrays of different lengths.

Outputs that are sequences go back in the form they came in: lists as lists of arrays with each
sequence's own length, NaN-padded arrays as NaN-padded arrays.

The rule for ``n_features_in_`` (documented in the estimators): for 2-D input it is the number of columns,
as everywhere in scikit-learn, and later calls must pass the same number of columns; for 3-D and list
input it is the number of features per timestep, and the number of timesteps may differ between calls.

Nothing here imports torch: the estimators turn the arrays returned here into tensors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.utils.validation import check_array, validate_data

_FLOAT_DTYPES = (np.float64, np.float32)


class PaddedBatch:
    """What padded batches of sequences share: ``values`` with samples first, and their ``lengths``."""

    values: np.ndarray
    lengths: np.ndarray

    @property
    def n_samples(self) -> int:
        return self.values.shape[0]

    @property
    def padded(self) -> bool:
        """Whether any sequence is shorter than the array."""
        return bool((self.lengths < self.values.shape[1]).any())


@dataclass(frozen=True)
class Sequences(PaddedBatch):
    """A batch of sequences in the internal layout.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_timesteps, n_features)
        The sequences, zero-padded at the end where they are shorter than ``n_timesteps``.
    lengths : ndarray of shape (n_samples,), dtype int64
        The number of real timesteps of each sequence.
    ndim : int
        Dimensions of the array the user passed (1, 2 or 3), or 3 for a list of 2-D arrays and 2 for a
        list of 1-D arrays.
    is_list : bool
        Whether the user passed a list of arrays.
    """

    values: np.ndarray
    lengths: np.ndarray
    ndim: int
    is_list: bool = False

    def to_user(self, values: np.ndarray, lengths: np.ndarray | None = None) -> Any:
        """Give sequences of shape (n, T, F) back in this input's form (see :func:`to_user`)."""
        return to_user(values, self.lengths if lengths is None else lengths, self.ndim, self.is_list)


def to_user(values: np.ndarray, lengths: np.ndarray, ndim: int, is_list: bool) -> Any:
    """Give sequences of shape (n, T, F) back in a user's form.

    ``lengths`` say how many steps of each sequence are real: for a list each sequence is cut to its
    length, for an array the steps after it are NaN. ``ndim`` 1 means numbers ``(n,)``; ``ndim`` 2 with
    one feature drops the feature axis.
    """
    squeeze = ndim in (1, 2) and values.shape[2] == 1
    if is_list:
        return [v[:n, 0] if squeeze else v[:n] for v, n in zip(values, lengths)]
    if (lengths < values.shape[1]).any():
        values = values.copy()
        values[~step_mask(lengths, values.shape[1])] = np.nan
    if ndim == 1:
        return values[:, 0, 0]
    return values[:, :, 0] if squeeze else values


def is_label_vector(y: Any) -> bool:
    """Whether ``y`` is one number per sample (1-D), as opposed to sequences."""
    return not _is_list_of_sequences(y) and _input_ndim(y, "y") == 1


def _is_list_of_sequences(X: Any) -> bool:
    """A list or tuple of arrays, or of nested lists of unequal lengths, is read as one sequence each."""
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return False
    if any(isinstance(x, np.ndarray) for x in X):
        return True
    try:
        np.asarray(X, dtype=float)
    except (ValueError, TypeError):
        return all(isinstance(x, (list, tuple)) for x in X)
    return False


def _input_ndim(X: Any, name: str) -> int:
    """Number of dimensions of ``X`` without copying it, with a clear error for unsupported forms."""
    if isinstance(X, (str, bytes)):
        raise TypeError(f"{name} must be an array-like of sequences of numbers; got a {type(X).__name__}.")
    if X is None:
        raise TypeError(f"{name} is None; pass an array-like of sequences (or a list of sequences).")
    ndim = getattr(X, "ndim", None)
    if ndim is None:
        try:
            ndim = np.asarray(X).ndim
        except ValueError as exc:
            raise ValueError(
                f"{name} could not be read as an array: {exc}. Pass an array of shape "
                "(n_samples, n_timesteps) or (n_samples, n_timesteps, n_features), or a list of "
                "(n_timesteps_i, n_features) arrays."
            ) from exc
    return int(ndim)


def _pad_list(X: list, name: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate a list of sequences and stack them, zero-padded, as (n, max T_i, F)."""
    seqs = []
    for i, x in enumerate(X):
        if isinstance(x, (str, bytes)):
            raise TypeError(f"{name}[{i}] is a {type(x).__name__}; sequences must be arrays of numbers.")
        x = check_array(
            x, dtype=_FLOAT_DTYPES, ensure_2d=False, allow_nd=True, ensure_min_samples=0, input_name=f"{name}[{i}]"
        )
        if x.ndim not in (1, 2):
            raise ValueError(
                f"{name}[{i}] has {x.ndim} dimensions; each sequence of a list must be 1-D (n_timesteps,) "
                "or 2-D (n_timesteps, n_features)."
            )
        if x.shape[0] == 0:
            raise ValueError(f"{name}[{i}] has 0 timesteps: every sequence needs at least one timestep.")
        seqs.append(x if x.ndim == 2 else x[:, np.newaxis])
    element_ndims = {np.ndim(x) for x in X}
    widths = {s.shape[1] for s in seqs}
    if len(widths) > 1:
        raise ValueError(f"The sequences in {name} have different numbers of features: {sorted(widths)}.")
    if len(element_ndims) > 1:
        raise ValueError(
            f"The sequences in {name} mix 1-D (n_timesteps,) and 2-D (n_timesteps, n_features) arrays; "
            "give them all the same number of dimensions."
        )
    dtype = np.float32 if all(s.dtype == np.float32 for s in seqs) else np.float64
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    values = np.zeros((len(seqs), lengths.max(), seqs[0].shape[1]), dtype=dtype)
    for i, s in enumerate(seqs):
        values[i, : len(s)] = s
    return values, lengths, element_ndims.pop() + 1


def _nan_padding_lengths(values: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Lengths of NaN-padded sequences (n, T, F); raises for NaN anywhere but trailing all-NaN steps.

    Returns the values with the padding set to zero (a copy when there was padding) and the lengths.
    """
    nan = np.isnan(values)
    if not nan.any():
        return values, np.full(values.shape[0], values.shape[1], dtype=np.int64)
    step_is_nan = nan.all(axis=2)
    # a sequence's length is one past its last step holding any real number
    has_real = ~step_is_nan
    lengths = np.where(has_real.any(axis=1), values.shape[1] - np.argmax(has_real[:, ::-1], axis=1), 0)
    inside = nan & step_mask(lengths, values.shape[1])[:, :, np.newaxis]
    if inside.any():
        i, t, _ = np.argwhere(inside)[0]
        raise ValueError(
            f"{name} contains NaN inside sequence {i} (timestep {t}). NaN is only accepted as padding: "
            "whole timesteps of NaN at the end of a sequence."
        )
    if (lengths == 0).any():
        raise ValueError(f"{name} contains a sequence that is all NaN (sequence {np.argmin(lengths)}): "
                         "every sequence needs at least one real timestep.")
    values = np.where(nan, 0.0, values).astype(values.dtype, copy=False)
    return values, lengths.astype(np.int64)


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _check_float32_range(values: np.ndarray, name: str) -> None:
    """The model computes in float32: refuse values it would turn into infinity."""
    if not values.size or values.dtype == np.float32:
        return
    largest = max(float(values.max()), -float(values.min()))  # no temporary copy of the data
    if largest > _FLOAT32_MAX:
        raise ValueError(
            f"{name} holds values beyond float32's range (largest magnitude {largest:.3g}, "
            f"float32 goes up to {_FLOAT32_MAX:.3g}); the model computes in float32. Rescale the data."
        )


def _read(X: Any, name: str, estimator: Any = None, validate_columns: bool | None = None) -> Sequences:
    """Read any accepted form of sequences (see the module docstring) into :class:`Sequences`.

    ``validate_columns``: None for plain reading; True/False to run scikit-learn's ``validate_data``
    on 2-D input with ``reset`` equal to that value (feature names and column counts).
    """
    if _is_list_of_sequences(X):
        values, lengths, ndim = _pad_list(list(X), name)
        _check_float32_range(values, name)
        return Sequences(values=values, lengths=lengths, ndim=ndim, is_list=True)
    ndim = _input_ndim(X, name)
    kwargs = dict(dtype=_FLOAT_DTYPES, ensure_all_finite="allow-nan", estimator=estimator)
    if ndim == 2 and validate_columns is not None:
        values = validate_data(estimator, X, reset=validate_columns, **kwargs)[:, :, np.newaxis]
    elif ndim == 2:
        values = check_array(X, input_name=name, **kwargs)[:, :, np.newaxis]
    elif ndim == 3:
        values = check_array(X, allow_nd=True, input_name=name, **kwargs)
        if values.shape[1] == 0 or values.shape[2] == 0:
            raise ValueError(
                f"{name} has shape {values.shape}: sequences need at least one timestep and one feature."
            )
    else:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_timesteps) for univariate sequences or 3-D "
            f"(n_samples, n_timesteps, n_features), or a list of (n_timesteps_i, n_features) arrays; got an "
            f"array with {ndim} dimension(s). Reshape your data, e.g. with X.reshape(1, -1) for a single "
            "univariate sequence."
        )
    values, lengths = _nan_padding_lengths(values, name)
    _check_float32_range(values, name)
    return Sequences(values=values, lengths=lengths, ndim=ndim)


def input_layout(seqs: Sequences) -> tuple[int, int]:
    """What later calls must match: 2 for a 2-D array (its columns are timesteps) or 3, and the number of
    features per timestep."""
    return (2 if (seqs.ndim == 2 and not seqs.is_list) else 3), seqs.values.shape[2]


def check_sequences(
    estimator: Any, X: Any, *, reset: bool, fitted: tuple[int, int] | None = None, name: str = "X"
) -> Sequences:
    """Validate input sequences and convert them to the internal layout.

    Parameters
    ----------
    estimator : estimator instance
        The estimator the data is for; ``n_features_in_`` (and ``feature_names_in_`` for DataFrames)
        are set on it when ``reset`` is true and checked against it otherwise.
    X : array-like or list of array-like
        The sequences, in any form listed in this module's docstring.
    reset : bool
        Whether this is a call to ``fit`` (learn the input layout) or a later call (check it).
    fitted : (int, int), optional
        For ``reset=False``: the :func:`input_layout` of the data seen in ``fit``.
    name : str, default="X"
        The name used in error messages.

    Returns
    -------
    Sequences
        The validated sequences, float32 when given float32 and float64 otherwise.
    """
    fitted_2d = not reset and fitted is not None and fitted[0] == 2
    seqs = _read(X, name, estimator, validate_columns=reset if (reset or fitted_2d) else None)
    n_channels = seqs.values.shape[2]
    if reset:
        if seqs.ndim != 2 or seqs.is_list:
            estimator.n_features_in_ = n_channels
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
    elif n_channels != fitted[1]:
        raise ValueError(
            f"{name} has {n_channels} features per timestep, but {type(estimator).__name__} is expecting "
            f"{fitted[1]} features per timestep as input."
        )
    return seqs


def check_target_sequences(y: Any, n_samples: int, *, name: str = "y") -> Sequences:
    """Validate a target given as numbers, vectors or sequences, and return it as (n, H, F_out).

    A target of shape ``(n,)`` is one step of one feature, ``(n, H)`` is ``H`` steps of one feature and
    ``(n, H, F_out)`` is ``H`` steps of ``F_out`` features; NaN-padded arrays and lists of sequences of
    different lengths are read as in :func:`check_sequences`.
    """
    if not _is_list_of_sequences(y) and _input_ndim(y, name) == 1:
        values = check_array(y, dtype=_FLOAT_DTYPES, ensure_2d=False, input_name=name)
        _check_float32_range(values, name)
        seqs = Sequences(values=values[:, np.newaxis, np.newaxis], lengths=np.ones(len(values), np.int64), ndim=1)
    else:
        seqs = _read(y, name)
    if seqs.n_samples != n_samples:
        raise ValueError(f"X and {name} have inconsistent numbers of samples: {n_samples} and {seqs.n_samples}.")
    return seqs


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
