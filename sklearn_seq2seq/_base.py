"""Shared base of the public estimators: parameters, validation, the skorch net, fit/transform plumbing.

The estimators are thin scikit-learn estimators: ``__init__`` stores parameters, ``fit`` validates the
data, builds a :class:`~sklearn_seq2seq._net.Seq2SeqNet` around a
:class:`~sklearn_seq2seq._nn.Seq2SeqModule` and trains it. The fitted net is the ``net_`` attribute.
"""

from __future__ import annotations

import copy
import math
import os
import warnings
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

import joblib
import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted
from skorch.callbacks import Callback, Checkpoint, EarlyStopping, GradientNormClipping, ProgressBar, TrainEndCheckpoint
from skorch.dataset import ValidSplit

from ._data import Sequences, check_sequences, check_target_sequences, feature_stats, to_user
from ._net import (
    ArrayDataset,
    BatchLoader,
    MaskedCrossEntropyLoss,
    MaskedMSELoss,
    Seq2SeqNet,
    TeacherForcingSchedule,
)
from ._nn import Seq2SeqModule
from ._nn.attention import ATTENTION_KINDS
from ._nn.decoder import DECODER_INPUTS
from ._nn.encoder import RNN_CELLS
from ._nn.model import ATTEND_OVER
from ._nn.readout import READOUTS
from ._tokens import END, TokenSequences, Vocabulary, join_tokens, split_tokens, token_form

#: skorch callbacks that write files; each fit gets its own folder for them (see ``_checkpoint_key``).
_CHECKPOINTS = (Checkpoint, TrainEndCheckpoint)

_OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}

#: ``decoder_input="auto"`` feeds previous values (teacher forcing) when the longest target sequence
#: has more than this many steps, positional features otherwise (measured in docs/defaults.md).
AUTO_PREVIOUS_ABOVE_STEPS = 100

#: Inference runs in batches of ``max(batch_size, INFERENCE_BATCH_SIZE)`` sequences, every batch padded to
#: that size. Measured (benchmarks/throughput.py shape, T=50, F=3, 2 cores), transform sequences/s by
#: batch, one batch at a time: 32: 14,113; 64: 18,690; 128: 20,709; 256: 21,567; 512: 19,196; 1024: 17,273;
#: with two batches at a time (one torch thread each): 64: 27,681; 128: 28,216; 192: 28,547; 256: 28,780;
#: 384: 27,003.
INFERENCE_BATCH_SIZE = 256

#: ``max_epochs="auto"`` trains for about this many optimiser steps (measured in docs/defaults.md) ...
AUTO_STEPS = 4000
#: ... but for at least this many and at most this many epochs.
AUTO_EPOCHS_RANGE = (5, 500)


def auto_epochs(n_samples: int, batch_size: int) -> int:
    """Epochs that ``max_epochs="auto"`` trains for on ``n_samples`` sequences."""
    steps_per_epoch = math.ceil(n_samples / batch_size)
    low, high = AUTO_EPOCHS_RANGE
    return int(min(max(math.ceil(AUTO_STEPS / steps_per_epoch), low), high))


@contextmanager
def _unchanged_on_error(estimator: BaseEstimator):
    """Restore the estimator's attributes if the block raises, so a failed call leaves it as it was."""
    state = estimator.__dict__.copy()
    try:
        yield
    except Exception:
        estimator.__dict__.clear()
        estimator.__dict__.update(state)
        raise


def _resolve_device(device: str) -> str:
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested but torch finds no CUDA device; use 'cpu' or 'auto'.")
    return device


def _input_steps(seqs: Sequences | TokenSequences) -> np.ndarray:
    """Real steps of each input sequence: its tokens (without the appended ``END``) or its timesteps."""
    return seqs.lengths - 1 if isinstance(seqs, TokenSequences) else seqs.lengths


def _length_with_end(ids: np.ndarray) -> int:
    """Generated steps up to and including the first ``END`` (all steps when none ended)."""
    ends = np.flatnonzero(ids == END)
    return int(ends[0]) + 1 if len(ends) else len(ids)


