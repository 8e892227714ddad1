"""Shared base of the public estimators: parameters, reading the data, fit orchestration, inference.

The estimators are thin scikit-learn estimators: ``__init__`` stores parameters; ``fit`` reads the data
(:mod:`._data`, :mod:`._tokens`), learns a :class:`~sklearn_seq2seq._layout.FittedLayout` (``layout_``),
builds and trains a skorch net (:mod:`._training`) and keeps it (``net_``); inference runs the fitted
module over the data (:mod:`._inference`) and gives the outputs back in the user's form.
"""

from __future__ import annotations

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

from . import _inference as inference
from ._data import Sequences, to_user
from ._heads import fit_value_head
from ._layout import AUTO_MAX_FRAMES, VIEW_MIN_CROP, FittedLayout, fully_labelled, learn_layout, relayout
from ._nn.attention import ATTENTION_KINDS
from ._nn.decoder import DECODER_INPUTS
from ._nn.encoder import RNN_CELLS
from ._nn.model import ATTEND_OVER, ENCODERS
from ._nn.readout import READOUTS
from ._reading import DataReader
from ._tokens import END, TokenSequences, Vocabulary
from ._training import (AUTO_STEPS, CHECKPOINT_CALLBACKS, OPTIMIZERS, Seq2SeqNet, carry_over, fit_kernel_bank, initialize,
                        make_net, torch_threads, train)


@contextmanager
def _unchanged_on_error(estimator: BaseEstimator):
    """Restore the estimator's attributes if the block raises, so a failed call leaves it as it was.

    A ``KeyboardInterrupt`` is not an error here: an interrupted fit keeps the model trained so far.
    """
    state = estimator.__dict__.copy()
    try:
        yield
    except Exception:
        estimator.__dict__.clear()
        estimator.__dict__.update(state)
        raise


def resolve_device(device: str) -> str:
    """The torch device ``device`` names (``"auto"``: CUDA when available), checked to exist."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested but torch finds no CUDA device; use 'cpu' or 'auto'.")
    return device


def draw_seed(random_state: Any) -> int:
    """A seed for one fit: drawn from ``random_state``; for None from fresh OS entropy, so neither
    numpy's nor torch's global random state is read or changed."""
    high = np.iinfo(np.int32).max
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] % high)
    return int(check_random_state(random_state).randint(high))


def _length_with_end(ids: np.ndarray) -> int:
    """Generated steps up to and including the first ``END`` (all steps when none ended)."""
    ends = np.flatnonzero(ids == END)
    return int(ends[0]) + 1 if len(ends) else len(ids)


def reverse_steps(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Reverse each sequence's real steps in time (padding stays at the end)."""
    steps = np.arange(values.shape[1])[np.newaxis, :]
    index = np.where(steps < lengths[:, np.newaxis], lengths[:, np.newaxis] - 1 - steps, steps)
    return np.take_along_axis(values, index[:, :, np.newaxis], axis=1)


