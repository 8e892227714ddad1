"""What ``fit`` learns about the data, in one object: :class:`FittedLayout`.

``fit`` builds it from the data and the parameters, every later call (``transform``, ``predict``,
``score``, continued training) reads it, and :mod:`~sklearn_seq2seq.persistence` writes and reads it as
a closed JSON schema. Nothing here imports torch.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._data import Sequences, feature_stats
from ._tokens import END, PAD, START, TOKEN_FORMS, TokenSequences, Vocabulary

#: Where the targets come from: the inputs themselves (an autoencoder) or a separate ``y``.
TARGET_SOURCES = ("X", "y")

#: ``decoder_input="auto"`` feeds previous values (teacher forcing) when the longest target sequence
#: takes more than this many decoder steps (frames), positional features otherwise (how it was chosen:
#: docs/defaults.md).
AUTO_PREVIOUS_ABOVE_STEPS = 100

#: ``frame_length="auto"`` stacks steps into frames so that the longest numeric sequence seen in ``fit``
#: takes at most this many encoder (and decoder) steps; classifiers keep at most
#: ``CLASSIFIER_AUTO_MAX_FRAMES`` (how both were chosen: docs/defaults.md).
AUTO_MAX_FRAMES = 32
CLASSIFIER_AUTO_MAX_FRAMES = 64

#: ``contrastive="auto"``: the weight of the contrastive term for autoencoders of numeric sequences
#: (0 for supervised fits and token inputs; how it was chosen: docs/defaults.md).
AUTO_CONTRASTIVE = 1.0
#: ``contrastive="auto"`` for a classifier whose every training sequence is labelled: the labels shape
#: the encodings there, and the term cost accuracy beside them (docs/defaults.md).
LABELLED_CONTRASTIVE = 0.0

#: How far the random views of the contrastive term (and of a classifier's pseudo-labels) rescale each
#: feature and how much noise they add: encodings keep amplitude (a regression on them needs it),
#: classifiers learn to ignore more of it (how these were chosen: docs/defaults.md). With
#: ``standardize="per_sequence"`` an autoencoder's view noise is relative to each sequence's own scale
#: (faint series are not drowned); a classifier's stays relative to each feature's overall scale
#: (measured both ways: docs/defaults.md).
VIEW_STRENGTH = 0.1
CLASSIFIER_VIEW_STRENGTH = 0.3

#: The shortest random crop of a sequence in those views, as a fraction of its steps; beside a kernel
#: bank, ``Seq2SeqTransformer``'s encodings crop down to ``BANK_VIEW_MIN_CROP`` (how both were chosen:
#: docs/defaults.md).
VIEW_MIN_CROP = 0.5
BANK_VIEW_MIN_CROP = 0.25

#: Regressions of numeric sequences to one number and classifiers (with the autoencoders they pretrain)
#: give the convolutional front end a third, wider scale (receptive fields of 9, 33 and 129 steps);
#: other fits keep the module's default two (how this was chosen: docs/defaults.md).
WIDE_FRONT_DILATIONS = (1, 4, 16)

#: ``kernel_bank="auto"`` reads a kernel bank for the encodings (and a classifier's) of numeric series
#: whose longest training series has at least this many steps, one kernel's span (shorter series, as
#: digits' 8 rows, lost accuracy with it: docs/defaults.md).
KERNEL_BANK_MIN_STEPS = 9


#: Parameters that shape the module or how the data is read: a classifier started from a pretrained
#: model takes them from that model.
ARCHITECTURE_PARAMS = ("n_components", "hidden_size", "cell", "encoder", "kernel_bank", "frame_length", "num_layers",
                       "bidirectional", "dropout", "readout", "n_slots", "attention", "attend_over", "decoder_input",
                       "reverse_target", "standardize", "input_tokens", "min_frequency", "max_vocabulary_size",
                       "embedding_dim")


def input_steps(seqs: Sequences | TokenSequences) -> np.ndarray:
    """Real steps of each input sequence: its tokens (without the appended end symbol) or its timesteps."""
    return seqs.lengths - 1 if isinstance(seqs, TokenSequences) else seqs.lengths


def target_stats(targets: Sequences, *, per_column: bool, standardize: bool) -> tuple[np.ndarray, np.ndarray]:
    """Mean and scale of numeric targets, shape (1, F_out), or (H, 1) with ``per_column``.

    ``per_column`` is for a fixed-length 2-D ``y`` ``(n, H)``: each of its ``H`` columns is an output
    of its own (a vector, or the steps of a forecast) and gets its own scale, so a column of small
    numbers beside one of large numbers still counts in the loss. Otherwise every feature has one
    scale over all real steps, as for input sequences.
    """
    n_steps, n_features = targets.values.shape[1:]
    if not standardize:
        shape = (n_steps, 1) if per_column else (1, n_features)
        return np.zeros(shape), np.ones(shape)
    if per_column:
        columns = Sequences(values=targets.values[:, :, 0][:, np.newaxis, :],
                            lengths=np.ones(targets.n_samples, np.int64), ndim=2)
        mean, scale = feature_stats(columns)
        return mean[:, np.newaxis], scale[:, np.newaxis]
    mean, scale = feature_stats(targets)
    return mean[np.newaxis, :], scale[np.newaxis, :]


@dataclass(frozen=True)
class FittedLayout:
    """What a fitted estimator learned about its data, besides the weights.

    Attributes
    ----------
    targets_from : {"X", "y"}
        ``"X"``: an autoencoder (the targets are the inputs); ``"y"``: a separate target.
    input_form : {"chars", "words", "ids"} or None
        The token form of the inputs, or None for numbers.
    input_ndim : int
        Numeric inputs: 2 when ``fit`` saw a 2-D array (its columns are timesteps, and later calls must
        pass as many), else 3. Token inputs: 0.
    n_channels : int
        Features per input timestep (1 for tokens).
    vocabulary, target_vocabulary : Vocabulary or None
        The input and target vocabularies of token data (the same object for a token autoencoder).
    target_ndim : int
        Dimensions of the numeric ``y`` as given (1, 2 or 3; 3 for a list of 2-D arrays and 2 for a
        list of 1-D arrays); outputs are given back in that form. 0 for token targets.
    target_is_list : bool
        Whether the numeric ``y`` (or the ``X`` of an autoencoder) was a list of sequences.
    n_target_steps : int
        Steps of the longest target sequence seen (for tokens, the end symbol counted).
    fixed_target_length : bool
        Whether every target had ``n_target_steps`` steps.
    n_outputs : int
        Features per output step (1 for tokens).
    lengths_follow_input : bool
        Whether outputs are as long as their inputs (autoencoders, and ragged targets as long as their
        inputs); otherwise they have ``n_target_steps`` steps.
    x_mean, x_scale : ndarray of shape (n_channels,) or None
        Standardisation of numeric inputs (None for tokens).
    y_mean, y_scale : ndarray of shape (1, n_outputs) or (n_target_steps, 1), or None
        Standardisation of numeric targets (per feature, or per column of a 2-D ``y``; None for tokens).
    decoder_input : {"position", "previous", "zeros"}
        What each decoder step reads (``decoder_input="auto"`` resolved).
    module_kwargs : dict
        The arguments of :class:`~sklearn_seq2seq._nn.Seq2SeqModule` (plain numbers, strings, tuples).
    n_fit_samples : int
        Sequences ``fit`` trained on (the number of epochs of a continuation follows it with
        ``max_epochs="auto"``).
    seed : int
        The seed drawn from ``random_state`` in ``fit``; continued training derives its seeds from it.
    classes : ndarray of shape (n_classes,) or None, default=None
        Classifiers: the class labels, in the order of the head's outputs (None for other models).
    """

    targets_from: str
    input_form: str | None
    input_ndim: int
    n_channels: int
    vocabulary: Vocabulary | None
    target_vocabulary: Vocabulary | None
    target_ndim: int
    target_is_list: bool
    n_target_steps: int
    fixed_target_length: bool
    n_outputs: int
    lengths_follow_input: bool
    x_mean: np.ndarray | None
    x_scale: np.ndarray | None
    y_mean: np.ndarray | None
    y_scale: np.ndarray | None
    decoder_input: str
    module_kwargs: dict = field(repr=False)
    n_fit_samples: int
    seed: int
    classes: np.ndarray | None = None

    @property
    def target_tokens(self) -> bool:
        """Whether the model generates tokens."""
        return self.target_vocabulary is not None

    def output_lengths(self, seqs: Sequences | TokenSequences) -> np.ndarray:
        """How many steps to generate for each input: as long as the input when the targets followed the
        inputs' lengths in ``fit`` (autoencoders, ragged per-step targets), else ``n_target_steps``."""
        if self.lengths_follow_input:
            return input_steps(seqs)
        return np.full(seqs.n_samples, self.n_target_steps, dtype=np.int64)

    def scale_targets(self, values: np.ndarray) -> np.ndarray:
        """Numeric targets (n, H, F_out) standardised, float32."""
        return ((values - self.y_mean[: values.shape[1]]) / self.y_scale[: values.shape[1]]).astype(np.float32)

    def unscale_targets(self, values: np.ndarray, dtype: np.dtype) -> np.ndarray:
        """Decoded values (n, H, F_out) back in the targets' units, as ``dtype``."""
        return (values * self.y_scale[: values.shape[1]] + self.y_mean[: values.shape[1]]).astype(dtype, copy=False)

    # ------------------------------------------------------------------ the file format's schema
    def to_json(self) -> dict[str, Any]:
        """The layout as plain JSON values (see :meth:`from_json`)."""
        out: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, Vocabulary):
                value = {"tokens": list(value.tokens), "form": value.form}
            elif isinstance(value, np.ndarray):
                value = value.tolist()
            elif item.name == "module_kwargs":
                value = {k: list(v) if isinstance(v, tuple) else v for k, v in value.items()}
            out[item.name] = value
        if self.target_vocabulary is not None and self.target_vocabulary is self.vocabulary:
            out["target_vocabulary"] = "vocabulary"
        return out

    @classmethod
    def from_json(cls, data: Any, module_arguments: set[str]) -> FittedLayout:
        """Read a layout written by :meth:`to_json`, accepting exactly its keys, each of its type.

        ``module_arguments`` are the names the module's arguments may have. Raises ``ValueError`` naming
        the first key that is missing, unknown or of the wrong form.
        """
        if not isinstance(data, dict):
            raise ValueError("the layout is not a JSON object")
        names = {item.name for item in dataclasses.fields(cls)}
        if set(data) == names - {"classes"}:  # written before classifiers existed
            data = {**data, "classes": None}
        if set(data) != names:
            extra, missing = sorted(set(data) - names), sorted(names - set(data))
            raise ValueError(f"the layout's keys differ from the schema (unknown: {extra}, missing: {missing})")
        values: dict[str, Any] = {}
        for name, read in _SCHEMA.items():
            try:
                values[name] = read(data[name])
            except (TypeError, ValueError) as exc:
                raise ValueError(f"layout field {name!r}: {exc}") from None
        if data["target_vocabulary"] == "vocabulary":
            values["target_vocabulary"] = values["vocabulary"]
        else:
            values["target_vocabulary"] = _optional(_vocabulary)(data["target_vocabulary"])
        values["module_kwargs"] = _read_module_kwargs(data["module_kwargs"], module_arguments)
        return cls(**values)


