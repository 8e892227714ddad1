"""``Seq2SeqTransformer``: sequences in, fixed-length encodings out (and sequences decoded back)."""

from __future__ import annotations

from typing import Any

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from . import _inference as inference
from ._base import BaseSeq2Seq
from ._data import is_label_vector, step_mask, to_user
from ._layout import BANK_VIEW_MIN_CROP
from ._tokens import join_tokens, split_tokens, token_form
from ._training import BANK_AUTO_MAX_EPOCHS, BANK_AUTO_STEPS, RECURRENT_LR_SCALE, VIEW_POOL_SIZE
from ._docstrings import ATTRIBUTES, INPUTS, PARAMETERS, TOKEN_TARGET_ATTRIBUTES, TOKEN_TARGET_PARAMETERS


class Seq2SeqTransformer(BaseSeq2Seq):
    __doc__ = f"""Attention encoder-decoder that turns sequences into fixed-length encodings.

    ``fit(X)`` trains an autoencoder that reconstructs ``X`` from its encoding; ``fit(X, Y)`` with
    sequences ``Y`` trains ``X -> Y``. ``transform`` returns the encodings, which any scikit-learn
    estimator can use as features; ``predict`` decodes sequences and ``inverse_transform`` decodes
    encodings.

    A 1-D numeric ``y`` (class labels, as a :class:`~sklearn.pipeline.Pipeline` passes them) is
    ignored: the model is then an autoencoder, like :class:`~sklearn.decomposition.PCA`.
    Numeric sequences ``Y`` of one step are predicted as :class:`Seq2SeqRegressor` predicts one
    number per sample: by a ridge regression on the encodings, fitted after training.

    **Text in, text out.** Inputs and targets may be token sequences: strings (characters are tokens),
    lists of token strings, or integer ids. ``fit(X, y)`` with strings ``y`` learns the target
    vocabulary and trains the decoder with cross-entropy over real (non-padded) tokens; ``predict``
    generates strings token by token until the end symbol, greedily or by beam search
    (``beam_width``), and ``score`` is then the exact-match accuracy. ``transform`` still returns
    fixed-length encodings of the inputs. Numeric inputs with token targets (a sequence to a label
    sequence) work too.

    **Input forms.**{INPUTS}
    Parameters
    ----------{PARAMETERS}{TOKEN_TARGET_PARAMETERS}
    Attributes
    ----------{ATTRIBUTES}{TOKEN_TARGET_ATTRIBUTES}
    See Also
    --------
    Seq2SeqRegressor : Supervised model mapping sequences to numbers, vectors or sequences.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_seq2seq import Seq2SeqTransformer
    >>> X = np.sin(np.linspace(0, 6, 20))[None, :, None] * np.arange(1, 41)[:, None, None] / 40
    >>> model = Seq2SeqTransformer(n_components=4, max_epochs=5, random_state=0).fit(X)
    >>> model.transform(X).shape
    (40, 4)
    >>> model.predict(X).shape
    (40, 20, 1)

    Strings to strings:

    >>> words = ["abc", "ba", "cab", "a"] * 25
    >>> model = Seq2SeqTransformer(attend_over="encoder", max_epochs=2, random_state=0)
    >>> model.fit(words, [w[::-1] for w in words]).predict(["abc"]).dtype
    dtype('O')
    """

    #: Its encodings read the kernel bank's map mostly: the recurrent branch trains slower (docs/defaults.md).
    _recurrent_lr_scale = RECURRENT_LR_SCALE
    #: Beside a bank, its contrastive views crop down to a quarter of a series (docs/defaults.md).
    _bank_view_crop = BANK_VIEW_MIN_CROP
    #: Beside a bank, its encodings of series of different lengths also read each one's length (docs/defaults.md).
    _bank_length = True
    #: Beside a bank, its encodings also read the series averaged over windows twice as long (docs/defaults.md).
    _bank_coarse = True
    #: Beside a bank, it trains half as long, on views drawn once per fit (docs/defaults.md).
    _bank_auto_steps = BANK_AUTO_STEPS
    _bank_auto_max_epochs = BANK_AUTO_MAX_EPOCHS
    _view_pool = VIEW_POOL_SIZE

    _parameter_constraints: dict = {
        **BaseSeq2Seq._parameter_constraints,
        "target_tokens": ["boolean", StrOptions({"auto"})],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "beam_width": [Interval(Integral, 1, None, closed="left")],
        "length_normalization": [Interval(Real, 0, None, closed="left")],
        "max_length": [Interval(Integral, 1, None, closed="left"), None],
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
        target_tokens: bool | str = "auto",
        label_smoothing: float = 0.0,
        beam_width: int = 1,
        length_normalization: float = 1.0,
        max_length: int | None = None,
    ) -> None:
        super().__init__(
            n_components,
            hidden_size=hidden_size,
            cell=cell,
            encoder=encoder,
            kernel_bank=kernel_bank,
            frame_length=frame_length,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            readout=readout,
            n_slots=n_slots,
            attention=attention,
            attend_over=attend_over,
            decoder_input=decoder_input,
            teacher_forcing=teacher_forcing,
            reverse_target=reverse_target,
            input_noise=input_noise,
            contrastive=contrastive,
            standardize=standardize,
            max_epochs=max_epochs,
            batch_size=batch_size,
            group_by_length=group_by_length,
            lr=lr,
            optimizer=optimizer,
            weight_decay=weight_decay,
            clip_grad_norm=clip_grad_norm,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            callbacks=callbacks,
            device=device,
            n_threads=n_threads,
            verbose=verbose,
            random_state=random_state,
            input_tokens=input_tokens,
            min_frequency=min_frequency,
            max_vocabulary_size=max_vocabulary_size,
            embedding_dim=embedding_dim,
            warm_start=warm_start,
        )
        self.target_tokens = target_tokens
        self.label_smoothing = label_smoothing
        self.beam_width = beam_width
        self.length_normalization = length_normalization
        self.max_length = max_length

    def _token_setting(self, name: str) -> bool | str:
        return self.input_tokens if name == "X" else self.target_tokens

    def fit(self, X: Any, y: Any = None) -> Seq2SeqTransformer:
        """Fit the encoder-decoder.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features), or token sequences
            Training sequences; 2-D numeric input is read as univariate sequences. Strings and lists of
            token strings are token sequences (see **Input forms**).
        y : None, array-like of shape (n_samples,), (n_samples, n_steps) or (n_samples, n_steps, n_out), or token sequences
            None or 1-D numbers (ignored, as class labels in a pipeline): train an autoencoder that
            reconstructs ``X``. 2-D or 3-D numbers: target sequences; train ``X -> y``. Strings, lists
            of token strings (or integer ids with ``target_tokens=True``): token targets; train
            ``X -> y`` with cross-entropy.

        Returns
        -------
        self : Seq2SeqTransformer
            The fitted estimator.
        """
        source = self._targets_source(X, y, continuing=self.warm_start)
        return self._fit(X, y if source == "y" else None, targets_from=source)

    def partial_fit(self, X: Any, y: Any = None) -> Seq2SeqTransformer:
        """Train for one epoch on ``X`` (and ``y``), continuing from the current model.

        The first call (or a call on an unfitted model) learns the input layout, the scaling
        statistics and the vocabularies from its data and initialises the weights; later calls keep
        them and continue training, so data that arrives in chunks or does not fit in memory can be
        learned chunk by chunk. Chunks must be read the same way as the first: the same number of
        features (and of columns for 2-D input), the same kind of target; tokens missing from the
        first chunk's vocabulary are read as the unknown symbol.

        Parameters
        ----------
        X : array-like or list of array-like, or token sequences
            A chunk of training sequences.
        y : None or array-like, or token sequences
            As in :meth:`fit`.

        Returns
        -------
        self : Seq2SeqTransformer
            The estimator, trained one more epoch.
        """
        source = self._targets_source(X, y, continuing=True)
        return self._fit(X, y if source == "y" else None, targets_from=source, partial=True)

    def _targets_source(self, X: Any, y: Any, *, continuing: bool) -> str:
        """``"y"`` when ``y`` is a target to learn, ``"X"`` for an autoencoder (no ``y``, or class labels).

        A fresh fit decides from the parameters and the data alone. Continued training of a fitted model
        (``partial_fit``, ``warm_start``) reads a given ``y`` as the target it was fitted with.
        """
        if y is None:
            return "X"
        if continuing and self.__sklearn_is_fitted__() and self.layout_.targets_from == "y":
            return "y"
        if self._reads_token_targets(X, y):
            return "y"
        return "X" if is_label_vector(y) else "y"

    def _reads_token_targets(self, X: Any, y: Any) -> bool:
        if self.target_tokens != "auto":
            return bool(self.target_tokens)
        form = token_form(y)
        if form == "chars" and token_form(X) is None and self.input_tokens is not True:
            return False  # one string per numeric sequence: class labels, as a Pipeline passes them
        return form is not None

    def predict(self, X: Any) -> Any:
        """Decode sequences from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features), or token sequences
            Input sequences, in the form seen in ``fit``.

        Returns
        -------
        ndarray or list
            Autoencoder: the reconstructions, in the form of ``X`` (a list of arrays with each sequence's
            length for list input, NaN-padded for NaN-padded input). Sequence-to-sequence: the predicted
            target sequences, in the form of the ``y`` seen in ``fit``. Float32 for float32 input,
            float64 otherwise. Token targets are generated token by token until the end symbol or
            ``max_length`` (greedy, or beam search with ``beam_width > 1``) and given back as the ``y``
            of ``fit`` was: strings as a 1-D object array of strings, token lists as lists of tokens.
        """
        return self._predict_sequences(self._check_X(X))

    def inverse_transform(self, X: Any) -> Any:
        """Decode sequences from encodings.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Encodings, as returned by ``transform``.

        Returns
        -------
        ndarray or list
            Decoded sequences with the number of steps seen in ``fit``, in the layout of the data that
            was reconstructed (``X`` for an autoencoder, ``y`` otherwise); token sequences are
            generated as in ``predict``.
        """
        Z = self._check_codes(X)
        layout = self.layout_
        if layout.target_tokens:
            ids = inference.search_codes(self.net_, Z.astype(np.float32), *self._search_args())
            return join_tokens(self._decode_tokens(ids), layout.target_vocabulary.form)
        values = self._decode_codes(Z, layout.n_target_steps)
        return to_user(values, np.full(len(Z), layout.n_target_steps), layout.target_ndim, layout.target_is_list)

    def score(self, X: Any, y: Any = None) -> float:
        """Negative mean squared error of the decoded sequences, or exact-match accuracy of tokens.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps) or (n_samples, n_timesteps, n_features), or token sequences
            Input sequences.
        y : None or array-like, default=None
            Autoencoder (or a 1-D numeric ``y``): the score is that of reconstructing ``X``. Targets:
            the score of predicting ``y``.

        Returns
        -------
        float
            Numeric targets: ``-MSE`` over all real timesteps and features, in the data's units (higher
            is better). Token targets: the fraction of sequences predicted exactly, every token and
            the length right (for strings, ``predict(X) == y``).
        """
        seqs = self._check_X(X)
        layout = self.layout_
        if layout.target_tokens:
            return self._exact_match(seqs, y)
        if layout.targets_from == "X":
            truth = seqs
        else:
            if y is None:
                raise ValueError(
                    "This Seq2SeqTransformer was fitted X -> y (sequence to sequence): score needs the target "
                    "sequences y, in the form they had in fit."
                )
            truth = self._read_targets(y, seqs, layout)
        predicted = self._generate(seqs, truth.lengths)
        mask = step_mask(truth.lengths, truth.values.shape[1])
        return -float(np.mean((predicted[mask].astype(np.float64) - truth.values[mask]) ** 2))

    def _exact_match(self, seqs: Any, y: Any) -> float:
        layout = self.layout_
        if layout.targets_from == "X":
            truth = seqs.tokens
        else:
            if y is None:
                raise ValueError("score needs the target token sequences y of this sequence-to-sequence model.")
            truth = split_tokens(y, layout.target_vocabulary.form, "y")
            if len(truth) != seqs.n_samples:
                raise ValueError(f"X and y have inconsistent numbers of samples: {seqs.n_samples} and {len(truth)}.")
        predicted = self._decode_tokens(self._search(seqs)[0])
        return float(np.mean([p == list(t) for p, t in zip(predicted, truth)]))

    # ------------------------------------------------------------------ token generation
    def _search_args(self) -> tuple[int, int, float]:
        """Steps, beam width and length normalisation of token generation."""
        layout = self.layout_
        max_steps = self.max_length if self.max_length is not None else 2 * layout.n_target_steps
        n_generable = layout.target_vocabulary.n_ids - 2  # every id but padding and the start symbol
        return max_steps, min(self.beam_width, n_generable), self.length_normalization

    def _search(self, seqs: Any, *, return_attention: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        """Generated target ids (n, max_steps), and with ``return_attention`` their attention weights."""
        return inference.search(self.net_, seqs.values, seqs.lengths, *self._search_args(),
                                return_attention=return_attention)

    def _decode_tokens(self, ids: np.ndarray) -> list[list]:
        """Token lists from generated ids, in time order also with ``reverse_target``."""
        tokens = self.layout_.target_vocabulary.decode(ids)
        return [seq[::-1] for seq in tokens] if self.reverse_target else tokens

    def _predict_tokens(self, seqs: Any) -> Any:
        ids, _ = self._search(seqs)
        return join_tokens(self._decode_tokens(ids), self.layout_.target_vocabulary.form)

    def _token_attention(self, seqs: Any) -> tuple[np.ndarray, np.ndarray]:
        return self._search(seqs, return_attention=True)

    def _token_labels(self, ids: np.ndarray, lengths: np.ndarray) -> list[list[str]]:
        vocabulary = self.layout_.target_vocabulary
        labels = [[vocabulary.label(i) for i in row[:n]] for row, n in zip(ids, lengths)]
        return [row[-2::-1] + row[-1:] if self.reverse_target else row for row in labels]
