"""Shared base of the public estimators: parameters, validation, the skorch net, fit/transform plumbing.

The estimators are thin scikit-learn estimators: ``__init__`` stores parameters, ``fit`` validates the
data, builds a :class:`~sklearn_seq2seq._net.Seq2SeqNet` around a
:class:`~sklearn_seq2seq._nn.Seq2SeqModule` and trains it. The fitted net is the ``net_`` attribute.
"""

from __future__ import annotations

import copy
import math
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping, ProgressBar
from skorch.dataset import ValidSplit

from ._data import Sequences, check_sequences, check_target_sequences, feature_stats, to_user
from ._net import ArrayDataset, BatchLoader, MaskedMSELoss, Seq2SeqNet, TeacherForcingSchedule
from ._nn import Seq2SeqModule
from ._nn.attention import ATTENTION_KINDS
from ._nn.decoder import DECODER_INPUTS
from ._nn.encoder import RNN_CELLS
from ._nn.model import ATTEND_OVER
from ._nn.readout import READOUTS

_OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD, "rmsprop": torch.optim.RMSprop}

#: ``decoder_input="auto"`` feeds previous values (teacher forcing) when the longest target sequence
#: has more than this many steps, positional features otherwise (measured in docs/defaults.md).
AUTO_PREVIOUS_ABOVE_STEPS = 100

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

    # ------------------------------------------------------------------ scaling helpers
    def _scale_x(self, seqs: Sequences) -> np.ndarray:
        return ((seqs.values - self._x_mean) / self._x_scale).astype(np.float32)

    def _unscale_y(self, values: np.ndarray, dtype: np.dtype) -> np.ndarray:
        return (values * self._y_scale + self._y_mean).astype(dtype, copy=False)

    # ------------------------------------------------------------------ fitting
    def _fit(self, X: Any, y: Any, targets_from: str) -> BaseSeq2Seq:
        """Validate, build the net and train it.

        ``targets_from`` is ``"X"`` (autoencoder: reconstruct the input) or ``"y"`` (``y`` is given as
        numbers, vectors or sequences).
        """
        with _unchanged_on_error(self):
            self._validate_params()
            seqs = check_sequences(self, X, reset=True)
            if targets_from == "y" and y is None:
                raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
            targets = seqs if targets_from == "X" else check_target_sequences(y, seqs.n_samples)
            if targets_from == "X" and self.attend_over == "encoder":
                raise ValueError(
                    "attend_over='encoder' lets the decoder read every input step and bypass the encoding, "
                    "so it is only allowed when fitting with a target y. Use attend_over='code' for an "
                    "autoencoder."
                )
            device = _resolve_device(self.device)
            if self.standardize:
                self._x_mean, self._x_scale = feature_stats(seqs)
                self._y_mean, self._y_scale = feature_stats(targets)
            else:
                self._x_mean = np.zeros(seqs.values.shape[2])
                self._x_scale = np.ones(seqs.values.shape[2])
                self._y_mean = np.zeros(targets.values.shape[2])
                self._y_scale = np.ones(targets.values.shape[2])
            if self.decoder_input == "auto":
                long_targets = targets.values.shape[1] > AUTO_PREVIOUS_ABOVE_STEPS
                self.decoder_input_ = "previous" if long_targets else "position"
            else:
                self.decoder_input_ = self.decoder_input
            self._target_form = (targets.ndim, targets.is_list)
            self._n_outputs = targets.values.shape[2]
            self._n_target_steps = targets.values.shape[1]
            self._targets_from = targets_from
            # ragged targets as long as their inputs (e.g. labelling every step) are generated that long
            self._lengths_follow_input = targets_from == "X" or (
                targets.padded and np.array_equal(targets.lengths, seqs.lengths)
            )

            x = self._scale_x(seqs)
            target = ((targets.values - self._y_mean) / self._y_scale).astype(np.float32)
            if self.reverse_target:
                target = _reverse_steps(target, targets.lengths)
            data = {"x": x, "lengths": seqs.lengths, "target": target, "target_lengths": targets.lengths}

            seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            fork_devices = [torch.device(device).index or 0] if device.startswith("cuda") else []
            with torch.random.fork_rng(devices=fork_devices):
                torch.manual_seed(seed)
                net = self._make_net(seqs, device, seed)
                net.fit(data, target)
            self.net_ = net
            self.history_ = net.history
            self.n_iter_ = len(net.history)
            self._check_finite_loss()
        return self

    def _make_net(self, seqs: Sequences, device: str, seed: int) -> Seq2SeqNet:
        n_samples = seqs.n_samples
        max_epochs = auto_epochs(n_samples, self.batch_size) if self.max_epochs == "auto" else self.max_epochs
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
        optimizer = _OPTIMIZERS[self.optimizer] if isinstance(self.optimizer, str) else self.optimizer
        return Seq2SeqNet(
            module=Seq2SeqModule,
            module__n_features=seqs.values.shape[2],
            module__n_outputs=self._n_outputs,
            module__n_components=self.n_components,
            module__hidden_size=self.hidden_size,
            module__cell=self.cell,
            module__num_layers=self.num_layers,
            module__bidirectional=self.bidirectional,
            module__dropout=self.dropout,
            module__readout=self.readout,
            module__n_slots=self.n_slots,
            module__attention=self.attention,
            module__attend_over=self.attend_over,
            module__decoder_input=self.decoder_input_,
            module__input_noise=self.input_noise,
            criterion=MaskedMSELoss,
            optimizer=optimizer,
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=max_epochs,
            batch_size=self.batch_size,
            train_split=train_split,
            callbacks=callbacks,
            dataset=ArrayDataset,
            iterator_train=BatchLoader,
            iterator_valid=BatchLoader,
            iterator_train__shuffle=True,
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
    def _check_X(self, X: Any) -> Sequences:
        check_is_fitted(self)
        return check_sequences(self, X, reset=False)

    def _encode(self, seqs: Sequences) -> np.ndarray:
        codes = self.net_.encode(self._scale_x(seqs), seqs.lengths)
        return codes.astype(self._out_dtype(seqs.values), copy=False)

    def _decode_output(self, values: np.ndarray, dtype: np.dtype, lengths: np.ndarray) -> np.ndarray:
        """Undo target reversal and scaling of decoded sequences (n, T, F_out)."""
        if self.reverse_target:
            values = _reverse_steps(values, lengths)
        return self._unscale_y(values, dtype)

    def _generate(self, seqs: Sequences, lengths: np.ndarray) -> np.ndarray:
        """Decode ``lengths.max()`` steps from ``seqs``; (n, steps, n_outputs) in the data's units."""
        values = self.net_.generate(self._scale_x(seqs), seqs.lengths, int(lengths.max()))
        return self._decode_output(values, self._out_dtype(seqs.values), lengths)

    def _output_lengths(self, seqs: Sequences) -> np.ndarray:
        """Stop rule: as long as each input when the target followed the input's length in ``fit``
        (autoencoders, ragged per-step targets), otherwise the target length seen in ``fit`` (the
        longest one, for ragged targets)."""
        if self._lengths_follow_input:
            return seqs.lengths
        return np.full(seqs.n_samples, self._n_target_steps, dtype=np.int64)

    def _predict_sequences(self, seqs: Sequences):
        """Decoded sequences in the user's form: the input's form for an autoencoder, else the target's."""
        lengths = self._output_lengths(seqs)
        values = self._generate(seqs, lengths)
        if self._targets_from == "X":
            return seqs.to_user(values, lengths)
        return to_user(values, lengths, *self._target_form)

    def attention_weights(self, X: Any) -> list[np.ndarray]:
        """Attention weights of the decoder for each sequence, without padded positions.

        Parameters
        ----------
        X : array-like or list of array-like
            Input sequences, in any accepted form.

        Returns
        -------
        list of ndarray, one per sequence, of shape (n_output_steps_i, n_memory_i)
            Row ``t`` is the attention of output step ``t`` (in time order, also with
            ``reverse_target``) over the memory: the ``n_slots`` vectors computed from the encoding
            (``attend_over="code"``) or the sequence's own input timesteps (``attend_over="encoder"``).
            Every row sums to 1.
        """
        seqs = self._check_X(X)
        if self.attention == "none":
            raise ValueError("This model has no attention (attention='none'); fit it with an attention form.")
        lengths = self._output_lengths(seqs)
        weights = self.net_.attention(self._scale_x(seqs), seqs.lengths, int(lengths.max()))
        if self.reverse_target:
            weights = _reverse_steps(weights, lengths)
        memory = seqs.lengths if self.attend_over == "encoder" else np.full(seqs.n_samples, self.n_slots)
        return [w[:n_out, :n_mem] for w, n_out, n_mem in zip(weights, lengths, memory)]

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
