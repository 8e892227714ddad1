"""Token sequences: strings, lists of token strings or integer ids -> padded id arrays, and back.

This is the data-handling layer for discrete sequences, beside :mod:`._data` for numbers. Three forms
are accepted, and outputs go back in the form the data came in:

* ``"chars"``: Python strings (a list, tuple or 1-D array of ``str``); every character (Unicode code
  point) is a token, and outputs are strings again (a 1-D object array);
* ``"words"``: sequences of token strings (a list of lists of ``str``, or a 2-D array of ``str``);
  outputs are lists of token strings;
* ``"ids"``: sequences of integers (a list of integer lists or arrays, or a 2-D integer array), used
  only when the estimator is told the data are tokens (``input_tokens=True`` / ``target_tokens=True``),
  because integer arrays are otherwise numbers; outputs are lists of integers.

A :class:`Vocabulary` maps tokens to ids. Ids 0 to 3 are reserved for the padding, start, end and
unknown symbols, whatever tokens the data hold (a data token spelled ``"<s>"`` is an ordinary token).
Nothing here imports torch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._data import PaddedBatch

#: Reserved ids: padding, start of sequence, end of sequence, unknown token.
PAD, START, END, UNK = 0, 1, 2, 3
N_SPECIAL = 4
SPECIAL_NAMES = ("<pad>", "<s>", "</s>", "<unk>")

TOKEN_FORMS = ("chars", "words", "ids")

#: What an unknown token (id ``UNK``) is written as in outputs of each form.
_UNKNOWN_OUTPUT = {"chars": "\ufffd", "words": "<unk>", "ids": -1}


def _is_str(value: Any) -> bool:
    return isinstance(value, (str, np.str_))


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _all_str_sequences(X: Any) -> bool:
    """A sequence of sequences whose elements are all strings (and at least one element in all)."""
    seen = False
    for x in X:
        if _is_str(x) or not isinstance(x, (list, tuple, np.ndarray)):
            return False
        for token in (x.ravel() if isinstance(x, np.ndarray) else x):
            if not _is_str(token):
                return False
            seen = True
    return seen


def token_form(X: Any) -> str | None:
    """The token form of ``X`` (``"chars"`` or ``"words"``), or None when ``X`` does not hold strings.

    Integer ids are never detected here: integer arrays are numbers unless the caller says otherwise.
    """
    if _is_str(X) or isinstance(X, bytes):
        return None
    if hasattr(X, "dtype") and hasattr(X, "to_numpy") and getattr(X, "ndim", 2) == 1:  # pandas Series
        X = X.to_numpy()
    if isinstance(X, np.ndarray):
        if X.dtype.kind in "US" or (X.dtype == object and X.size and all(_is_str(v) for v in X.ravel())):
            return "chars" if X.ndim == 1 else ("words" if X.ndim == 2 else None)
        if X.dtype == object and X.ndim == 1 and len(X) and _all_str_sequences(X):
            return "words"
        return None
    if not isinstance(X, (list, tuple)) or len(X) == 0:
        return None
    if all(_is_str(x) for x in X):
        return "chars"
    return "words" if _all_str_sequences(X) else None


def split_tokens(X: Any, form: str, name: str) -> list[list[Hashable]]:
    """The sequences of ``X`` as lists of tokens (characters, token strings or ints), validated."""
    if _is_str(X) or isinstance(X, bytes):
        raise TypeError(
            f"{name} is a single string; pass a list of strings (one sequence each), e.g. [{name}]."
        )
    if hasattr(X, "to_numpy") and not isinstance(X, np.ndarray):
        X = X.to_numpy()
    if isinstance(X, np.ndarray) and X.ndim == 0:
        raise TypeError(f"{name} must be a sequence of token sequences; got a 0-d array.")
    try:
        sequences = list(X)
    except TypeError as exc:
        raise TypeError(f"{name} must be a list of token sequences; got a {type(X).__name__}.") from exc
    if not sequences:
        raise ValueError(f"{name} holds no sequences (0 samples); at least one is required.")
    tokens: list[list[Hashable]] = []
    for i, seq in enumerate(sequences):
        if form == "chars":
            if not _is_str(seq):
                raise TypeError(f"{name}[{i}] is a {type(seq).__name__}; every element must be a string.")
            tokens.append(list(str(seq)))
            continue
        if _is_str(seq) or not isinstance(seq, (list, tuple, np.ndarray)):
            what = "token strings" if form == "words" else "integer token ids"
            raise TypeError(
                f"{name}[{i}] is a {type(seq).__name__}; every element must be a list or array of {what}."
            )
        seq = list(np.ravel(seq)) if isinstance(seq, np.ndarray) else list(seq)
        check = _is_str if form == "words" else _is_int
        bad = next((t for t in seq if not check(t)), None)
        what = "strings" if form == "words" else "non-negative integers (token ids)"
        if bad is not None:
            raise TypeError(f"{name}[{i}] holds {bad!r} ({type(bad).__name__}); its tokens must be {what}.")
        if form == "ids" and any(t < 0 for t in seq):
            negative = next(t for t in seq if t < 0)
            raise ValueError(f"{name}[{i}] holds the negative id {negative}; its tokens must be {what}.")
        tokens.append([str(t) for t in seq] if form == "words" else [int(t) for t in seq])
    return tokens


def join_tokens(tokens: list[list[Hashable]], form: str) -> Any:
    """Token lists back in a user's form: a 1-D object array of strings, or lists of tokens."""
    if form == "chars":
        out = np.empty(len(tokens), dtype=object)
        out[:] = ["".join(t) for t in tokens]
        return out
    return [list(t) for t in tokens]