def resolve_decoder_input(decoder_input: str, n_target_steps: int, token_targets: bool, frame_length: int = 1) -> str:
    """The decoder input the parameter ``decoder_input`` means for these targets, decoded
    ``frame_length`` steps at a time ("auto" resolved)."""
    if token_targets:
        if decoder_input not in ("auto", "previous"):
            raise ValueError(
                f"decoder_input={decoder_input!r} cannot generate tokens: token targets are generated one "
                "token after another from the previous one. Use decoder_input='auto' or 'previous'."
            )
        return "previous"
    if decoder_input == "auto":
        return "previous" if -(-n_target_steps // frame_length) > AUTO_PREVIOUS_ABOVE_STEPS else "position"
    return decoder_input


def longest_numeric_steps(seqs: Sequences | TokenSequences, targets: Sequences | TokenSequences) -> int:
    """Steps of the longest numeric input or target sequence (0 when both sides are tokens)."""
    return max(0 if isinstance(seqs, TokenSequences) else seqs.values.shape[1],
               0 if isinstance(targets, TokenSequences) else targets.values.shape[1])


def resolve_frame_length(frame_length: int | str, longest_numeric: int, max_frames: int) -> int:
    """The frame length the parameter ``frame_length`` means when the longest numeric input or target
    sequence has ``longest_numeric`` steps ("auto" resolved so that it takes at most ``max_frames``
    frames; 1 when every side is tokens)."""
    if frame_length == "auto":
        return max(1, -(-longest_numeric // max_frames))
    return int(frame_length)


def learn_layout(
    seqs: Sequences | TokenSequences,
    targets: Sequences | TokenSequences,
    targets_from: str,
    params: dict,
    *,
    seed: int,
    classes: np.ndarray | None = None,
    max_frames: int,
    wide_front: bool = False,
    bank_view_crop: float = VIEW_MIN_CROP,
    bank_length: bool = False,
    bank_coarse: bool = False,
    all_labelled: bool = False,
) -> FittedLayout:
    """What ``fit`` learns about the data: scaling, target form, step counts, the output-length rule,
    vocabularies, and the module's arguments.

    Parameters
    ----------
    seqs, targets : Sequences or TokenSequences
        The training inputs and targets as read (token sequences carry their learned vocabulary).
    targets_from : {"X", "y"}
        Whether ``targets`` are the inputs themselves (an autoencoder) or a separate ``y``.
    params : dict
        The estimator's parameters (``get_params(deep=False)``).
    seed : int
        The seed drawn for this fit.
    classes : ndarray or None, default=None
        A classifier's class labels (its module gets a head with one output per class).
    max_frames : int
        The most frames ``frame_length="auto"`` lets the longest numeric sequence take (the estimator's own).
    wide_front : bool, default=False
        Whether a convolutional front end reads the wider scales of :data:`WIDE_FRONT_DILATIONS` (the
        estimator's own: classifiers and the autoencoders they pretrain); regressions to one number
        always do.
    bank_view_crop : float, default=VIEW_MIN_CROP
        Beside a kernel bank, the shortest crop of the contrastive views, as a fraction of a sequence's
        steps (the estimator's own; without a bank it is :data:`VIEW_MIN_CROP`).
    bank_length : bool, default=False
        Whether a kernel bank's features end with the log of each series' length where the training
        series differ in length (the estimator's own).
    bank_coarse : bool, default=False
        Whether a kernel bank also reads the series averaged over windows twice as long (the
        estimator's own).
    all_labelled : bool, default=False
        Whether a classifier's every training sequence is labelled (:func:`fully_labelled`):
        ``contrastive="auto"`` is then :data:`LABELLED_CONTRASTIVE`.

    Raises
    ------
    ValueError
        For ``reverse_target=True`` with numeric targets of different lengths that are not their
        inputs' lengths (the outputs could not be put back in time order), and for token targets with
        a ``decoder_input`` that cannot generate tokens.
    """
    token_inputs = isinstance(seqs, TokenSequences)
    token_targets = isinstance(targets, TokenSequences)
    n_target_steps = targets.values.shape[1]
    if token_targets:
        lengths_follow_input = False
        y_mean = y_scale = None
        n_outputs, target_ndim, target_is_list = 1, 0, False
    else:
        # ragged targets as long as their inputs (e.g. labelling every step) are generated that long
        lengths_follow_input = targets_from == "X" or (
            targets.padded and np.array_equal(targets.lengths, input_steps(seqs))
        )
        per_column = targets_from == "y" and targets.ndim == 2 and not targets.is_list and not targets.padded
        y_mean, y_scale = target_stats(targets, per_column=per_column, standardize=params["standardize"])
        n_outputs, target_ndim, target_is_list = targets.values.shape[2], targets.ndim, targets.is_list
    if params["reverse_target"] and not token_targets and targets.padded and not lengths_follow_input:
        raise ValueError(
            "reverse_target=True needs to know each output's length to put it back in time order, but "
            "the targets have different lengths that do not follow their inputs' lengths: predict "
            "generates the longest target length for every sequence. Give targets of one length, "
            "or set reverse_target=False."
        )
    x_mean = x_scale = None
    if not token_inputs:
        if params["standardize"]:
            x_mean, x_scale = feature_stats(seqs)
        else:
            x_mean, x_scale = np.zeros(seqs.values.shape[2]), np.ones(seqs.values.shape[2])
    frame_length = resolve_frame_length(params["frame_length"], longest_numeric_steps(seqs, targets), max_frames)
    vocabulary = seqs.vocabulary if token_inputs else None
    target_vocabulary = None
    if token_targets:
        target_vocabulary = vocabulary if targets_from == "X" else targets.vocabulary
    layout = FittedLayout(
        targets_from=targets_from, input_form=vocabulary.form if token_inputs else None,
        input_ndim=0 if token_inputs else (2 if (seqs.ndim == 2 and not seqs.is_list) else 3),
        n_channels=1 if token_inputs else seqs.values.shape[2],
        vocabulary=vocabulary, target_vocabulary=target_vocabulary, target_ndim=target_ndim,
        target_is_list=target_is_list, n_target_steps=n_target_steps,
        fixed_target_length=not targets.padded, n_outputs=n_outputs,
        lengths_follow_input=bool(lengths_follow_input), x_mean=x_mean, x_scale=x_scale, y_mean=y_mean,
        y_scale=y_scale, decoder_input=resolve_decoder_input(params["decoder_input"], n_target_steps, token_targets,
                                                             frame_length),
        module_kwargs={}, n_fit_samples=seqs.n_samples, seed=seed, classes=classes,
    )
    n_input_steps = 0 if token_inputs else seqs.values.shape[1]
    return dataclasses.replace(layout, module_kwargs=module_kwargs(layout, params, frame_length, wide_front,
                                                                      all_labelled, n_input_steps, bank_view_crop,
                                                                      bank_length and not token_inputs and seqs.padded,
                                                                      bank_coarse))


def relayout(layout: FittedLayout, params: dict) -> FittedLayout:
    """The fitted layout with the decoder input and module arguments the current ``params`` give (for
    continued training after ``set_params``; ``frame_length="auto"`` keeps the fitted frames and
    ``encoder="auto"`` the fitted encoder, which a classifier may have taken from its pretraining; the
    value head and the front end's dilations stay as fitted)."""
    if params["encoder"] == "auto":
        params = {**params, "encoder": layout.module_kwargs.get("encoder", "recurrent")}
    fitted = layout.module_kwargs.get("frame_length", 1)
    frame_length = fitted if params["frame_length"] == "auto" else int(params["frame_length"])
    decoder_input = resolve_decoder_input(params["decoder_input"], layout.n_target_steps, layout.target_tokens,
                                          frame_length)
    layout = dataclasses.replace(layout, decoder_input=decoder_input)
    kwargs = module_kwargs(layout, params, frame_length)
    # a model of one number saved before value heads existed keeps predicting through its decoder, and
    # a classifier (or a model of one number) saved before bank heads existed through its code's head
    kwargs["value_head"] = layout.module_kwargs.get("value_head", False)
    kwargs["bank_head"] = layout.module_kwargs.get("bank_head", False)
    # the views crop as fitted (a bank's are the estimator's own; a model saved before they were
    # chosen per fit cropped to half)
    kwargs["view_min_crop"] = layout.module_kwargs.get("view_min_crop", VIEW_MIN_CROP)
    if params["contrastive"] == "auto":  # as the fit resolved it (a classifier's depends on its labels)
        kwargs["contrastive"] = layout.module_kwargs.get("contrastive", kwargs["contrastive"])
    fitted_bank = layout.module_kwargs.get("kernel_bank_steps", 0) > 0
    if params["kernel_bank"] != "auto" and bool(params["kernel_bank"]) != fitted_bank:
        raise ValueError(f"kernel_bank={params['kernel_bank']!r}, but this model was fitted "
                         f"{'with' if fitted_bank else 'without'} a kernel bank, which shapes the model: training "
                         "continues with the fitted architecture. Set kernel_bank back (or to 'auto'), or fit afresh.")
    return dataclasses.replace(layout, module_kwargs=with_fitted_sizes(kwargs, layout.module_kwargs))


def fully_labelled(labels: dict[str, np.ndarray]) -> bool:
    """Whether a classifier's training labels (the arrays its ``_read_labels`` gives: ``labels``, with
    ``-1`` for an unlabelled sequence) label every sequence; False without labels (other estimators)."""
    return "labels" in labels and bool((labels["labels"] >= 0).all())


#: Module arguments sized by the data ``fit`` saw, which a fitted model's weights fit only as fitted.
FITTED_SIZES = ("front_dilations", "kernel_bank_steps", "kernel_bank_per_sequence", "kernel_bank_length",
                "kernel_bank_coarse")


def with_fitted_sizes(kwargs: dict, fitted_kwargs: dict) -> dict:
    """``kwargs`` with the front end's dilations and the kernel bank's size and readings of a fitted
    model's module arguments ``fitted_kwargs`` (whose weights fit only those; a model saved before the
    dilations were chosen per fit has the module's default ones, one saved before kernel banks has
    none, one saved before the bank read each series by itself reads the global values alone,
    one saved before the bank read series' lengths reads none, and one saved before the coarse
    reading reads the series at one scale of windows)."""
    kwargs = {name: value for name, value in kwargs.items() if name not in FITTED_SIZES}
    kwargs.update({name: fitted_kwargs[name] for name in FITTED_SIZES if name in fitted_kwargs})
    return kwargs


def module_kwargs(layout: FittedLayout, params: dict, frame_length: int, wide_front: bool = False,
                  all_labelled: bool = False, n_input_steps: int = 0,
                  bank_view_crop: float = VIEW_MIN_CROP, bank_length: bool = False,
                  bank_coarse: bool = False) -> dict:
    """Arguments of :class:`~sklearn_seq2seq._nn.Seq2SeqModule` for a layout, the estimator's
    parameters and the resolved frame length (plain numbers, strings and tuples); ``wide_front``: a
    convolutional front end reads :data:`WIDE_FRONT_DILATIONS` (regressions to one number always do);
    ``all_labelled``: a classifier's every training sequence is labelled; ``n_input_steps``: steps of
    the longest numeric training input, which a kernel bank is sized for; ``bank_view_crop``: the
    shortest crop of the contrastive views beside a bank; ``bank_length``: a bank's features end with
    the log of each series' length; ``bank_coarse``: a bank also reads the series averaged over
    windows twice as long.

    Raises
    ------
    ValueError
        For ``kernel_bank=True`` with token inputs.
    """
    per_sequence = params["standardize"] == "per_sequence" and layout.vocabulary is None
    if layout.vocabulary is not None:
        inputs = {"n_features": 1, "n_input_tokens": layout.vocabulary.n_ids}
    else:
        inputs = {"n_features": layout.n_channels, "x_mean": tuple(layout.x_mean.tolist()),
                  "x_scale": tuple(layout.x_scale.tolist()), "per_sequence": per_sequence}
    if layout.target_tokens:
        outputs = {"n_outputs": 1, "n_output_tokens": layout.target_vocabulary.n_ids}
    else:
        outputs = {"n_outputs": layout.n_outputs}
    tokens = layout.vocabulary is not None or layout.target_tokens
    special = {"pad_id": PAD, "start_id": START, "end_id": END} if tokens else {}
    architecture = ("embedding_dim", "n_components", "hidden_size", "cell", "num_layers", "bidirectional",
                    "dropout", "n_slots", "attention", "attend_over", "input_noise")
    head = {} if layout.classes is None else {
        "n_classes": len(layout.classes), "label_weight": float(params["label_weight"]),
        "pseudo_label_threshold": (None if params["pseudo_label_threshold"] is None
                                   else float(params["pseudo_label_threshold"]))}
    readout = params["readout"]
    if readout == "auto":  # how a sequence ends matters to forecasts, not to encodings (docs/defaults.md)
        forecasts = layout.targets_from == "y" and layout.n_target_steps > 1 and not layout.target_tokens
        readout = "pool_last" if forecasts else "pool"
    one_number = layout.targets_from == "y" and layout.n_target_steps == 1 and not tokens
    encoder = params["encoder"]
    if encoder == "auto":  # measured on the development suite (docs/defaults.md)
        labels = layout.classes is not None and layout.vocabulary is None
        numeric_autoencoder = layout.targets_from == "X" and not tokens
        encoder = "conv" if labels else "conv_recurrent" if one_number or numeric_autoencoder else "recurrent"
    contrastive = params["contrastive"]
    if contrastive == "auto":
        if layout.targets_from != "X" or layout.vocabulary is not None:
            contrastive = 0.0
        else:
            contrastive = LABELLED_CONTRASTIVE if all_labelled else AUTO_CONTRASTIVE
    wide = (one_number or wide_front) and encoder == "conv_recurrent"
    front = {"front_dilations": WIDE_FRONT_DILATIONS} if wide else {}
    bank = params["kernel_bank"]
    if bank == "auto":  # encodings, classifiers and one number of numeric series a kernel spans (docs/defaults.md)
        bank = (layout.targets_from == "X" or one_number) and not tokens and n_input_steps >= KERNEL_BANK_MIN_STEPS
    elif bank and layout.vocabulary is not None:
        raise ValueError("kernel_bank=True reads numeric sequences, and these inputs are tokens: use "
                         "kernel_bank='auto' or False.")
    # the bank reads the values globally standardised and each series by itself, side by side (docs/defaults.md)
    bank_size = ({"kernel_bank_steps": int(n_input_steps), "kernel_bank_per_sequence": True}
                 if bank and n_input_steps else {})
    if bank_size and bank_length:  # series of different lengths: how long each is (docs/defaults.md)
        bank_size["kernel_bank_length"] = True
    if bank_size and bank_coarse:  # the encodings also read coarser windows (docs/defaults.md)
        bank_size["kernel_bank_coarse"] = True
    return {**inputs, **outputs, **special, **head, **front, **bank_size, **{name: params[name] for name in architecture},
            "encoder": encoder, "readout": readout, "decoder_input": layout.decoder_input, "frame_length": frame_length,
            "contrastive": float(contrastive),
            "view_strength": VIEW_STRENGTH if layout.classes is None else CLASSIFIER_VIEW_STRENGTH,
            # beside a bank, the encodings' views crop deeper (docs/defaults.md)
            "view_min_crop": bank_view_crop if bank_size else VIEW_MIN_CROP,
            "view_noise": "sequence" if per_sequence and layout.classes is None else "global",
            # one number per sample: predicted by a ridge regression on the codes (docs/defaults.md)
            "value_head": one_number,
            # labels and one number are also read from the kernel bank's features, where it is (docs/defaults.md)
            "bank_head": layout.classes is not None or one_number}


def _of(kind: type | tuple, choices: tuple | None = None):
    def read(value: Any) -> Any:
        if isinstance(value, bool) and kind is not bool:
            raise TypeError(f"{value!r} is not a {kind}")
        if not isinstance(value, kind):
            raise TypeError(f"{value!r} is not of type {kind}")
        if choices is not None and value not in choices:
            raise ValueError(f"{value!r} is not one of {choices}")
        return value
    return read


def _optional(read):
    return lambda value: None if value is None else read(value)


def _floats(value: Any) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim not in (1, 2) or not np.isfinite(array).all():
        raise ValueError("not a finite 1-D or 2-D list of numbers")
    return array


def _labels(value: Any) -> np.ndarray:
    if not isinstance(value, list) or not value:
        raise ValueError("not a non-empty list of class labels")
    kinds = {bool if isinstance(v, bool) else float if isinstance(v, (int, float)) else type(v) for v in value}
    if len(kinds) != 1 or not kinds <= {bool, float, str}:
        raise ValueError("class labels must be all strings, all numbers or all booleans")
    return np.asarray(value)


def _vocabulary(value: Any) -> Vocabulary:
    if not isinstance(value, dict) or set(value) != {"tokens", "form"} or value["form"] not in TOKEN_FORMS:
        raise ValueError("not a vocabulary {'tokens': [...], 'form': ...}")
    token_type = int if value["form"] == "ids" else str
    tokens = value["tokens"]
    if not isinstance(tokens, list) or not all(isinstance(t, token_type) and not isinstance(t, bool) for t in tokens):
        raise ValueError(f"vocabulary tokens must be a list of {token_type.__name__}")
    return Vocabulary(tokens, value["form"])


def _read_module_kwargs(value: Any, allowed: set[str]) -> dict:
    if not isinstance(value, dict) or not set(value) <= allowed:
        raise ValueError(f"module arguments must be a JSON object with keys among {sorted(allowed)}")
    out = {}
    for key, item in value.items():
        if isinstance(item, list):
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in item):
                raise ValueError(f"module argument {key!r} must be a list of numbers")
            item = tuple(item)  # numbers as written: integers stay integers (a front end's dilations)
        elif not (item is None or isinstance(item, (bool, int, float, str))):
            raise ValueError(f"module argument {key!r} has an unsupported value")
        out[key] = item
    return out


_INT = _of(int)
_SCHEMA = {
    "targets_from": _of(str, TARGET_SOURCES),
    "input_form": _optional(_of(str, TOKEN_FORMS)),
    "input_ndim": _of(int, (0, 2, 3)),
    "n_channels": _INT,
    "vocabulary": _optional(_vocabulary),
    "target_ndim": _of(int, (0, 1, 2, 3)),
    "target_is_list": _of(bool),
    "n_target_steps": _INT,
    "fixed_target_length": _of(bool),
    "n_outputs": _INT,
    "lengths_follow_input": _of(bool),
    "x_mean": _optional(_floats),
    "x_scale": _optional(_floats),
    "y_mean": _optional(_floats),
    "y_scale": _optional(_floats),
    "decoder_input": _of(str, ("position", "previous", "zeros")),
    "n_fit_samples": _INT,
    "seed": _INT,
    "classes": _optional(_labels),
}
