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
from ._tokens import TOKEN_FORMS, TokenSequences, Vocabulary

#: Where the targets come from: the inputs themselves (an autoencoder) or a separate ``y``.
TARGET_SOURCES = ("X", "y")


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
        values["module_kwargs"] = _module_kwargs(data["module_kwargs"], module_arguments)
        return cls(**values)


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


def _vocabulary(value: Any) -> Vocabulary:
    if not isinstance(value, dict) or set(value) != {"tokens", "form"} or value["form"] not in TOKEN_FORMS:
        raise ValueError("not a vocabulary {'tokens': [...], 'form': ...}")
    token_type = int if value["form"] == "ids" else str
    tokens = value["tokens"]
    if not isinstance(tokens, list) or not all(isinstance(t, token_type) and not isinstance(t, bool) for t in tokens):
        raise ValueError(f"vocabulary tokens must be a list of {token_type.__name__}")
    return Vocabulary(tokens, value["form"])


def _module_kwargs(value: Any, allowed: set[str]) -> dict:
    if not isinstance(value, dict) or not set(value) <= allowed:
        raise ValueError(f"module arguments must be a JSON object with keys among {sorted(allowed)}")
    out = {}
    for key, item in value.items():
        if isinstance(item, list):
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in item):
                raise ValueError(f"module argument {key!r} must be a list of numbers")
            item = tuple(float(v) for v in item)
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
}
