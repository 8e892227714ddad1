"""``SequenceScaler``: per-feature standardisation of sequences over their real timesteps."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import check_is_fitted

from ._data import check_sequences, feature_stats, input_layout


class SequenceScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardise every feature of a set of sequences over all their real (non-padded) timesteps.

    Unlike :class:`~sklearn.preprocessing.StandardScaler`, which scales each column of a table, the
    statistics of a feature are shared by all timesteps, and padding (NaN steps at the end, or the
    missing steps of shorter sequences in a list) is ignored. Sequences are returned in the form they
    came in: 3-D arrays, 2-D arrays of univariate sequences, NaN-padded arrays or lists of arrays.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract each feature's mean.
    with_std : bool, default=True
        Divide by each feature's standard deviation (1 for constant features).

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Per-feature mean over real timesteps (zeros when ``with_mean=False``).
    scale_ : ndarray of shape (n_features,)
        Per-feature standard deviation (ones when ``with_std=False``).
    n_features_in_ : int
        As for the sequence estimators: columns for 2-D input, features per timestep otherwise.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq2seq import SequenceScaler
    >>> X = [np.array([[1.0], [3.0]]), np.array([[5.0]])]
    >>> [x.ravel().round(3) for x in SequenceScaler().fit_transform(X)]
    [array([-1.225,  0.   ]), array([1.225])]
    """

    def __init__(self, *, with_mean: bool = True, with_std: bool = True) -> None:
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X: Any, y: Any = None) -> SequenceScaler:
        """Learn per-feature mean and scale over the real timesteps of ``X``.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences in any accepted form.
        y : None
            Ignored.

        Returns
        -------
        self : SequenceScaler
            The fitted scaler.
        """
        seqs = check_sequences(self, X, reset=True)
        self._input_layout = input_layout(seqs)
        mean, scale = feature_stats(seqs)
        self.mean_ = mean if self.with_mean else np.zeros_like(mean)
        self.scale_ = scale if self.with_std else np.ones_like(scale)
        return self

    def _apply(self, X: Any, forward: bool) -> Any:
        check_is_fitted(self)
        seqs = check_sequences(self, X, reset=False, fitted=self._input_layout)
        if _get_output_config("transform", self)["dense"] != "default" and (seqs.ndim != 2 or seqs.is_list):
            raise ValueError(
                "set_output(transform='pandas'/'polars') gives a table with one column per timestep, so it "
                "applies to 2-D input (n_samples, n_timesteps) only; this input is "
                f"{'a list of sequences' if seqs.is_list else f'{seqs.ndim}-D'}. Use set_output(transform='default') "
                "for 3-D and list input."
            )
        if forward:
            values = (seqs.values - self.mean_) / self.scale_
        else:
            values = seqs.values * self.scale_ + self.mean_
        return seqs.to_user(values.astype(seqs.values.dtype, copy=False))

    def transform(self, X: Any) -> Any:
        """Standardise sequences.

        Parameters
        ----------
        X : array-like or list of array-like
            Sequences in any accepted form.

        Returns
        -------
        array or list of arrays
            The scaled sequences, in the form of ``X`` and with its float dtype.
        """
        return self._apply(X, forward=True)

    def inverse_transform(self, X: Any) -> Any:
        """Undo the standardisation.

        Parameters
        ----------
        X : array-like or list of array-like
            Scaled sequences in any accepted form.

        Returns
        -------
        array or list of arrays
            The sequences in their original units, in the form of ``X``.
        """
        return self._apply(X, forward=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