class BaseSeq2Seq(ClassNamePrefixFeaturesOutMixin, TransformerMixin, DataReader, BaseEstimator):
    """Parameters and machinery shared by :class:`Seq2SeqTransformer` and :class:`Seq2SeqRegressor`.

    Both public estimators transform sequences into encodings, so the base is a transformer (which
    also gives them ``fit_transform``, ``get_feature_names_out`` and ``set_output``). See the public
    classes for the parameters' documentation.
    """

    #: The optimiser steps ``max_epochs="auto"`` aims at.
    _auto_steps: int = AUTO_STEPS
    #: With a kernel bank and a contrastive term, the optimiser steps ``max_epochs="auto"`` aims at
    #: instead (None: :attr:`_auto_steps`).
    _bank_auto_steps: int | None = None
    #: With a kernel bank and a contrastive term, ``max_epochs="auto"`` trains at most this many epochs
    #: (None: as many as :attr:`_bank_auto_steps` take, up to the usual 500).
    _bank_auto_max_epochs: int | None = None
    #: With a kernel bank and a contrastive term, the random views of each training sequence drawn once
    #: per fit for training to pick from (``_inference.with_view_pool``); 0: a fresh view at every step.
    _view_pool: int = 0
    #: With a kernel bank, the fraction of ``lr`` the recurrent branch of the code trains at
    #: (``_training.make_net``).
    _recurrent_lr_scale: float = 1.0
    #: The most frames ``frame_length="auto"`` lets the longest numeric sequence take.
    _auto_max_frames: int = AUTO_MAX_FRAMES
    #: Whether a convolutional front end reads the wider scales (``_layout.WIDE_FRONT_DILATIONS``).
    _wide_front: bool = False
    #: Beside a kernel bank, the shortest crop of the contrastive views (``_layout.learn_layout``).
    _bank_view_crop: float = VIEW_MIN_CROP
    #: Whether a kernel bank's features end with the log of each series' length where the training
    #: series differ in length (``_layout.learn_layout``).
    _bank_length: bool = False
    #: Whether a kernel bank also reads the series averaged over windows twice as long
    #: (``_layout.learn_layout``).
    _bank_coarse: bool = False

    _parameter_constraints: dict = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "cell": [StrOptions(set(RNN_CELLS))],
        "encoder": [StrOptions(set(ENCODERS) | {"auto"})],
        "kernel_bank": ["boolean", StrOptions({"auto"})],
        "frame_length": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "readout": [StrOptions(set(READOUTS) | {"auto"})],
        "n_slots": [Interval(Integral, 1, None, closed="left")],
        "attention": [StrOptions(set(ATTENTION_KINDS) | {"none"})],
        "attend_over": [StrOptions(set(ATTEND_OVER))],
        "decoder_input": [StrOptions(set(DECODER_INPUTS) | {"auto"})],
        "teacher_forcing": [Interval(Real, 0, 1, closed="both"), tuple],
        "reverse_target": ["boolean"],
        "input_noise": [Interval(Real, 0, None, closed="left")],
        "contrastive": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "standardize": ["boolean", StrOptions({"per_sequence"})],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "group_by_length": ["boolean"],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "callbacks": [list, None],
        "device": [str],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
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
    ) -> None:
        self.n_components = n_components
        self.hidden_size = hidden_size
        self.cell = cell
        self.encoder = encoder
        self.kernel_bank = kernel_bank
        self.frame_length = frame_length
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
        self.contrastive = contrastive
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
        self.n_threads = n_threads
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
        return self._module_setting("n_components")

    def _module_setting(self, name: str) -> Any:
        """An argument the fitted module was built with (``n_components``, ``attention``, ...): the
        parameter's value in ``fit``, which a classifier started from a pretrained model took from it."""
        layout = self.__dict__.get("layout_")
        if layout is None or name not in layout.module_kwargs:
            return getattr(self, name)
        return layout.module_kwargs[name]

    def _fitted_layout(self, name: str) -> FittedLayout:
        layout = self.__dict__.get("layout_")
        if layout is None:
            raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r} (it is set by fit).")
        return layout

    @property
    def decoder_input_(self) -> str:
        """The decoder input used (``decoder_input`` with ``"auto"`` resolved)."""
        return self._fitted_layout("decoder_input_").decoder_input

    @property
    def encoder_(self) -> str:
        """The encoder used (``encoder`` with ``"auto"`` resolved)."""
        # files of version 0.2.0 store no encoder: their modules were built with the module's default, recurrent
        return self._fitted_layout("encoder_").module_kwargs.get("encoder", "recurrent")

    @property
    def frame_length_(self) -> int:
        """The frame length used (``frame_length`` with ``"auto"`` resolved; 1 for token sequences)."""
        return int(self._fitted_layout("frame_length_").module_kwargs.get("frame_length", 1))

    @property
    def vocabulary_(self) -> Vocabulary:
        """Token inputs only: the input vocabulary learned in ``fit``."""
        return self._fitted_vocabulary("vocabulary_", "vocabulary", "token inputs")

    @property
    def target_vocabulary_(self) -> Vocabulary:
        """Token targets only: the target vocabulary learned in ``fit``."""
        return self._fitted_vocabulary("target_vocabulary_", "target_vocabulary", "token targets")

    def _fitted_vocabulary(self, name: str, field: str, what: str) -> Vocabulary:
        vocabulary = getattr(self._fitted_layout(name), field)
        if vocabulary is None:
            raise AttributeError(f"{name} exists only for {what}; this model was fitted without them.")
        return vocabulary

    # ------------------------------------------------------------------ fitting
    def _fit(self, X: Any, y: Any, targets_from: str, *, partial: bool = False) -> BaseSeq2Seq:
        """Validate, learn the layout, build the net and train it, or continue training the fitted one.

        ``targets_from`` is ``"X"`` (autoencoder: reconstruct the input) or ``"y"`` (``y`` is given as
        numbers, vectors, sequences or token sequences); the caller decides it from the parameters and
        the data only. Training continues from the fitted model for ``partial=True`` (one epoch) and for
        ``fit`` with ``warm_start`` (``max_epochs`` epochs); otherwise everything is learned afresh.
        """
        with _unchanged_on_error(self):
            self._validate_params()
            if (partial or self.warm_start) and self.__sklearn_is_fitted__():
                return self._continue(X, y, targets_from, partial=partial)
            seqs = self._read_fit_input(X)
            targets = seqs if targets_from == "X" else self._read_targets(y, seqs)
            classes, labels = self._read_labels(y, seqs, None)
            params = self._fit_params()
            if targets_from == "X" and params["attend_over"] == "encoder":
                raise ValueError(
                    "attend_over='encoder' lets the decoder read every input step and bypass the encoding, "
                    "so it is only allowed when fitting with a target y. Use attend_over='code' for an "
                    "autoencoder."
                )
            device = resolve_device(self.device)
            layout = self._learn_layout(seqs, targets, targets_from, params, seed=draw_seed(self.random_state),
                                        classes=classes, labels=labels)
            data = {**self._training_data(seqs, targets, layout, params), **labels}
            net = self._make_net(params, layout, n_samples=seqs.n_samples, device=device, seed=layout.seed,
                                 checkpoint_key=self._checkpoint_key(data),
                                 early_stopping=None if not partial else False)
            self.layout_ = layout
            epochs = 1 if partial else net.max_epochs
            initialize(net, layout.seed)
            if not self._start_from(net):  # a pretrained model's weights hold its fitted bank
                data = fit_kernel_bank(net, data, layout.seed)
            self._train(net, data, epochs=epochs, seed=layout.seed)
        return self

    # hooks of the fit for estimators that read more than sequences and targets (the classifier)
    def _read_fit_input(self, X: Any) -> Sequences | TokenSequences:
        """``X`` as ``fit`` reads it (the classifier reads it as its pretrained model does)."""
        return self._read_input(X)

    def _read_labels(self, y: Any, seqs: Sequences | TokenSequences,
                     layout: FittedLayout | None) -> tuple[np.ndarray | None, dict[str, np.ndarray]]:
        """Class labels of a classifier: the classes (None for other estimators) and the arrays that
        join the training data (``labels``, ``label_weights``); ``layout`` is the fitted one when
        training continues."""
        return None, {}

    def _make_net(self, params: dict, layout: FittedLayout, *, n_samples: int, device: str, seed: int,
                  checkpoint_key: str | None = None, early_stopping: bool | None = None) -> Seq2SeqNet:
        """The skorch net for ``params`` and ``layout``'s module (:func:`~sklearn_seq2seq._training.make_net`),
        with this estimator's own training settings (:attr:`_auto_steps`, :attr:`_bank_auto_steps`,
        :attr:`_bank_auto_max_epochs`, :attr:`_recurrent_lr_scale`): the one place fitting, continued
        fitting and loading build a net."""
        return make_net(params, layout.module_kwargs, n_samples=n_samples, device=device, seed=seed,
                        checkpoint_key=checkpoint_key, early_stopping=early_stopping,
                        auto_steps=self._auto_steps, bank_auto_steps=self._bank_auto_steps,
                        bank_auto_max_epochs=self._bank_auto_max_epochs,
                        recurrent_lr_scale=self._recurrent_lr_scale)

    def _fit_params(self) -> dict:
        """The parameters the model is built and trained with: ``get_params(deep=False)``, where a
        classifier started from a pretrained model takes the architecture from that model."""
        return self.get_params(deep=False)

    def _learn_layout(self, seqs: Sequences | TokenSequences, targets: Sequences | TokenSequences,
                      targets_from: str, params: dict, *, seed: int, classes: np.ndarray | None,
                      labels: dict[str, np.ndarray]) -> FittedLayout:
        """The fitted layout of a fresh fit (see :func:`~sklearn_seq2seq._layout.learn_layout`);
        ``labels``: the arrays :meth:`_read_labels` gave."""
        return learn_layout(seqs, targets, targets_from, params, seed=seed, classes=classes,
                            max_frames=self._auto_max_frames, wide_front=self._wide_front,
                            bank_view_crop=self._bank_view_crop, bank_length=self._bank_length,
                            bank_coarse=self._bank_coarse,
                            all_labelled=fully_labelled(labels))

    def _start_from(self, net: Seq2SeqNet) -> bool:
        """Set the initialised ``net``'s starting weights (a pretrained model's, kernel bank included)
        and say whether it did; by default keep them (False): the bank is then fitted to the data."""
        return False

    def _continue(self, X: Any, y: Any, targets_from: str, *, partial: bool) -> BaseSeq2Seq:
        """Train the fitted model further on ``X`` (and ``y``), read with the fitted layout.

        The net is rebuilt from the current parameters (learning rate, batch size, optimizer, clipping,
        callbacks, ... as ``set_params`` left them) and starts from the fitted weights and history;
        ``partial_fit`` also keeps the optimizer's state. Parameters that shape the model must stay as
        they were fitted.
        """
        layout = self.layout_
        seqs = self._read_input(X, layout)
        if targets_from != layout.targets_from:
            fitted = "an autoencoder (no y)" if layout.targets_from == "X" else "with a target y"
            raise ValueError(
                f"This {type(self).__name__} was fitted {fitted}; training can only continue the same way. "
                "Set warm_start=False (or clone the estimator) to fit afresh."
            )
        targets = seqs if targets_from == "X" else self._read_targets(y, seqs, layout)
        _, labels = self._read_labels(y, seqs, layout)
        params = self._fit_params()
        layout = relayout(layout, params)
        net = self._make_net(params, layout, n_samples=seqs.n_samples, device=resolve_device(self.device),
                             seed=layout.seed, early_stopping=False if partial else None)
        initialize(net, layout.seed + self.n_iter_)
        carry_over(self.net_, net, keep_optimizer=partial)
        epochs = 1 if partial else net.max_epochs
        self.layout_ = layout
        data = {**self._training_data(seqs, targets, layout, params), **labels}
        self._train(net, data, epochs=epochs, seed=layout.seed + self.n_iter_)
        return self

    def _checkpoint_key(self, data: dict) -> str | None:
        """A folder name for this fit's checkpoint files: the same for the same estimator parameters and
        training data (so a fit can resume from its own checkpoint, with skorch's ``LoadInitState``), and
        different for fits that differ in either (so parallel fits, e.g. in a grid search, never write
        to the same files). None when no ``Checkpoint`` callback is given."""
        if not any(isinstance(cb[1] if isinstance(cb, tuple) else cb, CHECKPOINT_CALLBACKS)
                   for cb in self.callbacks or []):
            return None
        params = {k: v for k, v in self.get_params(deep=False).items() if k not in ("callbacks", "verbose", "device", "n_threads")}
        return f"{type(self).__name__}-{joblib.hash((repr(sorted(params.items())), data))[:16]}"

    def _train(self, net: Seq2SeqNet, data: dict, *, epochs: int, seed: int) -> dict:
        """Train the initialised ``net`` for ``epochs`` epochs and keep it; an interrupt keeps it too,
        then propagates. A model of one number per sample then gets its value head (and its kernel
        bank's: :func:`~sklearn_seq2seq._heads.fit_value_head`). Returns the training ``data`` as
        trained on: with the kernel bank's features of the training sequences when they were computed
        once for training (:func:`~sklearn_seq2seq._inference.with_bank_features`), for heads fitted
        after training to read, and the pool of random views training picks from, where the estimator
        draws one (:attr:`_view_pool`, :func:`~sklearn_seq2seq._inference.with_view_pool`)."""
        with torch_threads(self.n_threads):
            data = inference.with_bank_features(net, data)
            data = inference.with_view_pool(net, data, self._view_pool, seed + 2)  # seed, seed + 1: train's
            train(net, data, epochs=epochs, seed=seed)
            if net.module_.value_head is not None:
                fit_value_head(net, data["x"], data["lengths"], data["target"], data.get("bank_features"))
        self.net_ = net
        self.history_ = net.history
        self.n_iter_ = sum("train_loss" in epoch for epoch in net.history)  # completed epochs
        if getattr(net, "interrupted_", False):
            raise KeyboardInterrupt(
                f"Training was interrupted after {self.n_iter_} complete epoch(s); the model keeps the "
                "weights reached so far and its history."
            )
        return data

    def _training_data(
        self, seqs: Sequences | TokenSequences, targets: Sequences | TokenSequences, layout: FittedLayout,
        params: dict,
    ) -> dict:
        """The dict of arrays skorch trains on (see :class:`~sklearn_seq2seq._training.Seq2SeqNet`).

        Inputs are passed as given (no copy): the module standardises values batch by batch.
        """
        if isinstance(targets, TokenSequences):
            target = targets.values
            if params["reverse_target"]:
                target, _ = layout.target_vocabulary.encode([seq[::-1] for seq in targets.tokens])
        else:
            target = layout.scale_targets(targets.values)
            if params["reverse_target"]:
                target = reverse_steps(target, targets.lengths)
        return {"x": seqs.values, "lengths": seqs.lengths, "target": target, "target_lengths": targets.lengths}

    # ------------------------------------------------------------------ inference
    def _check_X(self, X: Any) -> Sequences | TokenSequences:
        check_is_fitted(self)
        return self._read_input(X, self.layout_)

    def _encode(self, seqs: Sequences | TokenSequences) -> np.ndarray:
        codes = inference.encode(self.net_, seqs.values, seqs.lengths)
        return codes.astype(_out_dtype(seqs.values), copy=False)

    def _decode_output(self, values: np.ndarray, dtype: np.dtype, lengths: np.ndarray) -> np.ndarray:
        """Undo target reversal and scaling of decoded sequences (n, T, F_out)."""
        if self.reverse_target:
            values = reverse_steps(values, lengths)
        return self.layout_.unscale_targets(values, dtype)

    def _generate(self, seqs: Sequences | TokenSequences, lengths: np.ndarray) -> np.ndarray:
        """Decode ``lengths.max()`` steps from ``seqs``; (n, steps, n_outputs) in the data's units."""
        values = inference.generate(self.net_, seqs.values, seqs.lengths, int(lengths.max()))
        return self._decode_output(values, _out_dtype(seqs.values), lengths)

    def _predict_sequences(self, seqs: Sequences | TokenSequences):
        """Decoded sequences in the user's form: the input's form for an autoencoder, else the target's."""
        layout = self.layout_
        if layout.target_tokens:
            return self._predict_tokens(seqs)
        lengths = layout.output_lengths(seqs)
        values = self._generate(seqs, lengths)
        if layout.targets_from == "X":
            return seqs.to_user(values, lengths)
        return to_user(values, lengths, layout.target_ndim, layout.target_is_list)

    def _predict_tokens(self, seqs: Sequences | TokenSequences):
        """Generated token sequences; only estimators that take token targets generate them."""
        raise NotImplementedError(f"{type(self).__name__} does not generate tokens.")

    def _token_attention(self, seqs: Sequences | TokenSequences):
        """Attention weights of generated tokens (ids, weights); see :meth:`_predict_tokens`."""
        raise NotImplementedError(f"{type(self).__name__} does not generate tokens.")

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
        if self._module_setting("attention") == "none":
            raise ValueError("This model has no attention (attention='none'); fit it with an attention form.")
        layout = self.layout_
        ids = None
        if layout.target_tokens:
            ids, weights = self._token_attention(seqs)
            lengths = np.array([_length_with_end(row) for row in ids], dtype=np.int64)
        else:
            lengths = layout.output_lengths(seqs)
            weights = inference.attention(self.net_, seqs.values, seqs.lengths, int(lengths.max()))
        if self.reverse_target:  # a generated END stays last
            weights = reverse_steps(weights, lengths - 1 if layout.target_tokens else lengths)
        memory = (seqs.lengths if self._module_setting("attend_over") == "encoder"
                  else np.full(seqs.n_samples, self._module_setting("n_slots")))
        weights = [w[:n_out, :n_mem] for w, n_out, n_mem in zip(weights, lengths, memory)]
        if not return_labels:
            return weights
        output_labels = (self._token_labels(ids, lengths) if ids is not None
                         else [[str(t) for t in range(n)] for n in lengths])
        return weights, output_labels, self._memory_labels(seqs)

    def _token_labels(self, ids: np.ndarray, lengths: np.ndarray) -> list[list[str]]:
        raise NotImplementedError(f"{type(self).__name__} does not generate tokens.")

    def _memory_labels(self, seqs) -> list[list[str]]:
        if self._module_setting("attend_over") == "code":
            return [[f"slot {k}" for k in range(self._module_setting("n_slots"))] for _ in range(seqs.n_samples)]
        if isinstance(seqs, TokenSequences):
            return [[str(t) for t in tokens] + ["</s>"] for tokens in seqs.tokens]
        return [[str(t) for t in range(n)] for n in seqs.lengths]

    def _check_codes(self, Z: Any) -> np.ndarray:
        check_is_fitted(self)
        if self._module_setting("attend_over") == "encoder":
            raise ValueError(
                "This model attends over the encoder's states (attend_over='encoder'), so it cannot decode "
                "from encodings alone; fit it with attend_over='code' to use inverse_transform."
            )
        if self.net_.module_.bank_head is not None:
            raise ValueError(
                "This model's predictions also read the kernel bank's features of each input sequence, which "
                "an encoding does not hold, so it cannot predict from encodings alone. Use predict(X), or fit "
                "it with kernel_bank=False to use inverse_transform."
            )
        if self.reverse_target and not self.layout_.fixed_target_length and not self.layout_.target_tokens:
            raise ValueError(
                "This model was fitted with reverse_target=True on sequences of different lengths: an "
                "encoding does not tell the length of its sequence, so its decoded steps cannot be put "
                "back in time order. Use predict(X), which knows each input's length."
            )
        Z = check_array(Z, dtype=(np.float64, np.float32), input_name="Z", estimator=self)
        n_components = self._module_setting("n_components")
        if Z.shape[1] != n_components:
            raise ValueError(
                f"Z has {Z.shape[1]} columns, but {type(self).__name__} produces {n_components} "
                "components (n_components)."
            )
        return Z

    def _decode_codes(self, Z: np.ndarray, n_steps: int) -> np.ndarray:
        values = inference.decode_codes(self.net_, Z.astype(np.float32), n_steps)
        lengths = np.full(Z.shape[0], n_steps, dtype=np.int64)
        return self._decode_output(values, _out_dtype(Z), lengths)

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


def _out_dtype(values: np.ndarray) -> np.dtype:
    return np.dtype(np.float32) if values.dtype == np.float32 else np.dtype(np.float64)
