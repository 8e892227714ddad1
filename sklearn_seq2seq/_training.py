"""Training: the dataset and batch loader skorch iterates over, the skorch net, its callbacks, the
number of epochs and the seeding.

Everything the estimators need to train a :class:`~sklearn_seq2seq._nn.Seq2SeqModule` lives here; the
estimators hand over their parameters and the fitted layout, and get a trained net back. Inference is
in :mod:`._inference`.
"""

from __future__ import annotations

import copy
import math
import os
import threading
from contextlib import contextmanager
from numbers import Real

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, Checkpoint, EarlyStopping, GradientNormClipping, ProgressBar, TrainEndCheckpoint
from skorch.dataset import ValidSplit
from skorch.utils import to_device
from torch import nn

from ._nn import Seq2SeqModule
from ._nn.losses import MaskedCrossEntropyLoss, MaskedMSELoss

#: skorch callbacks that write files; each fit gets its own folder for them (``checkpoint_key``).
CHECKPOINT_CALLBACKS = (Checkpoint, TrainEndCheckpoint)

OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD,
              "rmsprop": torch.optim.RMSprop}

#: ``max_epochs="auto"`` trains for about this many optimiser steps, within ``AUTO_EPOCHS_RANGE``
#: epochs; classifiers, which also learn the labels, for ``CLASSIFIER_AUTO_STEPS`` (how these were
#: chosen: docs/defaults.md).
AUTO_STEPS = 300
CLASSIFIER_AUTO_STEPS = 600
AUTO_EPOCHS_RANGE = (20, 500)

#: The kernel bank's map into the code (``Seq2SeqModule.kernel_bank_proj``: thousands of inputs for
#: each number of the code, started at the features' principal directions) trains at this fraction of
#: the learning rate. Adam moves every weight by about the learning rate at each step, whatever the size
#: of its gradient, and summed over so many inputs those steps carry the map far from the directions
#: the data sets (how this was chosen: docs/defaults.md).
BANK_MAP_LR_SCALE = 0.03
#: The parameters :data:`BANK_MAP_LR_SCALE` applies to (a skorch ``param_groups`` pattern).
BANK_MAP_PARAMETERS = "kernel_bank_proj.*"
#: In :class:`~sklearn_seq2seq.Seq2SeqTransformer`'s fits with a kernel bank, the recurrent branch of
#: the code (the convolutional front end, the encoder and its readout) trains at this fraction of the
#: learning rate, beside the bank's map at :data:`BANK_MAP_LR_SCALE`: at the full rate its part of the
#: code grew to serve the reconstruction and cost the encodings' use downstream on some sets (how this
#: was chosen: docs/defaults.md).
RECURRENT_LR_SCALE = 0.1
#: The parameters a recurrent learning-rate fraction applies to (skorch ``param_groups`` patterns).
RECURRENT_PARAMETERS = ("front.*", "encoder.*", "readout.*")
#: In :class:`~sklearn_seq2seq.Seq2SeqTransformer`'s fits with a kernel bank and a contrastive term,
#: ``max_epochs="auto"`` aims at this many optimiser steps instead of :data:`AUTO_STEPS`: with the
#: views drawn from a pool (:data:`VIEW_POOL_SIZE`) the encodings were as good after half the
#: training (how this was chosen: docs/defaults.md).
BANK_AUTO_STEPS = 150
#: In :class:`~sklearn_seq2seq.Seq2SeqTransformer`'s fits with a kernel bank and a contrastive term,
#: ``max_epochs="auto"`` also trains at most this many epochs (passes over the training sequences):
#: sets of a few dozen sequences reached as accurate encodings in a third of the steps, and 150 passes
#: over 28 series cost Coffee a test series on two seeds of five (how this was chosen: docs/defaults.md).
BANK_AUTO_MAX_EPOCHS = 50
#: In :class:`~sklearn_seq2seq.Seq2SeqTransformer`'s fits with a kernel bank, this many random views
#: of each training sequence are drawn once per fit with their bank features
#: (``_inference.with_view_pool``), and each training step encodes one of them, instead of convolving
#: a fresh view with the bank at every step (how this was chosen: docs/defaults.md).
VIEW_POOL_SIZE = 4


