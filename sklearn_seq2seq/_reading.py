"""Reading the data an estimator is given: inputs and targets in every accepted form, checked in
``fit`` and against the fitted layout afterwards."""

from __future__ import annotations

from typing import Any

from ._data import Sequences, check_sequences, check_target_sequences
from ._layout import FittedLayout
from ._tokens import TokenSequences, Vocabulary, split_tokens, token_form


class DataReader:
    """How the sequence estimators read ``X`` and ``y`` (a mixin of :class:`~sklearn_seq2seq._base.BaseSeq2Seq`).

    Uses the estimator's ``input_tokens``, ``min_frequency`` and ``max_vocabulary_size`` parameters;
    an estimator that takes token targets overrides :meth:`_token_setting`.
    """

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

    def _read_input(self, X: Any, layout: FittedLayout | None = None) -> Sequences | TokenSequences:
        """Validate ``X``: in ``fit`` (no ``layout``) in any accepted form, learning a vocabulary for
        tokens (set on the returned sequences); later with the fitted layout."""
        if layout is None:
            form = self._token_form(X, "X")
            if form is None:
                return check_sequences(self, X, reset=True)
            tokens = split_tokens(X, form, "X")
            for attribute in ("n_features_in_", "feature_names_in_"):
                self.__dict__.pop(attribute, None)
            return _token_sequences(tokens, Vocabulary.learn(tokens, form, self.min_frequency, self.max_vocabulary_size))
        if layout.input_form is None:
            if token_form(X) is not None:
                raise TypeError(
                    f"X holds strings, but this {type(self).__name__} was fitted on sequences of numbers."
                )
            return check_sequences(self, X, reset=False, fitted=(layout.input_ndim, layout.n_channels))
        try:
            tokens = split_tokens(X, layout.input_form, "X")
        except TypeError as exc:
            raise TypeError(
                f"{exc} This {type(self).__name__} was fitted on token sequences ({layout.input_form!r})."
            ) from None
        return _token_sequences(tokens, layout.vocabulary)

    def _read_targets(
        self, y: Any, seqs: Sequences | TokenSequences, layout: FittedLayout | None = None
    ) -> Sequences | TokenSequences:
        """Validate a target ``y``: in ``fit`` (no ``layout``) learning the vocabulary of token targets,
        later in the form the fitted targets had."""
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        if layout is None:
            form = self._token_form(y, "y")
        else:
            form = layout.target_vocabulary.form if layout.target_tokens else None
        if form is None:
            if layout is not None and token_form(y) is not None:
                raise TypeError(f"y holds strings, but this {type(self).__name__} was fitted on numeric targets.")
            targets = check_target_sequences(y, seqs.n_samples)
            if layout is not None:
                self._check_target_layout(targets, layout)
            return targets
        tokens = split_tokens(y, form, "y")
        if len(tokens) != seqs.n_samples:
            raise ValueError(f"X and y have inconsistent numbers of samples: {seqs.n_samples} and {len(tokens)}.")
        vocabulary = (layout.target_vocabulary if layout is not None
                      else Vocabulary.learn(tokens, form, self.min_frequency, self.max_vocabulary_size))
        return _token_sequences(tokens, vocabulary)

    def _check_target_layout(self, targets: Sequences, layout: FittedLayout) -> None:
        """Refuse numeric targets of another form than the fitted ones."""
        name = type(self).__name__
        if targets.ndim != layout.target_ndim:
            shapes = {1: "(n_samples,)", 2: "(n_samples, n_steps)", 3: "(n_samples, n_steps, n_outputs)"}
            raise ValueError(
                f"y has the form {shapes.get(targets.ndim)}, but this {name} was fitted on targets of the form "
                f"{shapes.get(layout.target_ndim)}; pass y in the form it was fitted with."
            )
        if targets.values.shape[2] != layout.n_outputs:
            raise ValueError(
                f"y has {targets.values.shape[2]} features per step, but this {name} was "
                f"fitted on targets with {layout.n_outputs}."
            )
        per_column = layout.y_scale is not None and layout.y_scale.shape[0] > 1
        if per_column and targets.values.shape[1] != layout.n_target_steps:
            raise ValueError(
                f"y has {targets.values.shape[1]} columns, but this {name} was fitted on a 2-D y with "
                f"{layout.n_target_steps} columns (a vector of outputs)."
            )


def _token_sequences(tokens: list, vocabulary: Vocabulary) -> TokenSequences:
    ids, lengths = vocabulary.encode(tokens)
    return TokenSequences(values=ids, lengths=lengths, tokens=tokens, vocabulary=vocabulary)
