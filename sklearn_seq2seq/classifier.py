"""``Seq2SeqClassifier``: sequences in, class labels out; unlabelled sequences (``-1``) train it too."""

from __future__ import annotations

import dataclasses
from functools import partial
from numbers import Real
from typing import Any

import numpy as np
from scipy.special import log_softmax, softmax
from sklearn.base import ClassifierMixin
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import column_or_1d

from . import _inference as inference
from ._base import BaseSeq2Seq
from ._data import Sequences
from ._docstrings import ATTRIBUTES, INPUTS, PARAMETERS
from ._heads import set_mean_of_heads
from ._layout import (ARCHITECTURE_PARAMS, CLASSIFIER_AUTO_MAX_FRAMES, VIEW_MIN_CROP, FittedLayout, fully_labelled,
                      longest_numeric_steps, module_kwargs, resolve_frame_length, with_fitted_sizes)
from ._tokens import TokenSequences
from ._training import CLASSIFIER_AUTO_STEPS, Seq2SeqNet
from .transformer import Seq2SeqTransformer

#: The label of unlabelled samples (the convention of :mod:`sklearn.semi_supervised`).
UNLABELLED = -1


#: The classifier's own weights, which a pretrained model's do not hold.
_HEADS = ("head.", "bank_head.")


def _logistic_weights(inputs: np.ndarray, labels: np.ndarray, sample_weight: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Weights (n_classes, n_inputs) and intercepts (n_classes,) whose softmax is the ``predict_proba``
    of a logistic regression of ``labels`` on ``inputs``, fitted to convergence: for two classes, a
    first row of zeros beside its one logit (the second class's)."""
    regression = LogisticRegression(max_iter=5000).fit(inputs, labels, sample_weight=sample_weight)
    coef, intercept = regression.coef_, regression.intercept_
    if len(regression.classes_) == 2:
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    return coef, intercept


class _Pretraining(Seq2SeqTransformer):
    """The autoencoder a classifier pretrains: a :class:`Seq2SeqTransformer` whose convolutional front
    end reads the classifier's wider scales (docs/defaults.md), so the classifier starts from its weights,
    and whose recurrent branch trains at the full learning rate, as the classifier's own does (a smaller
    part of that branch in the code cost the classifier's few-labels accuracy: docs/defaults.md),
    whose contrastive views crop as the classifier's do and are drawn fresh at every step (a pool of
    views, as the encodings draw, cost the few-labels classifier), and whose bank does not read the
    series' lengths (they cost the classifier on PLAID) nor coarser windows (measured on the encodings
    only). Beside a kernel bank it trains for as many steps as the encodings (150): as accurate a
    classifier on average as after 300 (docs/defaults.md), without the encodings' bound of 50 epochs
    on small sets (measured on the encodings only)."""

    _wide_front = True
    _recurrent_lr_scale = 1.0
    _bank_view_crop = VIEW_MIN_CROP
    _bank_length = False
    _bank_coarse = False
    _view_pool = 0
    _bank_auto_max_epochs = None


class Seq2SeqClassifier(ClassifierMixin, BaseSeq2Seq):
    __doc__ = f"""Attention encoder-decoder classifier of sequences, which also learns from unlabelled ones.

    The model is an autoencoder of ``X`` (everything the decoder sees passes through the encoding)
    with a linear classification head on the encoding. Every sequence trains the reconstruction (and,
    for numbers where some sequences are unlabelled, the contrastive term, which the pretraining
    always has); labelled sequences also train the head and, through it, the
    encoder, with a cross-entropy weighted by ``label_weight``, and confidently classified unlabelled
    ones train it through pseudo-labels (``pseudo_label_threshold``). ``transform`` returns the encodings the
    head reads; ``predict_proba`` is the head's softmax. With a kernel bank (``kernel_bank``), a second
    linear head reads the bank's features themselves, and the logits are the mean of the two heads'
    (both are fitted as logistic regressions after training; see the user guide on classification).

    **Few labels.** As in :mod:`sklearn.semi_supervised`, a label of ``-1`` marks an unlabelled
    sample: it trains the reconstruction only. Give every sequence you have, labelled or not; only the
    labelled ones' classes make ``classes_``. Only where the other labels are a single class is ``-1``
    a class itself (binary labels ``{{-1, 1}}``, as some scikit-learn tools use them); labels ``{{-1,
    0, 1}}`` are two classes and unlabelled samples, so give three classes other labels. Among string
    labels, the number ``-1`` in an object array marks unlabelled samples.

    **Pretraining.** Unless ``pretrained`` names a model (``pretrain="auto"``), ``fit`` first trains a
    :class:`Seq2SeqTransformer` of the same parameters on every sequence, labelled or not, as
    ``fit(X)`` would (except that a convolutional front end reads a third, wider scale, as the
    classifier's own does), and starts the classifier from it: the encodings it learns without labels are a
    better start than random weights, with few labels or all of them (docs/defaults.md), at the cost
    of a longer fit (2-3x before the kernel bank); ``pretrain=False`` skips it.
    :meth:`pretrain_autoencoder` trains that autoencoder alone, to start several classifiers from one
    pretraining.

    **Pretrained encoders.** ``pretrained`` starts the classifier from a fitted autoencoder (a
    :class:`Seq2SeqTransformer` fitted with ``fit(X)``, for example once on a large unlabelled
    collection) and fine-tunes all of it on ``fit``'s data. Wrap the model in
    :class:`sklearn.frozen.FrozenEstimator` to use the classifier in :func:`~sklearn.base.clone`,
    :class:`~sklearn.model_selection.GridSearchCV` or a :class:`~sklearn.pipeline.Pipeline` that is
    cloned: ``clone`` keeps a frozen model as it is, fitted, where it would otherwise copy it unfitted.
    The pretrained model is never changed: its weights are copied.

    **Input forms.**{INPUTS}
    Parameters
    ----------{PARAMETERS}
    label_weight : float, default=1.0
        Weight of the classification loss on labelled sequences beside the reconstruction loss (weight
        1) and the contrastive term (weight ``contrastive``). How the default was chosen:
        ``docs/defaults.md``.
    pseudo_label_threshold : float or None, default=0.8
        In training, a random view of each sequence (a crop of half to all of its steps, each feature
        rescaled by about 30% and with noise of 0.3 of its scale: stronger views than a
        ``Seq2SeqTransformer``'s contrastive term draws, since a class should not depend on them) is
        also classified: toward its label, and for an unlabelled sequence toward
        the class the model gives the sequence itself when that class's probability reaches this
        threshold (pseudo-labels, as in FixMatch). This term has the weight ``label_weight``. None
        switches it off. How the default was chosen: ``docs/defaults.md``.
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the classification loss, as in
        :class:`~sklearn.linear_model.LogisticRegression`: a dict ``{{class: weight}}`` (classes not
        named weigh 1), ``"balanced"`` (inversely proportional to the classes' frequencies among the
        labelled sequences), or None (all 1).
    pretrain : "auto" or bool, default="auto"
        Whether ``fit`` first trains a :class:`Seq2SeqTransformer` with this classifier's parameters
        (``max_epochs`` epochs, or with ``"auto"`` the transformer's own number) on every sequence
        and starts the classifier from it, as ``pretrained`` would: ``"auto"`` does unless
        ``pretrained`` names a model to start from. A fit that continues from fitted weights
        (``warm_start``, ``partial_fit``) never pretrains. True needs ``pretrained=None``. How the
        default was chosen: ``docs/defaults.md``.
    pretrained : Seq2SeqTransformer, Seq2SeqClassifier, FrozenEstimator of one, or None, default=None
        A fitted autoencoder of this package to start from. Its parameters that shape the model or
        read the data ({", ".join(f"``{name}``" for name in ARCHITECTURE_PARAMS)}) and
        what it learned about its data (scaling, frames, vocabulary) are used, and the classifier's
        own values of those are not; the training parameters (``label_weight``, ``contrastive``,
        ``input_noise``, ``lr``, ``max_epochs``, ...) are the classifier's.

    Attributes
    ----------{ATTRIBUTES}
    classes_ : ndarray of shape (n_classes,)
        The class labels (without ``-1``, which marks unlabelled samples).

    See Also
    --------
    Seq2SeqTransformer : Unsupervised encodings, and a model to pretrain on unlabelled sequences.
    sklearn.semi_supervised.SelfTrainingClassifier : Wraps any classifier for few labels.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq2seq import Seq2SeqClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 12, 2))
    >>> y = np.where(X[:, :, 0].mean(axis=1) > 0, "up", "down")
    >>> y = y.astype(object)
    >>> y[30:] = -1                                   # only the first 30 are labelled
    >>> model = Seq2SeqClassifier(max_epochs=5, random_state=0).fit(X, y)
    >>> model.classes_
    array(['down', 'up'], dtype=object)
    >>> model.predict_proba(X[:2]).shape
    (2, 2)
    """

    _auto_steps = CLASSIFIER_AUTO_STEPS
    _auto_max_frames = CLASSIFIER_AUTO_MAX_FRAMES
    _wide_front = True

    _parameter_constraints: dict = {
        **BaseSeq2Seq._parameter_constraints,
        "label_weight": [Interval(Real, 0, None, closed="left")],
        "pseudo_label_threshold": [Interval(Real, 0, 1, closed="both"), None],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "pretrain": ["boolean", StrOptions({"auto"})],
        "pretrained": [HasMethods(["transform"]), None],
    }

    def __init__(
        self,
        n_components: int = 32,
        *,
        hidden_size: int = 64,
        cell: str = "gru",
        encoder: str = "auto",
        kernel_bank: bool | str = "auto",
        frame_length: int | str = "auto",
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.0,
        readout: str = "auto",
        n_slots: int = 8,
        attention: str = "general",
        attend_over: str = "code",
        decoder_input: str = "auto",
        teacher_forcing: float | tuple[float, float] = 1.0,
        reverse_target: bool = False,
        input_noise: float = 0.0,
        contrastive: float | str = "auto",
        standardize: bool | str = "per_sequence",
        max_epochs: int | str = "auto",
        batch_size: int = 32,
        group_by_length: bool = False,
        lr: float = 3e-3,
        optimizer: str | type = "adam",
        weight_decay: float = 0.0,
        clip_grad_norm: float | None = 1.0,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        callbacks: list | None = None,
        device: str = "auto",
        n_threads: int | None = 1,
        verbose: int = 0,
        random_state: int | np.random.RandomState | None = None,
        input_tokens: bool | str = "auto",
        min_frequency: int = 1,
        max_vocabulary_size: int | None = None,
        embedding_dim: int = 32,
        warm_start: bool = False,
        label_weight: float = 1.0,
        pseudo_label_threshold: float | None = 0.8,
        class_weight: dict | str | None = None,
        pretrain: bool | str = "auto",
        pretrained: Any = None,
    ) -> None:
        super().__init__(
            n_components, hidden_size=hidden_size, cell=cell, encoder=encoder, kernel_bank=kernel_bank,
            frame_length=frame_length,
            num_layers=num_layers, bidirectional=bidirectional, dropout=dropout, readout=readout, n_slots=n_slots,
            attention=attention, attend_over=attend_over, decoder_input=decoder_input,
            teacher_forcing=teacher_forcing, reverse_target=reverse_target, input_noise=input_noise,
            contrastive=contrastive, standardize=standardize, max_epochs=max_epochs, batch_size=batch_size,
            group_by_length=group_by_length, lr=lr, optimizer=optimizer, weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm, early_stopping=early_stopping, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, callbacks=callbacks, device=device, n_threads=n_threads,
            verbose=verbose, random_state=random_state, input_tokens=input_tokens, min_frequency=min_frequency,
            max_vocabulary_size=max_vocabulary_size, embedding_dim=embedding_dim, warm_start=warm_start,
        )
        self.label_weight = label_weight
        self.pseudo_label_threshold = pseudo_label_threshold
        self.class_weight = class_weight
        self.pretrain = pretrain
        self.pretrained = pretrained

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        tags.classifier_tags.multi_class = True
        return tags

    @property
    def classes_(self) -> np.ndarray:
        """The class labels, in the order of ``predict_proba``'s columns."""
        return self._fitted_layout("classes_").classes

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Any, y: Any) -> Seq2SeqClassifier:
        """Fit the classifier on sequences ``X`` and their labels ``y`` (``-1``: unlabelled).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features), or list
            Training sequences in any accepted form (see the class's documentation).
        y : array-like of shape (n_samples,)
            Class labels: integers, strings or booleans; ``-1`` marks an unlabelled sequence, which
            trains the reconstruction only.

        Returns
        -------
        self : Seq2SeqClassifier
            The fitted classifier.
        """
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        self._validate_params()
        auto = isinstance(self.pretrain, str)
        if not auto and self.pretrain and self.pretrained is not None:
            raise ValueError("pretrain=True trains a model to start from, and pretrained names one: pass "
                             "pretrain='auto' or False to start from pretrained, or pretrained=None.")
        continuing = self.warm_start and self.__sklearn_is_fitted__()
        if continuing or self.pretrained is not None or not self.pretrain:
            return self._fit(X, y, targets_from="X")
        self._read_labels(y, self._read_input(X), None)  # refuse bad labels before minutes of pretraining
        # read by _pretrained_model during this fit only, as a pretrained model would be
        self._pretraining = self.pretrain_autoencoder(X)
        try:
            return self._fit(X, y, targets_from="X")
        finally:
            del self._pretraining

    def pretrain_autoencoder(self, X: Any) -> Seq2SeqTransformer:
        """Train the autoencoder that ``fit`` pretrains, on ``X``, and return it; this classifier is not changed.

        ``fit`` with ``pretrain`` on (and no ``pretrained`` model) first trains this autoencoder on its
        sequences and starts the classifier from it. Train it once with this method and pass it, wrapped in
        :class:`~sklearn.frozen.FrozenEstimator`, as ``pretrained`` to several classifiers: each then
        skips the pretraining. A classifier of this one's parameters started from it fits as
        ``fit(X, y)`` would have, so several classifiers of different seeds started from one pretraining
        average in a :class:`~sklearn.ensemble.VotingClassifier` at a fraction of the cost of several
        whole fits (``docs/user_guide/classification.md``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features), or list
            Sequences in any accepted form; no labels are needed. Give every sequence the classifiers
            will be fitted on, labelled or not, to get the pretraining ``fit`` would do.

        Returns
        -------
        autoencoder : Seq2SeqTransformer
            The fitted autoencoder: this classifier's parameters shared with
            :class:`Seq2SeqTransformer`, its frame length resolved as this classifier resolves it, and
            a convolutional front end reading the classifier's wider scales.
        """
        self._validate_params()
        shared = Seq2SeqTransformer().get_params(deep=False).keys() & self.get_params(deep=False).keys()
        params = {name: getattr(self, name) for name in shared}
        autoencoder = _Pretraining(**{**params, "warm_start": False, "callbacks": None})
        seqs = autoencoder._read_input(X)  # read by the autoencoder, so that this classifier stays as it is
        # the autoencoder frames the sequences as this classifier would (a classifier's frames are its own:
        # docs/defaults.md), and the classifier starts from its layout
        autoencoder.set_params(frame_length=resolve_frame_length(
            self.frame_length, longest_numeric_steps(seqs, seqs), self._auto_max_frames))
        return autoencoder.fit(X)

    def _read_labels(self, y: Any, seqs: Sequences | TokenSequences,
                     layout: FittedLayout | None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        y = column_or_1d(y, warn=True)
        if len(y) != seqs.n_samples:
            raise ValueError(f"X and y have inconsistent numbers of samples: {seqs.n_samples} and {len(y)}.")
        labelled = self._labelled(y, layout)
        known = y[labelled]
        if not len(known):
            raise ValueError("y has no labelled sequences: every label is -1, which marks unlabelled sequences. "
                             "Label some, or fit a Seq2SeqTransformer to learn from unlabelled sequences alone.")
        kind = type_of_target(known, input_name="y")
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"Unknown label type: {kind!r}. {type(self).__name__} takes one class label per "
                             "sequence (integers, strings or booleans; -1 for unlabelled sequences).")
        if layout is None:
            classes = np.unique(known)
            if len(classes) < 2:
                raise ValueError(
                    f"Classifier can't train when only one class is present: the labelled sequences have "
                    f"{len(classes)} class(es) ({classes.tolist()[:1]}); -1 marks unlabelled sequences, as "
                    "in sklearn.semi_supervised."
                )
        else:
            classes = layout.classes
            unseen = np.setdiff1d(known, classes)
            if len(unseen):
                raise ValueError(f"y holds classes this classifier was not fitted with: {unseen.tolist()[:5]}; "
                                 f"its classes are {classes.tolist()}. Fit afresh to learn new classes.")
        index = np.full(len(y), UNLABELLED, dtype=np.int64)
        index[labelled] = np.searchsorted(classes, known)
        weights = compute_class_weight(self.class_weight, classes=classes, y=known)
        sample_weights = np.where(labelled, weights[np.maximum(index, 0)], 0.0).astype(np.float32)
        return classes, {"labels": index, "label_weights": sample_weights}

    @staticmethod
    def _labelled(y: np.ndarray, layout: FittedLayout | None) -> np.ndarray:
        """Which samples are labelled: all but those labelled ``-1``, unless ``-1`` is a class (the
        fitted classes hold it, or in ``fit`` the other labels are a single class)."""
        if y.dtype.kind in "iuf":
            marked = y == UNLABELLED
        elif y.dtype.kind == "O":
            marked = np.array([not isinstance(v, str) and v == UNLABELLED for v in y], dtype=bool)
        else:
            return np.ones(len(y), dtype=bool)
        if layout is not None:
            minus_one_is_class = layout.classes.dtype.kind in "iuf" and UNLABELLED in layout.classes
        else:
            minus_one_is_class = marked.any() and len(np.unique(y[~marked])) == 1
        return np.ones(len(y), dtype=bool) if minus_one_is_class else ~marked

    def _pretrained_model(self) -> BaseSeq2Seq | None:
        """The fitted autoencoder ``pretrained`` names (unwrapped from a FrozenEstimator), checked."""
        if getattr(self, "_pretraining", None) is not None:
            return self._pretraining
        model = self.pretrained
        if model is None:
            return None
        if isinstance(model, FrozenEstimator):
            model = model.estimator
        if not isinstance(model, BaseSeq2Seq):
            raise TypeError(f"pretrained must be a fitted Seq2SeqTransformer or Seq2SeqClassifier (or a "
                            f"FrozenEstimator of one); got {type(model).__name__}.")
        if not model.__sklearn_is_fitted__():
            raise ValueError(
                "pretrained is not fitted. If it was fitted before, a clone (GridSearchCV, cross_validate "
                "and clone itself copy parameters unfitted) dropped its weights: pass "
                "pretrained=sklearn.frozen.FrozenEstimator(model), which clone keeps as it is."
            )
        if model.layout_.targets_from != "X":
            raise ValueError("pretrained must be an autoencoder (fitted with fit(X)): a classifier reconstructs "
                             "its inputs, and this model was fitted to decode a separate y.")
        return model

    def _fit_params(self) -> dict:
        params = self.get_params(deep=False)
        model = self._pretrained_model()
        if model is not None:
            params.update({name: getattr(model, name) for name in ARCHITECTURE_PARAMS})
            params["encoder"] = model.encoder_  # "auto" resolves otherwise for classifiers
        return params

    def _read_fit_input(self, X: Any) -> Sequences | TokenSequences:
        model = self._pretrained_model()
        if model is None:
            return self._read_input(X)
        for attribute in ("n_features_in_", "feature_names_in_"):
            self.__dict__.pop(attribute, None)
            if hasattr(model, attribute):
                setattr(self, attribute, getattr(model, attribute))
        return self._read_input(X, model.layout_)

    def _learn_layout(self, seqs: Sequences | TokenSequences, targets: Sequences | TokenSequences,
                      targets_from: str, params: dict, *, seed: int, classes: np.ndarray | None,
                      labels: dict[str, np.ndarray]) -> FittedLayout:
        model = self._pretrained_model()
        if model is None:
            return super()._learn_layout(seqs, targets, targets_from, params, seed=seed, classes=classes,
                                         labels=labels)
        layout = dataclasses.replace(model.layout_, n_fit_samples=seqs.n_samples, seed=seed, classes=classes)
        frame_length = model.layout_.module_kwargs.get("frame_length", 1)
        kwargs = with_fitted_sizes(module_kwargs(layout, params, frame_length, all_labelled=fully_labelled(labels)),
                                   model.layout_.module_kwargs)
        return dataclasses.replace(layout, module_kwargs=kwargs)

    def _start_from(self, net: Seq2SeqNet) -> bool:
        model = self._pretrained_model()
        if model is None:
            return False
        weights = {name: value for name, value in model.net_.module_.state_dict().items()
                   if not name.startswith(_HEADS)}
        missing, unexpected = net.module_.load_state_dict(weights, strict=False)
        if unexpected or not all(name.startswith(_HEADS) for name in missing):
            raise ValueError(f"pretrained's weights do not fit the classifier's model (missing: {missing[:3]}, "
                             f"unexpected: {unexpected[:3]}).")
        return True

    def _train(self, net: Seq2SeqNet, data: dict, *, epochs: int, seed: int) -> dict:
        """Train as every estimator does, then fit the head's final weights (:meth:`_refit_head`)."""
        data = super()._train(net, data, epochs=epochs, seed=seed)
        self._refit_head(data)
        return data

    def _refit_head(self, data: dict) -> None:
        """Set the head to logistic regressions fitted to convergence on what it reads.

        Gradient steps shared with the reconstruction leave the head short of the best linear
        classifier of the encodings (docs/defaults.md). A logistic regression is fitted on the
        standardised encodings of the labelled sequences (weighted by their class weights) and, with
        ``pseudo_label_threshold``, of the unlabelled ones whose class the trained head gives with at
        least that probability (weight 1). With a kernel bank, a second one is fitted on the bank's
        features of the labelled sequences alone (fitted on the code's pseudo-labels, it would repeat
        their mistakes), and the logits are the mean of the two models' (the normalised geometric
        mean of their probabilities: each expert reads what the other misses, docs/defaults.md). The
        standardisations are folded into the heads' weights.
        """
        module = self.net_.module_
        bank_features = data.get("bank_features")  # as computed once for training, if they were
        if bank_features is None:  # one pass for both uses
            bank_features = inference.bank_features(self.net_, data["x"], data["lengths"])
        codes, logits = inference.classify(self.net_, data["x"], data["lengths"], bank_features)
        labels, weights = data["labels"], data["label_weights"].astype(np.float64)
        labelled = labels >= 0
        if len(np.unique(labels[labelled])) < len(self.classes_):  # a continuation on data without some classes
            return
        use = labelled
        if self.pseudo_label_threshold is not None and not labelled.all():
            proba = softmax(logits.astype(np.float64), axis=1)
            confident = ~labelled & (proba.max(axis=1) >= self.pseudo_label_threshold)
            labels = np.where(confident, proba.argmax(axis=1), labels)
            weights = np.where(confident, 1.0, weights)
            use = labelled | confident
        fits = [(module.head, codes[use], partial(_logistic_weights, labels=labels[use], sample_weight=weights[use]))]
        if module.bank_head is not None:
            fits.append((module.bank_head, bank_features[labelled],
                         partial(_logistic_weights, labels=labels[labelled], sample_weight=weights[labelled])))
        set_mean_of_heads(fits)

    # ------------------------------------------------------------------ inference
    def decision_function(self, X: Any) -> np.ndarray:
        """The head's logits (for two classes, the second class's logit minus the first's).

        Parameters
        ----------
        X : array-like or list of array-like, or token sequences
            Input sequences.

        Returns
        -------
        ndarray of shape (n_samples, n_classes), or (n_samples,) for two classes
            Scores; the largest (or, for two classes, a positive one) names the predicted class.
        """
        logits = self._logits(self._check_X(X))
        return logits[:, 1] - logits[:, 0] if logits.shape[1] == 2 else logits

    def _logits(self, seqs: Sequences | TokenSequences) -> np.ndarray:
        return inference.classify(self.net_, seqs.values, seqs.lengths)[1].astype(np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (the softmax of the head's logits).

        Parameters
        ----------
        X : array-like or list of array-like, or token sequences
            Input sequences.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        return softmax(self._logits(self._check_X(X)), axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithms of the class probabilities.

        Parameters
        ----------
        X : array-like or list of array-like, or token sequences
            Input sequences.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Log-probabilities, columns in the order of ``classes_``.
        """
        return log_softmax(self._logits(self._check_X(X)), axis=1)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy: the fraction of sequences whose class ``predict`` gives right.

        Parameters
        ----------
        X : array-like or list of array-like, or token sequences
            Input sequences.
        y : array-like of shape (n_samples,)
            Their true classes.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        float
            The (weighted) accuracy of ``self.predict(X)`` against ``y``.
        """
        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))

    def predict(self, X: Any) -> np.ndarray:
        """Predict the class of each sequence.

        Parameters
        ----------
        X : array-like or list of array-like, or token sequences
            Input sequences.

        Returns
        -------
        ndarray of shape (n_samples,)
            Class labels from ``classes_``.
        """
        logits = self._logits(self._check_X(X))
        return self.classes_[np.argmax(logits, axis=1)]