def auto_epochs(n_samples: int, batch_size: int, auto_steps: int = AUTO_STEPS,
                auto_max_epochs: int = AUTO_EPOCHS_RANGE[1]) -> int:
    """Epochs that ``max_epochs="auto"`` trains for on ``n_samples`` sequences, aiming at
    ``auto_steps`` optimiser steps, within ``AUTO_EPOCHS_RANGE`` and at most ``auto_max_epochs``."""
    steps_per_epoch = math.ceil(n_samples / batch_size)
    low, high = AUTO_EPOCHS_RANGE
    return int(min(max(math.ceil(auto_steps / steps_per_epoch), low), high, auto_max_epochs))


def n_epochs(max_epochs: int | str, n_samples: int, batch_size: int, auto_steps: int = AUTO_STEPS,
             auto_max_epochs: int = AUTO_EPOCHS_RANGE[1]) -> int:
    """Epochs a fit (or a warm-started continuation) on ``n_samples`` sequences trains for
    (``max_epochs="auto"``: about ``auto_steps`` optimiser steps, at most ``auto_max_epochs`` epochs)."""
    if max_epochs == "auto":
        return auto_epochs(n_samples, batch_size, auto_steps, auto_max_epochs)
    return int(max_epochs)


class ArrayDataset(torch.utils.data.Dataset):
    """A dict of equally long arrays (and an optional target), indexed a batch at a time.

    ``dataset[indices]`` returns the whole batch ``(dict of tensors, target)`` with one indexing
    operation per array, instead of one ``__getitem__`` and a collate per sample. The arrays stay as
    given (no copy of the whole data); each batch is a fresh copy, floating values cast to float32.
    """

    def __init__(self, X: dict[str, np.ndarray], y: np.ndarray | None = None) -> None:
        self.X = X
        self.y = y
        self.n_samples = len(next(iter(X.values())))

    def __len__(self) -> int:
        return self.n_samples

    def __getitem__(self, indices):
        batch = {k: batch_tensor(v, indices) for k, v in self.X.items()}
        target = batch_tensor(self.y, indices) if self.y is not None else torch.zeros(len(next(iter(batch.values()))))
        return batch, target


def batch_tensor(values: np.ndarray, indices) -> torch.Tensor:
    """Rows ``indices`` (an index array or a slice) of ``values`` as a tensor of their own (floating
    values as float32): never a view of the caller's array, which may be read-only."""
    rows = np.asarray(values)[indices]
    if rows.dtype.kind == "f" and rows.dtype != np.float32:
        rows = rows.astype(np.float32)
    elif not rows.flags.owndata:  # a slice is a view: copy it
        rows = rows.copy()
    return torch.from_numpy(np.ascontiguousarray(rows))


