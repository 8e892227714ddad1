"""``Seq2SeqTransformer``: sequences in, fixed-length encodings out (and sequences decoded back)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import BaseSeq2Seq
from ._data import check_target_sequences, is_label_vector, step_mask, to_user
from ._docstrings import ATTRIBUTES, INPUTS, PARAMETERS


class Seq2SeqTransformer(BaseSeq2Seq):
    __doc__ = f"""Attention encoder-decoder that turns sequences into fixed-length encodings.

    ``fit(X)`` trains an autoencoder that reconstructs ``X`` from its encoding; ``fit(X, Y)`` with
    sequences ``Y`` trains ``X -> Y``. ``transform`` returns the encodings, which any scikit-learn
    estimator can use as features; ``predict`` decodes sequences and ``inverse_transform`` decodes
    encodings.

    A 1-D ``y`` (class labels, as a :class:`~sklearn.pipeline.Pipeline` passes them) is ignored: the
    model is then an autoencoder, like :class:`~sklearn.decomposition.PCA`.

    **Input forms.**{INPUTS}
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
        if y is None or is_label_vector(y):
            return self._fit(X, None, targets_from="X")
        return self._fit(X, y, targets_from="y")

    def predict(self, X: Any) -> np.ndarray:
        """Decode sequences from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)
            Input sequences.

        Returns
        -------
        ndarray
            Autoencoder: the reconstructions, in the form of ``X`` (a list of arrays with each sequence's
            length for list input, NaN-padded for NaN-padded input). Sequence-to-sequence: the predicted
            target sequences, in the form of the ``y`` seen in ``fit``. Float32 for float32 input,
            float64 otherwise.
        """
        return self._predict_sequences(self._check_X(X))

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
        return to_user(values, np.full(len(Z), self._n_target_steps), *self._target_form)

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
        seqs = self._check_X(X)
        if self._targets_from == "X" or y is None or is_label_vector(y):
            truth = seqs
        else:
            truth = check_target_sequences(y, seqs.n_samples)
        predicted = self._generate(seqs, truth.lengths)
        mask = step_mask(truth.lengths, truth.values.shape[1])
        return -float(np.mean((predicted[mask].astype(np.float64) - truth.values[mask]) ** 2))