def _reverse_steps(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Reverse each sequence's real steps in time (padding stays at the end)."""
    steps = np.arange(values.shape[1])[np.newaxis, :]
    index = np.where(steps < lengths[:, np.newaxis], lengths[:, np.newaxis] - 1 - steps, steps)
    return np.take_along_axis(values, index[:, :, np.newaxis], axis=1)


class BaseSeq2Seq(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Parameters and machinery shared by :class:`Seq2SeqTransformer` and :class:`Seq2SeqRegressor`.

    Both public estimators transform sequences into encodings, so the base is a transformer (which
    also gives them ``fit_transform``, ``get_feature_names_out`` and ``set_output``). See the public
    classes for the parameters' documentation.
    """

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "cell": [StrOptions(set(RNN_CELLS))],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "readout": [StrOptions(set(READOUTS))],
        "n_slots": [Interval(Integral, 1, None, closed="left")],
        "attention": [StrOptions(set(ATTENTION_KINDS) | {"none"})],
        "attend_over": [StrOptions(set(ATTEND_OVER))],
        "decoder_input": [StrOptions(set(DECODER_INPUTS) | {"auto"})],
        "teacher_forcing": [Interval(Real, 0, 1, closed="both"), tuple],
        "reverse_target": ["boolean"],
        "input_noise": [Interval(Real, 0, None, closed="left")],
        "standardize": ["boolean"],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "group_by_length": ["boolean"],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(_OPTIMIZERS)), type],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "callbacks": [list, None],
        "device": [str],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "input_tokens": ["boolean", StrOptions({"auto"})],
        "min_frequency": [Interval(Integral, 1, None, closed="left")],
        "max_vocabulary_size": [Interval(Integral, 1, None, closed="left"), None],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        n_components: int = 32,
        *,
        hidden_size: int = 64,
        cell: str = "gru",
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.0,
        readout: str = "pool",
        n_slots: int = 8,
        attention: str = "general",
        attend_over: str = "code",
        decoder_input: str = "auto",
        teacher_forcing: float | tuple[float, float] = 1.0,
        reverse_target: bool = False,
        input_noise: float = 0.0,
        standardize: bool = True,
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
        verbose: int = 0,
        random_state: int | np.random.RandomState | None = None,
        input_tokens: bool | str = "auto",
        min_frequency: int = 1,
        max_vocabulary_size: int | None = None,
        embedding_dim: int = 32,
        warm_start: bool = False,
    ) -> None:
        self.n_components = n_components
        self.hidden_size = hidden_size
        self.cell = cell
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.readout = readout
        self.n_slots = n_slots
        self.attention = attention
        self.attend_over = attend_over
        self.decoder_input = decoder_input
        self.teacher_forcing = teacher_forcing
        self.reverse_target = reverse_target
        self.input_noise = input_noise
        self.standardize = standardize
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.group_by_length = group_by_length
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.clip_grad_norm = clip_grad_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.callbacks = callbacks
        self.device = device
        self.verbose = verbose
        self.random_state = random_state
        self.input_tokens = input_tokens
        self.min_frequency = min_frequency
        self.max_vocabulary_size = max_vocabulary_size
        self.embedding_dim = embedding_dim
        self.warm_start = warm_start

    # ------------------------------------------------------------------ tags and fitted state
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "net_")

    @property
    def _n_features_out(self) -> int:
        return self.n_components

    # ------------------------------------------------------------------ reading inputs and targets
    #: Added to the error for token targets given to an estimator that does not take them.
    _token_targets_hint = ""

    def _token_setting(self, name: str) -> bool | str:
        """Whether ``X`` (``name="X"``) or ``y`` are read as tokens: True, False or "auto" (strings only)."""
        return self.input_tokens if name == "X" else False

    def _token_form(self, data: Any, name: str) -> str | None:
        """The token form of ``data`` under the estimator's setting, or None for numbers."""
        setting = self._token_setting(name)
        detected = token_form(data)
        if setting is False:
            if detected is not None:
                what = "input_tokens=False" if name == "X" else "a target of numbers"
                hint = self._token_targets_hint if name == "y" else ""
                raise TypeError(
                    f"{name} holds strings, but {type(self).__name__} expects numbers here ({what}){hint}."
                )
            return None
        if setting == "auto":
            return detected
        return detected or "ids"

    def _read_input(self, X: Any, *, reset: bool) -> Sequences | TokenSequences:
        """Validate ``X``; in ``fit`` (``reset``) also learn its layout, or its vocabulary for tokens."""
        if reset:
            form = self._token_form(X, "X")
            self._input_form = form
            if form is None:
                self.__dict__.pop("vocabulary_", None)
                return check_sequences(self, X, reset=True)
            tokens = split_tokens(X, form, "X")
            self.vocabulary_ = Vocabulary.learn(tokens, form, self.min_frequency, self.max_vocabulary_size)
            for attribute in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(attribute, None)
            return self._token_sequences(tokens, self.vocabulary_)
        form = self._input_form
        if form is None:
            if token_form(X) is not None:
                raise TypeError(
                    f"X holds strings, but this {type(self).__name__} was fitted on sequences of numbers."
                )
            return check_sequences(self, X, reset=False)
        try:
            tokens = split_tokens(X, form, "X")
        except TypeError as exc:
            raise TypeError(f"{exc} This {type(self).__name__} was fitted on token sequences ({form!r}).") from None
        return self._token_sequences(tokens, self.vocabulary_)

    @staticmethod
    def _token_sequences(tokens: list, vocabulary: Vocabulary) -> TokenSequences:
        ids, lengths = vocabulary.encode(tokens)
        return TokenSequences(values=ids, lengths=lengths, tokens=tokens)

    def _read_targets(self, y: Any, seqs: Sequences | TokenSequences, *, reset: bool) -> Sequences | TokenSequences:
        """Validate a target ``y``; for token targets learn their vocabulary (``target_vocabulary_``) when
        ``reset``, else read them with the fitted one."""
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        form = self._token_form(y, "y") if reset else getattr(self.__dict__.get("target_vocabulary_"), "form", None)
        if form is None:
            if not reset and token_form(y) is not None:
                raise TypeError(f"y holds strings, but this {type(self).__name__} was fitted on numeric targets.")
            targets = check_target_sequences(y, seqs.n_samples)
            if not reset and targets.values.shape[2] != self._n_outputs:
                raise ValueError(
                    f"y has {targets.values.shape[2]} features per step, but this {type(self).__name__} was "
                    f"fitted on targets with {self._n_outputs}."
                )
            return targets
        tokens = split_tokens(y, form, "y")
        if len(tokens) != seqs.n_samples:
            raise ValueError(f"X and y have inconsistent numbers of samples: {seqs.n_samples} and {len(tokens)}.")
        if reset:
            self.target_vocabulary_ = Vocabulary.learn(tokens, form, self.min_frequency, self.max_vocabulary_size)
        return self._token_sequences(tokens, self.target_vocabulary_)

    @staticmethod
    def _model_input(seqs: Sequences | TokenSequences) -> np.ndarray:
        """What the net reads: token ids, or the values as given (no copy). The module standardises
        values batch by batch (its ``x_mean``/``x_scale`` buffers), so no scaled copy of the whole data
        is ever made."""
        return seqs.values

    def _unscale_y(self, values: np.ndarray, dtype: np.dtype) -> np.ndarray:
        return (values * self._y_scale + self._y_mean).astype(dtype, copy=False)

    @property
    def _target_tokens(self) -> bool:
        """Whether the fitted model generates tokens."""
        return hasattr(self, "target_vocabulary_")

    # ------------------------------------------------------------------ fitting
    def _fit(self, X: Any, y: Any, targets_from: str, *, partial: bool = False) -> BaseSeq2Seq:
        """Validate, build the net and train it, or continue training the fitted one.

        ``targets_from`` is ``"X"`` (autoencoder: reconstruct the input) or ``"y"`` (``y`` is given as
        numbers, vectors, sequences or token sequences). Training continues from the fitted weights,
        scaling and vocabularies for ``partial=True`` (one epoch) and for ``fit`` with ``warm_start``
        (``max_epochs`` epochs); otherwise everything is learned afresh.
        """
        with _unchanged_on_error(self):
            self._validate_params()
            if (partial or self.warm_start) and self.__sklearn_is_fitted__():
                return self._continue(X, y, targets_from, epochs=1 if partial else None)
            seqs = self._read_input(X, reset=True)
            targets = seqs if targets_from == "X" else self._read_targets(y, seqs, reset=True)
            if targets_from == "X" and self.attend_over == "encoder":
                raise ValueError(
                    "attend_over='encoder' lets the decoder read every input step and bypass the encoding, "
                    "so it is only allowed when fitting with a target y. Use attend_over='code' for an "
                    "autoencoder."
                )
            device = _resolve_device(self.device)
            self._targets_from = targets_from
            self._n_target_steps = targets.values.shape[1]
            if isinstance(targets, TokenSequences):
                module_outputs = self._learn_token_targets(targets)
            else:
                module_outputs = self._learn_numeric_targets(targets, seqs)
            if isinstance(seqs, Sequences):
                self._x_mean, self._x_scale = feature_stats(seqs) if self.standardize else self._identity_stats(seqs)
            self._seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            self._module_kwargs = self._build_module_kwargs(seqs, module_outputs)
            self._n_fit_samples = seqs.n_samples
            data = self._training_data(seqs, targets)
            net = self._make_net(seqs.n_samples, device, self._seed, self._checkpoint_key(data))
            max_epochs = 1 if partial else net.max_epochs
            self._train(net, data, epochs=max_epochs, seed=self._seed, first=True)
        return self

    def _continue(self, X: Any, y: Any, targets_from: str, epochs: int | None) -> BaseSeq2Seq:
        """Train the fitted model further on ``X`` (and ``y``), read with the fitted layout."""
        seqs = self._read_input(X, reset=False)
        if targets_from != self._targets_from:
            fitted = "an autoencoder (no y)" if self._targets_from == "X" else "with a target y"
            raise ValueError(
                f"This {type(self).__name__} was fitted {fitted}; training can only continue the same way. "
                "Set warm_start=False (or clone the estimator) to fit afresh."
            )
        targets = seqs if targets_from == "X" else self._read_targets(y, seqs, reset=False)
        if epochs is None:
            epochs = self._n_epochs(seqs.n_samples)
        net = copy.deepcopy(self.net_)  # a failure leaves the fitted model as it was
        self._train(net, self._training_data(seqs, targets), epochs=epochs, seed=self._seed + self.n_iter_, first=False)
        return self

    def _n_epochs(self, n_samples: int) -> int:
        """Epochs a fit (or a warm-started continuation) on ``n_samples`` sequences trains for."""
        return auto_epochs(n_samples, self.batch_size) if self.max_epochs == "auto" else self.max_epochs

    def _checkpoint_key(self, data: dict) -> str | None:
        """A folder name for this fit's checkpoint files: the same for the same estimator parameters and
        training data (so a fit can resume from its own checkpoint, with skorch's ``LoadInitState``), and
        different for fits that differ in either (so parallel fits, e.g. in a grid search, never write
        to the same files). None when no ``Checkpoint`` callback is given."""
        if not any(isinstance(cb[1] if isinstance(cb, tuple) else cb, _CHECKPOINTS)
                   for cb in self.callbacks or []):
            return None
        params = {k: v for k, v in self.get_params(deep=False).items() if k not in ("callbacks", "verbose", "device")}
        return f"{type(self).__name__}-{joblib.hash((repr(sorted(params.items())), data))[:16]}"

    def _train(self, net: Seq2SeqNet, data: dict, *, epochs: int, seed: int, first: bool) -> None:
        """Train ``net`` for ``epochs`` epochs (seeded, the caller's RNG untouched) and keep it."""
        device = str(net.device)
        fork_devices = [torch.device(device).index or 0] if device.startswith("cuda") else []
        with torch.random.fork_rng(devices=fork_devices):
            torch.manual_seed(seed % np.iinfo(np.int32).max)
            if first:
                net.initialize()
            net.partial_fit(data, data["target"], epochs=epochs)
        self.net_ = net
        self.history_ = net.history
        self.n_iter_ = sum("train_loss" in epoch for epoch in net.history)  # completed epochs
        if getattr(net, "interrupted_", False):
            warnings.warn(
                f"Training was interrupted (KeyboardInterrupt) after {self.n_iter_} complete epoch(s); "
                "the model keeps the weights reached so far and its history.",
                UserWarning,
                stacklevel=4,
            )
        self._check_finite_loss()

    def _training_data(self, seqs: Sequences | TokenSequences, targets: Sequences | TokenSequences) -> dict:
        """The dict of arrays skorch trains on (see :class:`Seq2SeqNet`)."""
        if isinstance(targets, TokenSequences):
            target = targets.values
            if self.reverse_target:
                target, _ = self.target_vocabulary_.encode([seq[::-1] for seq in targets.tokens])
        else:
            target = ((targets.values - self._y_mean) / self._y_scale).astype(np.float32)
            if self.reverse_target:
                target = _reverse_steps(target, targets.lengths)
        return {"x": self._model_input(seqs), "lengths": seqs.lengths, "target": target,
                "target_lengths": targets.lengths}

    @staticmethod
    def _identity_stats(seqs: Sequences) -> tuple[np.ndarray, np.ndarray]:
        n_features = seqs.values.shape[2]
        return np.zeros(n_features), np.ones(n_features)

    def _learn_numeric_targets(self, targets: Sequences, seqs: Sequences | TokenSequences) -> dict:
        """Learn the target scaling and decoder input; return the module's output arguments."""
        self.__dict__.pop("target_vocabulary_", None)
        self._y_mean, self._y_scale = feature_stats(targets) if self.standardize else self._identity_stats(targets)
        if self.decoder_input == "auto":
            long_targets = targets.values.shape[1] > AUTO_PREVIOUS_ABOVE_STEPS
            self.decoder_input_ = "previous" if long_targets else "position"
        else:
            self.decoder_input_ = self.decoder_input
        self._target_form = (targets.ndim, targets.is_list)
        self._n_outputs = targets.values.shape[2]
        # ragged targets as long as their inputs (e.g. labelling every step) are generated that long
        self._lengths_follow_input = self._targets_from == "X" or (
            targets.padded and np.array_equal(targets.lengths, _input_steps(seqs))
        )
        return {"n_outputs": self._n_outputs}

    def _learn_token_targets(self, targets: TokenSequences) -> dict:
        """Check the decoder input for token targets; return the module's output arguments."""
        if self.decoder_input not in ("auto", "previous"):
            raise ValueError(
                f"decoder_input={self.decoder_input!r} cannot generate tokens: token targets are generated one "
                "token after another from the previous one. Use decoder_input='auto' or 'previous'."
            )
        self.decoder_input_ = "previous"
        if self._targets_from == "X":
            self.target_vocabulary_ = self.vocabulary_
        self._lengths_follow_input = False
        self._n_outputs = 1
        return {"n_outputs": 1, "n_output_tokens": self.target_vocabulary_.n_ids}

    def _build_module_kwargs(self, seqs: Sequences | TokenSequences, module_outputs: dict) -> dict:
        """Arguments of :class:`Seq2SeqModule` for this data (plain numbers, strings and tuples)."""
        if isinstance(seqs, TokenSequences):
            inputs = {"n_features": 1, "n_input_tokens": self.vocabulary_.n_ids}
        else:
            inputs = {"n_features": seqs.values.shape[2], "x_mean": tuple(self._x_mean.tolist()),
                      "x_scale": tuple(self._x_scale.tolist())}
        return {
            **inputs, **module_outputs, "embedding_dim": self.embedding_dim, "n_components": self.n_components,
            "hidden_size": self.hidden_size, "cell": self.cell, "num_layers": self.num_layers,
            "bidirectional": self.bidirectional, "dropout": self.dropout, "readout": self.readout,
            "n_slots": self.n_slots, "attention": self.attention, "attend_over": self.attend_over,
            "decoder_input": self.decoder_input_, "input_noise": self.input_noise,
        }

    def _make_net(self, n_samples: int, device: str, seed: int, checkpoint_key: str | None = None) -> Seq2SeqNet:
        """The skorch net for ``_module_kwargs``, set up to train on ``n_samples`` sequences.

        ``checkpoint_key`` names a subfolder that the user's ``Checkpoint`` callbacks write to inside
        their ``dirname`` (see :meth:`_checkpoint_key`).
        """
        max_epochs = self._n_epochs(n_samples)
        callbacks: list = []
        teacher_forcing = self.teacher_forcing
        if isinstance(teacher_forcing, tuple):
            if len(teacher_forcing) != 2 or not all(isinstance(p, Real) and 0 <= p <= 1 for p in teacher_forcing):
                raise ValueError(
                    f"teacher_forcing must be a probability or a (start, end) pair of probabilities for a "
                    f"linear schedule over the epochs; got {teacher_forcing!r}."
                )
            callbacks.append(("teacher_forcing", TeacherForcingSchedule(*teacher_forcing)))
            teacher_forcing = teacher_forcing[0]
        if self.clip_grad_norm is not None:
            callbacks.append(("clip", GradientNormClipping(gradient_clip_value=self.clip_grad_norm)))
        if self.early_stopping:
            n_valid = math.ceil(n_samples * self.validation_fraction)
            if n_valid < 1 or n_samples - n_valid < 1:
                raise ValueError(
                    f"early_stopping needs at least one training and one validation sequence; with "
                    f"{n_samples} samples and validation_fraction={self.validation_fraction} there are not."
                )
            callbacks.append(
                ("early_stopping", EarlyStopping(monitor="valid_loss", patience=self.n_iter_no_change, load_best=True))
            )
            train_split = ValidSplit(self.validation_fraction, stratified=False, random_state=seed)
        else:
            train_split = None
        if self.verbose and self.verbose >= 2:
            callbacks.append(("progress", ProgressBar()))
        for i, cb in enumerate(copy.deepcopy(self.callbacks or [])):
            if not isinstance(cb, (Callback, tuple)):
                raise TypeError(f"callbacks must be skorch Callback instances or (name, callback) tuples; got {cb!r}.")
            callbacks.append(cb if isinstance(cb, tuple) else (f"user_{i}_{type(cb).__name__}", cb))
        for _, cb in callbacks:
            if isinstance(cb, _CHECKPOINTS) and checkpoint_key is not None:
                cb.dirname = os.path.join(cb.dirname, checkpoint_key)
        optimizer = _OPTIMIZERS[self.optimizer] if isinstance(self.optimizer, str) else self.optimizer
        if "n_output_tokens" in self._module_kwargs:
            criterion = {"criterion": MaskedCrossEntropyLoss, "criterion__label_smoothing": self.label_smoothing}
        else:
            criterion = {"criterion": MaskedMSELoss}
        return Seq2SeqNet(
            module=Seq2SeqModule,
            **{f"module__{key}": value for key, value in self._module_kwargs.items()},
            **criterion,
            optimizer=optimizer,
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=max_epochs,
            batch_size=self.batch_size,
            inference_batch_size=max(self.batch_size, INFERENCE_BATCH_SIZE),
            train_split=train_split,
            callbacks=callbacks,
            dataset=ArrayDataset,
            iterator_train=BatchLoader,
            iterator_valid=BatchLoader,
            iterator_train__shuffle=True,
            iterator_train__group_by_length=self.group_by_length,
            teacher_forcing=teacher_forcing,
            verbose=int(bool(self.verbose)),
            device=device,
        )

    def _check_finite_loss(self) -> None:
        losses = self.net_.history[:, "train_loss"]
        if not np.all(np.isfinite(losses)):
            raise FloatingPointError(
                "Training diverged: the training loss became NaN or infinite. Lower `lr`, keep "
                "`clip_grad_norm` set, or check the data for extreme values."
            )

    # ------------------------------------------------------------------ inference
    def _check_X(self, X: Any) -> Sequences | TokenSequences:
        check_is_fitted(self)
        return self._read_input(X, reset=False)

    def _encode(self, seqs: Sequences | TokenSequences) -> np.ndarray:
        codes = self.net_.encode(self._model_input(seqs), seqs.lengths)
        return codes.astype(self._out_dtype(seqs.values), copy=False)

    def _decode_output(self, values: np.ndarray, dtype: np.dtype, lengths: np.ndarray) -> np.ndarray:
        """Undo target reversal and scaling of decoded sequences (n, T, F_out)."""
        if self.reverse_target:
            values = _reverse_steps(values, lengths)
        return self._unscale_y(values, dtype)

    def _generate(self, seqs: Sequences | TokenSequences, lengths: np.ndarray) -> np.ndarray:
        """Decode ``lengths.max()`` steps from ``seqs``; (n, steps, n_outputs) in the data's units."""
        values = self.net_.generate(self._model_input(seqs), seqs.lengths, int(lengths.max()))
        return self._decode_output(values, self._out_dtype(seqs.values), lengths)

    def _output_lengths(self, seqs: Sequences | TokenSequences) -> np.ndarray:
        """Stop rule: as long as each input when the target followed the input's length in ``fit``
        (autoencoders, ragged per-step targets), otherwise the target length seen in ``fit`` (the
        longest one, for ragged targets)."""
        if self._lengths_follow_input:
            return _input_steps(seqs)
        return np.full(seqs.n_samples, self._n_target_steps, dtype=np.int64)

    def _predict_sequences(self, seqs: Sequences | TokenSequences):
        """Decoded sequences in the user's form: the input's form for an autoencoder, else the target's."""
        if self._target_tokens:
            ids, _ = self._search(seqs)
            return join_tokens(self._decode_tokens(ids), self.target_vocabulary_.form)
        lengths = self._output_lengths(seqs)
        values = self._generate(seqs, lengths)
        if self._targets_from == "X":
            return seqs.to_user(values, lengths)
        return to_user(values, lengths, *self._target_form)

    # ---- token targets (parameters of the estimators that accept them: beam_width, max_length, ...)
    def _search_args(self) -> tuple[int, int, float]:
        """Steps, beam width and length normalisation of token generation."""
        max_steps = self.max_length if self.max_length is not None else 2 * self._n_target_steps
        n_generable = self.target_vocabulary_.n_ids - 2  # every id but PAD and START
        return max_steps, min(self.beam_width, n_generable), self.length_normalization

    def _search(self, seqs: Sequences | TokenSequences) -> tuple[np.ndarray, np.ndarray]:
        """Generated target ids (n, max_steps) and their attention weights (n, max_steps, n_memory)."""
        return self.net_.search(self._model_input(seqs), seqs.lengths, *self._search_args())

    def _decode_tokens(self, ids: np.ndarray) -> list[list]:
        """Token lists from generated ids, in time order also with ``reverse_target``."""
        tokens = self.target_vocabulary_.decode(ids)
        return [seq[::-1] for seq in tokens] if self.reverse_target else tokens

    def attention_weights(self, X: Any, *, return_labels: bool = False):
        """Attention weights of the decoder for each sequence, without padded positions.

        Parameters
        ----------
        X : array-like or list of array-like, or token sequences
            Input sequences, in any accepted form.
        return_labels : bool, default=False
            Also return axis labels for :func:`~sklearn_seq2seq.plot_attention`.

        Returns
        -------
        weights : list of ndarray, one per sequence, of shape (n_output_steps_i, n_memory_i)
            Row ``t`` is the attention of output step ``t`` (in time order, also with
            ``reverse_target``) over the memory: the ``n_slots`` vectors computed from the encoding
            (``attend_over="code"``) or the sequence's own input timesteps (``attend_over="encoder"``).
            Every row sums to 1. For token targets the rows are the generated tokens (as ``predict``
            generates them), the end symbol included; for token inputs the input steps are the tokens
            and the end symbol the encoder reads last.
        output_labels, memory_labels : list of list of str
            Only with ``return_labels``: per sequence, a label for each row (the generated token, or the
            step index) and each column (the input token, the step index, or ``slot i``).
        """
        seqs = self._check_X(X)
        if self.attention == "none":
            raise ValueError("This model has no attention (attention='none'); fit it with an attention form.")
        if self._target_tokens:
            ids, weights = self._search(seqs)
            lengths = np.array([_length_with_end(row) for row in ids], dtype=np.int64)
        else:
            lengths = self._output_lengths(seqs)
            weights = self.net_.attention(self._model_input(seqs), seqs.lengths, int(lengths.max()))
        if self.reverse_target:  # a generated END stays last
            weights = _reverse_steps(weights, lengths - 1 if self._target_tokens else lengths)
        memory = seqs.lengths if self.attend_over == "encoder" else np.full(seqs.n_samples, self.n_slots)
        weights = [w[:n_out, :n_mem] for w, n_out, n_mem in zip(weights, lengths, memory)]
        if not return_labels:
            return weights
        return weights, self._output_labels(seqs, lengths, ids if self._target_tokens else None), self._memory_labels(seqs)

    def _output_labels(self, seqs, lengths: np.ndarray, ids: np.ndarray | None) -> list[list[str]]:
        if ids is None:
            return [[str(t) for t in range(n)] for n in lengths]
        labels = [[self.target_vocabulary_.label(i) for i in row[:n]] for row, n in zip(ids, lengths)]
        return [row[-2::-1] + row[-1:] if self.reverse_target else row for row in labels]

    def _memory_labels(self, seqs) -> list[list[str]]:
        if self.attend_over == "code":
            return [[f"slot {k}" for k in range(self.n_slots)] for _ in range(seqs.n_samples)]
        if isinstance(seqs, TokenSequences):
            return [[str(t) for t in tokens] + ["</s>"] for tokens in seqs.tokens]
        return [[str(t) for t in range(n)] for n in seqs.lengths]

    def _check_codes(self, Z: Any) -> np.ndarray:
        check_is_fitted(self)
        if self.attend_over == "encoder":
            raise ValueError(
                "This model attends over the encoder's states (attend_over='encoder'), so it cannot decode "
                "from encodings alone; fit it with attend_over='code' to use inverse_transform."
            )
        Z = check_array(Z, dtype=(np.float64, np.float32), input_name="Z", estimator=self)
        if Z.shape[1] != self.n_components:
            raise ValueError(
                f"Z has {Z.shape[1]} columns, but {type(self).__name__} produces {self.n_components} "
                "components (n_components)."
            )
        return Z

    def _decode_codes(self, Z: np.ndarray, n_steps: int) -> np.ndarray:
        values = self.net_.decode_codes(Z.astype(np.float32), n_steps)
        lengths = np.full(Z.shape[0], n_steps, dtype=np.int64)
        return self._decode_output(values, self._out_dtype(Z), lengths)

    @staticmethod
    def _out_dtype(values: np.ndarray) -> np.dtype:
        return np.dtype(np.float32) if values.dtype == np.float32 else np.dtype(np.float64)

    def transform(self, X: Any) -> np.ndarray:
        """Encode sequences as fixed-length vectors.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features)
            Sequences; 2-D input is read as univariate sequences.

        Returns
        -------
        ndarray of shape (n_samples, n_components)
            The encodings, float32 for float32 input and float64 otherwise.
        """
        return self._encode(self._check_X(X))