class BatchLoader:
    """Iterates over an :class:`ArrayDataset` (or a ``Subset`` of one) in batches of index arrays.

    Used as skorch's ``iterator_train`` and ``iterator_valid``. Shuffling draws from ``generator``
    (:func:`train` gives each fit its own, so fits in threads do not draw from each other's stream).

    Parameters
    ----------
    dataset : ArrayDataset or torch.utils.data.Subset of one
        The data.
    batch_size : int
        Rows per batch.
    shuffle : bool, default=False
        Draw a new random order every epoch.
    group_by_length : bool, default=False
        With ``shuffle``, cut each epoch's random order into spans of ``GROUP_SPAN`` batches, sort each
        span by sequence length (input plus target steps) and shuffle the resulting batches, so that a
        batch holds sequences of similar length and pads little. Data whose sequences all have the
        same length is batched exactly as without grouping.
    generator : torch.Generator or None, default=None
        The random stream of the shuffles; None: torch's global one.
    """

    GROUP_SPAN = 20

    def __init__(self, dataset, batch_size: int, shuffle: bool = False, group_by_length: bool = False,
                 generator: torch.Generator | None = None) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.group_by_length = group_by_length
        self.generator = generator

    def __len__(self) -> int:
        return -(-len(self.dataset) // self.batch_size)

    def __iter__(self):
        n_samples = len(self.dataset)
        if not self.shuffle:
            order = np.arange(n_samples)
        else:
            order = torch.randperm(n_samples, generator=self.generator).numpy()
            if self.group_by_length:
                steps = _sample_steps(self.dataset)
                if steps.min() < steps.max():
                    yield from (self.dataset[rows] for rows in self._grouped_batches(order, steps))
                    return
        for start in range(0, n_samples, self.batch_size):
            yield self.dataset[order[start : start + self.batch_size]]

    def _grouped_batches(self, order: np.ndarray, steps: np.ndarray) -> list[np.ndarray]:
        span = self.batch_size * self.GROUP_SPAN
        batches = []
        for start in range(0, len(order), span):
            chunk = order[start : start + span]
            chunk = chunk[np.argsort(steps[chunk], kind="stable")]  # ties keep their random order
            batches += [chunk[i : i + self.batch_size] for i in range(0, len(chunk), self.batch_size)]
        return [batches[i] for i in torch.randperm(len(batches), generator=self.generator).tolist()]


def _sample_steps(dataset) -> np.ndarray:
    """Input plus target steps of each sample of an :class:`ArrayDataset` or a ``Subset`` of one."""
    indices = slice(None)
    if isinstance(dataset, torch.utils.data.Subset):
        dataset, indices = dataset.dataset, np.asarray(dataset.indices)
    steps = np.asarray(dataset.X["lengths"], dtype=np.int64)
    if "target_lengths" in dataset.X:
        steps = steps + np.asarray(dataset.X["target_lengths"], dtype=np.int64)
    return steps[indices]


class TeacherForcingSchedule(Callback):
    """Scheduled sampling: move the net's teacher-forcing probability linearly from ``start`` (first
    epoch) to ``end`` (last epoch)."""

    def __init__(self, start: float, end: float) -> None:
        self.start = start
        self.end = end

    def on_epoch_begin(self, net, **kwargs) -> None:
        progress = (len(net.history) - 1) / max(net.max_epochs - 1, 1)
        net.teacher_forcing = self.start + (self.end - self.start) * min(progress, 1.0)


class Seq2SeqNet(NeuralNet):
    """skorch ``NeuralNet`` that trains a :class:`~sklearn_seq2seq._nn.Seq2SeqModule`.

    ``X`` is a dict of arrays: ``x`` (n, T, F), ``lengths`` (n,), ``target`` and ``target_lengths``;
    ``y`` is the target again, for skorch's bookkeeping. The loss is masked by ``target_lengths`` and
    the module reads the target for teacher forcing. For token inputs ``x`` is (n, T) ids; for token
    targets ``target`` is (n, H) ids and the criterion a masked cross-entropy.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`skorch.NeuralNet`.
    teacher_forcing : float, default=1.0
        Probability, at each training step, of feeding the decoder the target rather than its own
        previous prediction (used with ``decoder_input="previous"``).
    """

    def __init__(self, *args, teacher_forcing: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.teacher_forcing = teacher_forcing

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        """skorch's training loop, noting whether a user's ``KeyboardInterrupt`` stopped it (skorch
        catches it to keep the model trained so far; :func:`train` raises it again)."""
        self.interrupted_ = False
        self.flatten_rnn_weights()
        try:
            return super().fit_loop(X, y, epochs=epochs, **fit_params)
        except KeyboardInterrupt:
            # skorch's EarlyStopping stops training by raising KeyboardInterrupt too: that is no interrupt
            self.interrupted_ = not any(
                isinstance(cb, EarlyStopping) and getattr(cb, "misses_", 0) >= cb.patience
                for _, cb in self.callbacks_
            )
            raise

    def flatten_rnn_weights(self) -> None:
        """Put each RNN's weights back in one contiguous block (cuDNN needs it) after a copy, unpickling
        or ``load_state_dict`` scattered them; a no-op where they already are, and on the CPU."""
        for module in self.module_.modules():
            if isinstance(module, nn.RNNBase):
                module.flatten_parameters()

    def get_iterator(self, dataset, training=False):
        """skorch's iterator, shuffling training batches with this fit's own generator
        (``shuffle_generator_``, set by :func:`train`)."""
        iterator = super().get_iterator(dataset, training=training)
        if training and isinstance(iterator, BatchLoader):
            iterator.generator = getattr(self, "shuffle_generator_", None)
        return iterator

    def infer(self, x, **fit_params):
        if self.module_.training:
            fit_params.setdefault("teacher_forcing", self.teacher_forcing)
        if "target" in x:  # decode only as many steps as the batch's longest target has
            x = {**x, "target": x["target"][:, : int(x["target_lengths"].max())]}
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """The masked decoding loss plus the terms the module's forward pass left beside it
        (``auxiliary_loss_``: the contrastive term in training, the classification loss)."""
        y_true = to_device(torch.as_tensor(y_true), self.device)[:, : y_pred.shape[1]]
        loss = self.criterion_(y_pred, y_true, to_device(X["target_lengths"], self.device))
        auxiliary = getattr(self.module_, "auxiliary_loss_", None)
        if auxiliary is not None:
            loss = loss + auxiliary
        self.module_.auxiliary_loss_ = None
        return loss


def _callbacks(params: dict, n_samples: int, checkpoint_key: str | None, early_stopping: bool, seed: int):
    """The skorch callbacks and train split for the estimator parameters ``params``."""
    callbacks: list = []
    teacher_forcing = params["teacher_forcing"]
    if isinstance(teacher_forcing, tuple):
        if len(teacher_forcing) != 2 or not all(isinstance(p, Real) and 0 <= p <= 1 for p in teacher_forcing):
            raise ValueError(
                f"teacher_forcing must be a probability or a (start, end) pair of probabilities for a "
                f"linear schedule over the epochs; got {teacher_forcing!r}."
            )
        callbacks.append(("teacher_forcing", TeacherForcingSchedule(*teacher_forcing)))
    if params["clip_grad_norm"] is not None:
        callbacks.append(("clip", GradientNormClipping(gradient_clip_value=params["clip_grad_norm"])))
    train_split = None
    if early_stopping:
        n_valid = math.ceil(n_samples * params["validation_fraction"])
        if n_valid < 1 or n_samples - n_valid < 1:
            raise ValueError(
                f"early_stopping needs at least one training and one validation sequence; with "
                f"{n_samples} samples and validation_fraction={params['validation_fraction']} there are not."
            )
        callbacks.append(("early_stopping",
                          EarlyStopping(monitor="valid_loss", patience=params["n_iter_no_change"], load_best=True)))
        train_split = ValidSplit(params["validation_fraction"], stratified=False, random_state=seed)
    if params["verbose"] and params["verbose"] >= 2:
        callbacks.append(("progress", ProgressBar()))
    for i, cb in enumerate(copy.deepcopy(params["callbacks"] or [])):
        if not isinstance(cb, (Callback, tuple)):
            raise TypeError(f"callbacks must be skorch Callback instances or (name, callback) tuples; got {cb!r}.")
        callbacks.append(cb if isinstance(cb, tuple) else (f"user_{i}_{type(cb).__name__}", cb))
    for _, cb in callbacks:
        if isinstance(cb, CHECKPOINT_CALLBACKS) and checkpoint_key is not None:
            cb.dirname = os.path.join(cb.dirname, checkpoint_key)
    return callbacks, train_split


def _has_bank(module_kwargs: dict) -> bool:
    """Whether the module of these arguments reads a kernel bank."""
    return module_kwargs.get("kernel_bank_steps", 0) > 0


def _trains_on_bank_views(module_kwargs: dict) -> bool:
    """Whether the module of these arguments reads a kernel bank and trains a contrastive term (whose
    views a pool can hold: ``_inference.with_view_pool``)."""
    return _has_bank(module_kwargs) and module_kwargs.get("contrastive", 0) > 0


def _param_groups(lr: float, module_kwargs: dict, recurrent_lr_scale: float) -> list:
    """skorch ``param_groups`` for a module of ``module_kwargs`` trained at ``lr``: the kernel bank's
    map at :data:`BANK_MAP_LR_SCALE` of it and, with a bank, the recurrent branch at
    ``recurrent_lr_scale`` of it."""
    groups = [(BANK_MAP_PARAMETERS, {"lr": lr * BANK_MAP_LR_SCALE})]
    if _has_bank(module_kwargs) and recurrent_lr_scale != 1.0:
        groups += [(pattern, {"lr": lr * recurrent_lr_scale}) for pattern in RECURRENT_PARAMETERS]
    return groups


def make_net(
    params: dict,
    module_kwargs: dict,
    *,
    n_samples: int,
    device: str,
    seed: int,
    checkpoint_key: str | None = None,
    early_stopping: bool | None = None,
    auto_steps: int = AUTO_STEPS,
    bank_auto_steps: int | None = None,
    bank_auto_max_epochs: int | None = None,
    recurrent_lr_scale: float = 1.0,
) -> Seq2SeqNet:
    """The skorch net for an estimator's parameters ``params`` and the module arguments of its layout.

    Parameters
    ----------
    params : dict
        The estimator's ``get_params(deep=False)``.
    module_kwargs : dict
        Arguments of :class:`~sklearn_seq2seq._nn.Seq2SeqModule`.
    n_samples : int
        Sequences the net is trained on (the number of epochs of ``max_epochs="auto"`` follows it).
    device : str
        A resolved torch device.
    seed : int
        Seeds the early-stopping split.
    checkpoint_key : str or None, default=None
        A subfolder that the user's ``Checkpoint`` callbacks write to inside their ``dirname``.
    early_stopping : bool or None, default=None
        Overrides ``params["early_stopping"]`` (``partial_fit`` trains without it, as scikit-learn's
        ``partial_fit`` methods do).
    auto_steps : int, default=AUTO_STEPS
        The optimiser steps ``max_epochs="auto"`` aims at (the estimator's own).
    bank_auto_steps : int or None, default=None
        With a kernel bank and a contrastive term, the optimiser steps ``max_epochs="auto"`` aims at
        instead (the estimator's own); None: ``auto_steps``.
    bank_auto_max_epochs : int or None, default=None
        With a kernel bank and a contrastive term, the most epochs ``max_epochs="auto"`` trains for
        (the estimator's own); None: the upper end of ``AUTO_EPOCHS_RANGE``.
    recurrent_lr_scale : float, default=1.0
        With a kernel bank, the fraction of ``lr`` the recurrent branch of the code
        (:data:`RECURRENT_PARAMETERS`) trains at (the estimator's own; without a bank that branch is
        the whole code and trains at ``lr``).
    """
    if early_stopping is None:
        early_stopping = params["early_stopping"]
    auto_length = (auto_steps, AUTO_EPOCHS_RANGE[1])  # max_epochs="auto": the steps aimed at, the most epochs
    if bank_auto_steps and _trains_on_bank_views(module_kwargs):
        auto_length = (bank_auto_steps, bank_auto_max_epochs or AUTO_EPOCHS_RANGE[1])
    callbacks, train_split = _callbacks(params, n_samples, checkpoint_key, early_stopping, seed)
    teacher_forcing = params["teacher_forcing"]
    optimizer = OPTIMIZERS[params["optimizer"]] if isinstance(params["optimizer"], str) else params["optimizer"]
    if "n_output_tokens" in module_kwargs:
        criterion = {"criterion": MaskedCrossEntropyLoss, "criterion__label_smoothing": params.get("label_smoothing", 0.0)}
    else:
        criterion = {"criterion": MaskedMSELoss}
    return Seq2SeqNet(
        module=Seq2SeqModule,
        **{f"module__{key}": value for key, value in module_kwargs.items()},
        **criterion,
        optimizer=optimizer,
        optimizer__weight_decay=params["weight_decay"],
        optimizer__param_groups=_param_groups(params["lr"], module_kwargs, recurrent_lr_scale),
        lr=params["lr"],
        max_epochs=n_epochs(params["max_epochs"], n_samples, params["batch_size"], *auto_length),
        batch_size=params["batch_size"],
        train_split=train_split,
        callbacks=callbacks,
        dataset=ArrayDataset,
        iterator_train=BatchLoader,
        iterator_valid=BatchLoader,
        iterator_train__shuffle=True,
        iterator_train__group_by_length=params["group_by_length"],
        teacher_forcing=teacher_forcing[0] if isinstance(teacher_forcing, tuple) else teacher_forcing,
        verbose=int(bool(params["verbose"])),
        device=device,
    )


#: Held while a fit seeds torch's global random state and initialises its weights from it, so that
#: fits running in threads at once each initialise from their own seed.
_SEEDING_LOCK = threading.Lock()


@contextmanager
def torch_threads(n_threads: int | None):
    """Run the block with ``n_threads`` torch intra-op threads in the calling thread (None: as it is),
    then restore the calling thread's setting.

    With torch's OpenMP thread pool (its CPU builds) the setting belongs to the calling thread, so
    other threads of the process keep theirs (``tests/test_robustness.py`` checks it).
    """
    if n_threads is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _forked_rng(device: str):
    """``torch.random.fork_rng`` for the CPU and the net's CUDA device: the caller's torch random state
    is restored afterwards."""
    fork_devices = [torch.device(device).index or 0] if str(device).startswith("cuda") else []
    return torch.random.fork_rng(devices=fork_devices)


def _uses_dropout(module: nn.Module) -> bool:
    """Whether training ``module`` draws dropout masks (``nn.Dropout`` layers or RNN dropout above 0)."""
    return any((isinstance(m, nn.Dropout) and m.p > 0) or (isinstance(m, nn.RNNBase) and m.dropout > 0)
               for m in module.modules())


def initialize(net: Seq2SeqNet, seed: int) -> Seq2SeqNet:
    """Initialise ``net`` (weights, optimizer, callbacks) from ``seed``, leaving torch's global random
    state as it was."""
    with _SEEDING_LOCK, _forked_rng(str(net.device)):
        torch.manual_seed(seed % np.iinfo(np.int32).max)
        net.initialize()
    return net


#: Training sequences a kernel bank's biases, scaling and map's start are set from, at most
#: (:func:`fit_kernel_bank`).
KERNEL_BANK_SEQUENCES = 256


def fit_kernel_bank(net: Seq2SeqNet, data: dict, seed: int) -> dict:
    """Set the kernel bank of the initialised ``net``'s module (if it has one) and start its map into
    the code at the principal directions of the bank's features (``Seq2SeqModule.fit_kernel_bank``),
    from at most :data:`KERNEL_BANK_SEQUENCES` training inputs of ``data``, drawn with ``seed``.

    Returns ``data``, with ``"bank_features"`` (float32, one row per training sequence) when the bank
    was set from every training sequence: their features by the fitted bank, which the fit computed
    anyway and training reads (``_inference.with_bank_features``)."""
    module = net.module_
    if module.kernel_bank is None:
        return data
    generator = torch.Generator().manual_seed(seed % np.iinfo(np.int32).max)
    n_samples = len(data["lengths"])
    rows = np.sort(torch.randperm(n_samples, generator=generator)[:KERNEL_BANK_SEQUENCES].numpy())
    x = to_device(batch_tensor(data["x"], rows), net.device)
    lengths = to_device(torch.as_tensor(np.asarray(data["lengths"])[rows]), net.device)
    features = module.fit_kernel_bank(x, lengths, generator)
    if len(rows) < n_samples:
        return data
    return {**data, "bank_features": features.float().cpu().numpy()}


def train(net: Seq2SeqNet, data: dict, *, epochs: int, seed: int) -> None:
    """Train the initialised ``net`` (:func:`initialize`) for ``epochs`` epochs on ``data`` (see
    :class:`Seq2SeqNet`), seeded by ``seed`` and leaving torch's global random state as it was.

    Raises
    ------
    KeyboardInterrupt
        When the user interrupted training; ``net`` then holds the weights and history reached.
    FloatingPointError
        When the training loss became NaN or infinite.
    """
    seed = seed % np.iinfo(np.int32).max
    net.shuffle_generator_ = torch.Generator().manual_seed(seed)
    # the module's own stream for input noise and contrastive views, for this fit only
    net.module_.random_generator = torch.Generator(device=net.device).manual_seed(seed + 1)
    try:
        if _uses_dropout(net.module_):
            # dropout draws from torch's global stream: seed it in a fork, holding the lock so that no
            # other fit seeds or initialises from that stream meanwhile (such fits run one at a time)
            with _SEEDING_LOCK, _forked_rng(str(net.device)):
                torch.manual_seed(seed)
                net.partial_fit(data, data["target"], epochs=epochs)
        else:  # nothing draws from the global stream: fits in threads run side by side
            net.partial_fit(data, data["target"], epochs=epochs)
    finally:
        net.module_.random_generator = None
    if getattr(net, "interrupted_", False):
        return
    losses = net.history[:, "train_loss"]
    if not np.all(np.isfinite(losses)):
        raise FloatingPointError(
            "Training diverged: the training loss became NaN or infinite. Lower `lr`, keep "
            "`clip_grad_norm` set, or check the data for extreme values."
        )


def carry_over(old: Seq2SeqNet, new: Seq2SeqNet, *, keep_optimizer: bool) -> None:
    """Start the initialised ``new`` net where ``old`` stopped: its weights and history, and with
    ``keep_optimizer`` the optimizer's state too (when both use the same optimizer class and group
    the parameters alike), with each parameter group's settings (learning rate, weight decay) of
    ``new``.

    Raises
    ------
    ValueError
        When the weights do not fit ``new``'s module (an architecture parameter changed).
    """
    try:
        new.module_.load_state_dict(old.module_.state_dict())
    except RuntimeError as exc:
        raise ValueError(
            "The fitted weights do not fit the model the current parameters describe (an architecture "
            "parameter such as hidden_size, cell or n_components changed since fit). Continued training "
            f"keeps the fitted architecture: set those parameters back, or fit afresh. ({str(exc)[:200]})"
        ) from None
    if keep_optimizer and type(old.optimizer_) is type(new.optimizer_):
        # each group's settings (learning rate, weight decay, ...) as the current parameters set them
        settings = [{key: value for key, value in group.items() if key != "params"}
                    for group in new.optimizer_.param_groups]
        try:
            new.optimizer_.load_state_dict(old.optimizer_.state_dict())
        except ValueError:  # grouped otherwise (fitted before the bank's map had its own rate): start afresh
            pass
        else:
            for group, setting in zip(new.optimizer_.param_groups, settings):
                group.update(setting)
    new.history = copy.deepcopy(old.history)
