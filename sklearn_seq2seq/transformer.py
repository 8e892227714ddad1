"""``Seq2SeqTransformer``: sequences in, fixed-length encodings out (and sequences decoded back)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import BaseSeq2Seq
from ._data import Sequences, _input_ndim, check_target_sequences, step_mask, target_to_user
from ._docstrings import ATTRIBUTES, PARAMETERS


class Seq2SeqTransformer(BaseSeq2Seq):
    __doc__ = f"""Attention encoder-decoder that turns sequences into fixed-length encodings.

    ``fit(X)`` trains an autoencoder that reconstructs ``X`` from its encoding; ``fit(X, Y)`` with
    sequences ``Y`` trains ``X -> Y``. ``transform`` returns the encodings, which any scikit-learn
    estimator can use as features; ``predict`` decodes sequences and ``inverse_transform`` decodes
    encodings.

    A 1-D ``y`` (class labels, as a :class:`~sklearn.pipeline.Pipeline` passes them) is ignored: the
    model is then an autoencoder, like :class:`~sklearn.decomposition.PCA`.

    Parameters
    ----------{PARAMETERS}
    Attributes
    ----------{ATTRIBUTES}
    See Also
    --------
    Seq2SeqRegressor : Supervised model mapping sequences to numbers, vectors or sequences.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq2seq import Seq2SeqTransformer
    >>> X = np.sin(np.linspace(0, 6, 20))[None, :, None] * np.arange(1, 41)[:, None, None] / 40
    >>> model = Seq2SeqTransformer(n_components=4, max_epochs=5, random_state=0).fit(X)
    >>> model.transform(X).shape
    (40, 4)
    >>> model.predict(X).shape
    (40, 20, 1)
    """

    def fit(self, X: Any, y: Any = None) -> Seq2SeqTransformer:
        """Fit the encoder-decoder.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)
            Training sequences; 2-D input is read as univariate sequences.
        y : None, array-like of shape (n_samples,), (n_samples, n_steps) or (n_samples, n_steps, n_out)
            None or 1-D (ignored): train an autoencoder that reconstructs ``X``. 2-D or 3-D: target
            sequences; train ``X -> y``.

        Returns
        -------
        self : Seq2SeqTransformer
            The fitted estimator.
        """
        if y is None or _input_ndim(y, "y") == 1:
            return self._fit(X, None, targets_from="X")
        return self._fit(X, y, targets_from="y")

    def _check_y(self, y: Any, n_samples: int) -> Sequences:
        return check_target_sequences(y, n_samples)

    def predict(self, X: Any) -> np.ndarray:
        """Decode sequences from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)
            Input sequences.

        Returns
        -------
        ndarray
            Autoencoder: the reconstructions, in the shape of ``X``. Sequence-to-sequence: the predicted
            target sequences, in the shape of the ``y`` seen in ``fit``. Float32 for float32 input,
            float64 otherwise.
        """
        seqs = self._check_X(X)
        if self._targets_from == "X":
            return seqs.to_user(self._generate(seqs, seqs.values.shape[1]))
        return target_to_user(self._generate(seqs, self._n_target_steps), self._target_ndim)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Decode sequences from encodings.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Encodings, as returned by ``transform``.

        Returns
        -------
        ndarray
            Decoded sequences with the number of steps seen in ``fit``, in the layout of the data that
            was reconstructed (``X`` for an autoencoder, ``y`` otherwise).
        """
        Z = self._check_codes(X)
        values = self._decode_codes(Z, self._n_target_steps)
        if self._targets_from == "X":
            return values[:, :, 0] if self._fit_ndim == 2 and values.shape[2] == 1 else values
        return target_to_user(values, self._target_ndim)

    def score(self, X: Any, y: Any = None) -> float:
        """Negative mean squared error of the decoded sequences (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)
            Input sequences.
        y : None or array-like, default=None
            Autoencoder (or a 1-D ``y``): the error is that of reconstructing ``X``. Sequence targets:
            the error of predicting ``y``.

        Returns
        -------
        float
            ``-MSE`` over all real timesteps and features, in the data's units.
        """
        check_is_fitted(self)
        if self._targets_from == "X" or y is None or _input_ndim(y, "y") == 1:
            seqs = self._check_X(X)
            truth = seqs
            predicted = self._generate(seqs, seqs.values.shape[1])
        else:
            seqs = self._check_X(X)
            truth = check_target_sequences(y, seqs.n_samples)
            predicted = self._generate(seqs, truth.values.shape[1])
        mask = step_mask(truth.lengths, truth.values.shape[1])
        return -float(np.mean((predicted[mask].astype(np.float64) - truth.values[mask]) ** 2))
