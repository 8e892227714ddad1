"""``Seq2SeqRegressor``: sequences in, numbers, vectors or sequences (forecasts) out."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score

from ._base import BaseSeq2Seq
from ._data import step_mask
from ._docstrings import ATTRIBUTES, INPUTS, PARAMETERS


class Seq2SeqRegressor(RegressorMixin, BaseSeq2Seq):
    _token_targets_hint = "; for token targets use Seq2SeqTransformer"

    __doc__ = f"""Attention encoder-decoder regressor from sequences to numbers, vectors or sequences.

    The target ``y`` may have shape ``(n_samples,)`` (a number), ``(n_samples, n_steps)`` (a vector or
    a univariate multi-step forecast) or ``(n_samples, n_steps, n_outputs)`` (a multivariate sequence);
    the decoder produces ``n_steps`` steps of ``n_outputs`` values and ``predict`` returns the shape
    that was fitted. ``transform`` returns the encodings the decoder works from.

    **Vectors and sequences.** A 2-D ``y`` without NaN is a vector of ``n_steps`` outputs (a forecast
    horizon is one too): standardised (``standardize`` True or ``"per_sequence"``), each column gets its
    own mean and scale, so columns of very different sizes count alike in the loss. A 2-D ``y`` with
    NaN tail padding, or a list of 1-D arrays of different lengths, is a univariate sequence per
    sample; like a 3-D ``y`` (one sequence of ``n_outputs`` features per sample) it gets one mean and
    scale per feature over all real steps. ``score`` and ``partial_fit`` take ``y`` in the form it had
    in ``fit``.

    **One number per sample.** With numeric inputs and a target of one step (``y`` of shape
    ``(n_samples,)``, ``(n_samples, 1)`` or ``(n_samples, 1, n_outputs)``) the decoder trains the
    encodings, and ``predict`` reads them with a ridge regression fitted after training
    (:class:`~sklearn.linear_model.RidgeCV` on the standardised encodings of the training sequences,
    as a classifier refits its head; every ``fit`` and ``partial_fit`` call refits it on its data):
    with the default encoder it was more accurate than the decoder's own output on both regression
    sets of the development suite (figures in ``docs/defaults.md``). For series of at least 9 steps a
    kernel bank also reads them (``kernel_bank="auto"``), and the prediction is the mean of that
    regression and of one on the bank's own features (more accurate on both sets; such a model
    predicts from sequences, so ``inverse_transform`` of a ``Seq2SeqTransformer`` fitted that way is
    refused). ``attention_weights`` still shows the decoder's attention.

    **Input forms.**{INPUTS}
    Parameters
    ----------{PARAMETERS}
    Attributes
    ----------{ATTRIBUTES}
    See Also
    --------
    Seq2SeqTransformer : Unsupervised encodings and sequence-to-sequence decoding.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq2seq import Seq2SeqRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(50, 10, 2))
    >>> y = X[:, :, 0].sum(axis=1)
    >>> model = Seq2SeqRegressor(max_epochs=5, random_state=0).fit(X, y)
    >>> model.predict(X).shape
    (50,)
    """

    def fit(self, X: Any, y: Any = None) -> Seq2SeqRegressor:
        """Fit the model to predict ``y`` from the sequences ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)
            Training sequences; 2-D input is read as univariate sequences.
        y : array-like of shape (n_samples,), (n_samples, n_steps) or (n_samples, n_steps, n_outputs)
            Targets (required: without them ``fit`` raises a ``ValueError`` saying so).

        Returns
        -------
        self : Seq2SeqRegressor
            The fitted estimator.
        """
        return self._fit(X, y, targets_from="y")

    def partial_fit(self, X: Any, y: Any = None) -> Seq2SeqRegressor:
        """Train for one epoch on ``X`` and ``y``, continuing from the current model.

        The first call (or a call on an unfitted model) learns the input layout and the scaling
        statistics from its data and initialises the weights; later calls keep them and continue
        training, so data that arrives in chunks or does not fit in memory can be learned chunk by
        chunk. Chunks must have the layout of the first (features per step, target features).

        Parameters
        ----------
        X : array-like or list of array-like, or token sequences
            A chunk of training sequences.
        y : array-like of shape (n_samples,), (n_samples, n_steps) or (n_samples, n_steps, n_outputs)
            Their targets.

        Returns
        -------
        self : Seq2SeqRegressor
            The estimator, trained one more epoch.
        """
        return self._fit(X, y, targets_from="y", partial=True)

    def predict(self, X: Any) -> np.ndarray:
        """Predict targets for sequences.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)
            Input sequences.

        Returns
        -------
        ndarray of shape (n_samples,), (n_samples, n_steps) or (n_samples, n_steps, n_outputs), or list
            Predictions in the form of the ``y`` seen in ``fit`` (a list of arrays when ``y`` was a list of
            sequences); float32 for float32 input, float64 otherwise.
        """
        return self._predict_sequences(self._check_X(X))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Coefficient of determination R² of the predictions.

        For sequence targets ``(n_samples, n_steps, n_outputs)`` every (step, output) pair is one output
        and the R² values are averaged uniformly, as :func:`~sklearn.metrics.r2_score` does for
        multi-output targets. For sequence targets of different lengths (a list, or NaN padding) every
        real step is one observation of the ``n_outputs`` outputs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)
            Input sequences.
        y : array-like of shape (n_samples,), (n_samples, n_steps) or (n_samples, n_steps, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        float
            R² of ``self.predict(X)`` with respect to ``y``.
        """
        seqs = self._check_X(X)
        truth = self._read_targets(y, seqs, self.layout_)
        predicted = self._generate(seqs, truth.lengths)
        if not truth.padded:
            n = seqs.n_samples
            return float(r2_score(truth.values.reshape(n, -1), predicted.reshape(n, -1), sample_weight=sample_weight))
        mask = step_mask(truth.lengths, truth.values.shape[1])
        weights = None if sample_weight is None else np.broadcast_to(np.asarray(sample_weight)[:, None], mask.shape)[mask]
        return float(r2_score(truth.values[mask], predicted[mask], sample_weight=weights))