class Vocabulary(Mapping):
    """A mapping from tokens to ids; ids 0-3 are the reserved symbols (:data:`SPECIAL_NAMES`).

    It maps the learned tokens only (``len`` counts them, not the reserved symbols), so it reads like
    scikit-learn's ``CountVectorizer.vocabulary_``; ``n_ids`` is the size of the id space.

    Parameters
    ----------
    tokens : sequence of hashable
        The learned tokens, most frequent first; token ``tokens[i]`` gets id ``i + 4``.
    form : {"chars", "words", "ids"}
        The form the data came in, which outputs are given back in.
    """

    def __init__(self, tokens: Sequence[Hashable], form: str) -> None:
        self.tokens = list(tokens)
        self.form = form
        self._index = {token: i + N_SPECIAL for i, token in enumerate(self.tokens)}

    @classmethod
    def learn(
        cls, sequences: list[list[Hashable]], form: str, min_frequency: int = 1, max_size: int | None = None
    ) -> Vocabulary:
        """The tokens seen at least ``min_frequency`` times, the ``max_size`` most frequent at most
        (ties kept in order of first appearance)."""
        counts = Counter(token for seq in sequences for token in seq)
        kept = [token for token, count in counts.most_common(max_size) if count >= min_frequency]
        return cls(kept, form)

    def __getitem__(self, token: Hashable) -> int:
        return self._index[token]

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self.tokens[:8])
        more = ", ..." if len(self.tokens) > 8 else ""
        return f"Vocabulary([{head}{more}], form={self.form!r})"

    @property
    def n_ids(self) -> int:
        """Number of ids: the reserved symbols and the learned tokens."""
        return N_SPECIAL + len(self.tokens)

    def label(self, token_id: int) -> str:
        """A readable label of an id (the reserved symbols by name), e.g. for plot axes."""
        return SPECIAL_NAMES[token_id] if token_id < N_SPECIAL else str(self.tokens[token_id - N_SPECIAL])

    def encode(self, sequences: list[list[Hashable]], *, append_end: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Ids of shape (n, T) padded with ``PAD`` (unknown tokens -> ``UNK``, and ``END`` appended),
        and the lengths (n,)."""
        extra = int(append_end)
        lengths = np.array([len(seq) + extra for seq in sequences], dtype=np.int64)
        ids = np.full((len(sequences), max(int(lengths.max()), 1)), PAD, dtype=np.int64)
        get = self._index.get
        for i, seq in enumerate(sequences):
            ids[i, : len(seq)] = [get(token, UNK) for token in seq]
            if append_end:
                ids[i, len(seq)] = END
        return ids, lengths

    def decode(self, ids: np.ndarray) -> list[list[Hashable]]:
        """Token lists from rows of ids, each cut at its first ``END`` (or ``PAD``); ``UNK`` becomes the
        form's unknown marker (U+FFFD in strings, ``"<unk>"`` for token strings, -1 for ids)."""
        unknown = _UNKNOWN_OUTPUT[self.form]
        out = []
        for row in ids:
            stop = np.flatnonzero((row == END) | (row == PAD))
            row = row[: stop[0]] if len(stop) else row
            out.append([self.tokens[i - N_SPECIAL] if i >= N_SPECIAL else unknown for i in row.tolist()])
        return out


@dataclass(frozen=True)
class TokenSequences(PaddedBatch):
    """A batch of token sequences in the internal layout.

    Attributes
    ----------
    values : ndarray of shape (n_samples, n_steps), dtype int64
        Token ids, padded with ``PAD``; an input sequence ends with ``END``, so even an empty string has
        one step.
    lengths : ndarray of shape (n_samples,), dtype int64
        Real steps of each sequence (``END`` included).
    tokens : list of list
        The sequences as tokens, as read.
    vocabulary : Vocabulary or None
        The vocabulary the ids are from.
    """

    values: np.ndarray
    lengths: np.ndarray
    tokens: list
    vocabulary: Vocabulary | None = None
