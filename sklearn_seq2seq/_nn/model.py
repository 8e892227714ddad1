"""The full encoder-decoder: encoder -> readout (the code) -> memory -> attention decoder."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ._masking import length_mask
from .contrastive import nt_xent, random_crops
from .conv_encoder import ConvolutionalEncoder
from .conv_front import DILATIONS, ConvFrontEnd
from .losses import view_label_loss, weighted_label_loss
from .decoder import AttentionDecoder
from .encoder import RecurrentEncoder
from .frames import frame_weights_to_steps, from_frames, to_frames
from .kernel_bank import KernelBank
from .principal import whitened_directions
from .readout import make_readout
from .rowwise_linear import RowwiseLinear
from .self_attention import SelfAttentionEncoder
from .sequence_stats import sequence_moments, with_sequence_stats

#: What the noise of :meth:`Seq2SeqModule.random_view` is relative to.
VIEW_NOISE_SCALES = ("global", "sequence")

#: The kernel bank reads a pool of views in groups of this many, of similar lengths
#: (:meth:`Seq2SeqModule.bank_features_by_length`).
BANK_GROUP_ROWS = 64

ATTEND_OVER = ("code", "encoder")
ENCODERS = ("recurrent", "transformer", "conv_recurrent", "conv")


class Seq2SeqModule(nn.Module):
    """Attention encoder-decoder with a fixed-length code as its bottleneck.

    With ``attend_over="code"`` the decoder's initial state and its attention memory (``n_slots``
    vectors) are both computed from the code alone, so everything the decoder sees passes through the
    encoding. With ``attend_over="encoder"`` the decoder attends over every encoder timestep (only for
    supervised fits: it lets the decoder bypass the code).

    Parameters
    ----------
    n_features, n_outputs : int
        Features per input step and per output step.
    n_components : int
        Size of the code.
    hidden_size, cell, num_layers, bidirectional, dropout
        Recurrent layers (see :class:`RecurrentEncoder`).
    encoder : {"recurrent", "transformer", "conv_recurrent", "conv"}, default="recurrent"
        The encoder: recurrent (``cell``, ``bidirectional``), self-attention blocks
        (:class:`SelfAttentionEncoder`, ``num_layers`` of them, ``hidden_size`` wide), recurrent
        over the frame features of a :class:`ConvFrontEnd`, or convolutional blocks over the frames
        (:class:`ConvolutionalEncoder`).
    frame_length : int, default=1
        Numeric inputs and outputs are read and decoded ``frame_length`` steps at a time (each
        encoder and decoder step sees a frame of that many consecutive steps, as Tacotron's reduction
        factor), which divides the recurrence's length by ``frame_length``. Token sides are read a
        token at a time.
    readout : {"pool", "slots", "last"}
        How the code is read from the encoder states.
    n_slots : int
        Latent slots of the ``slots`` readout, and memory vectors the decoder attends over.
    attention : {"additive", "dot", "general", "none"}
        Decoder attention score form.
    attend_over : {"code", "encoder"}
        What the decoder attends over.
    decoder_input : {"position", "previous", "zeros"}
        What each decoder step reads.
    input_noise : float
        Standard deviation of Gaussian noise added to the inputs (or to the input token embeddings) in
        training (denoising).
    contrastive : float, default=0.0
        Weight, beside the decoding loss, of a contrastive loss on the codes in training
        (NT-Xent between the codes of the sequences and of their :meth:`random_view`); 0 trains on
        the decoding loss alone.
    n_input_tokens : int or None, default=None
        Token inputs: the size of the input id space. ``x`` is then (B, T) ids, embedded before the
        encoder, and ``n_features`` is ignored.
    n_output_tokens : int or None, default=None
        Token outputs: the size of the target id space (see :class:`AttentionDecoder`); ``n_outputs``
        is ignored.
    embedding_dim : int, default=32
        Size of the token embeddings.
    pad_id, start_id, end_id : int or None, default=None
        Token inputs or outputs: the ids of the padding, start and end symbols (the data layer's
        reserved ids; the modules only use them).
    view_strength : float, default=0.1
        How far the random views of numeric sequences (:meth:`random_view`) rescale each feature
        (standard deviation of the factor) and how much noise they add (in standardised units).
    view_min_crop : float, default=0.5
        The shortest random crop a view (:meth:`random_view`) keeps, as a fraction of its sequence's
        real steps (each crop covers this fraction to all of them).
    n_classes : int or None, default=None
        Classifiers: the number of classes. A linear head on the code gives their logits
        (:meth:`classify`), trained beside the decoding loss on labelled samples.
    label_weight : float, default=1.0
        Weight of the classification loss beside the decoding loss (weight 1).
    pseudo_label_threshold : float or None, default=None
        Classifiers: in training, the class logits of a random view of each sequence (:meth:`random_view`)
        are also trained toward its label, and for an unlabelled sequence toward the class its own
        logits give when that class's probability reaches this threshold (FixMatch's pseudo-labels),
        with weight ``label_weight``. None: no such term.
    x_mean, x_scale : sequence of float, optional
        Per-feature statistics of numeric inputs: ``encode`` standardises every batch as
        ``(x - x_mean) / x_scale`` (kept as buffers, so they move with the module and are saved in its
        state dict). None: the inputs are used as given.
    per_sequence : bool, default=False
        Numeric inputs: the encoder also reads each sequence's features standardised by their own mean
        and scale, and those statistics (:func:`with_sequence_stats`): 4 values per feature.
    view_noise : {"global", "sequence"}, default="global"
        The scale of the noise in :meth:`random_view`: each feature's over all sequences
        (``x_scale``), or each sequence's own per feature, so that a faint sequence's view is not
        drowned.
    value_head : bool, default=False
        Fits to one step of numbers per sample: a linear head on the code (:attr:`value_head`) gives
        the outputs at inference (:meth:`infer_outputs`) in place of the decoder, which still trains
        the code. The estimator sets its weights after training (a ridge regression on the codes).
    front_dilations : sequence of int, default=DILATIONS
        ``encoder="conv_recurrent"``: the dilations of the convolutional front end's scales
        (:class:`ConvFrontEnd`).
    kernel_bank_steps : int, default=0
        Numeric inputs: above 0, a :class:`KernelBank` sized for series of this many steps reads the
        globally standardised inputs, and a linear map of its features is added to the code (the
        bank's biases are set by :meth:`fit_kernel_bank` before training). 0: no bank.
    kernel_bank_per_sequence : bool, default=False
        The kernel bank also reads each series standardised by itself, beside the globally
        standardised values (:class:`KernelBank`'s ``per_sequence``; False: as models saved before it).
    kernel_bank_length : bool, default=False
        The kernel bank's features end with the log of each series' length (:class:`KernelBank`'s
        ``length``; False: as models saved before it).
    kernel_bank_coarse : bool, default=False
        The kernel bank also reads the series averaged over windows twice as long
        (:class:`KernelBank`'s ``coarse``; False: as models saved before it).
    bank_head : bool, default=False
        With a kernel bank, classifiers and fits to one step of numbers: a second linear head reads the
        bank's features themselves (:attr:`bank_head`), and :meth:`classify` adds its logits to the
        code's head's (:meth:`infer_outputs` its values to the :attr:`value_head`'s). It is not
        trained by gradients (it starts at zero); the estimator sets both heads after training.
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        n_components: int,
        hidden_size: int = 64,
        cell: str = "gru",
        num_layers: int = 1,
        bidirectional: bool = True,
        dropout: float = 0.0,
        encoder: str = "recurrent",
        frame_length: int = 1,
        readout: str = "pool",
        n_slots: int = 8,
        attention: str = "general",
        attend_over: str = "code",
        decoder_input: str = "position",
        input_noise: float = 0.0,
        contrastive: float = 0.0,
        n_input_tokens: int | None = None,
        n_output_tokens: int | None = None,
        embedding_dim: int = 32,
        n_classes: int | None = None,
        view_strength: float = 0.1,
        view_min_crop: float = 0.5,
        label_weight: float = 1.0,
        pseudo_label_threshold: float | None = None,
        x_mean: Sequence[float] | None = None,
        x_scale: Sequence[float] | None = None,
        per_sequence: bool = False,
        view_noise: str = "global",
        value_head: bool = False,
        front_dilations: Sequence[int] = DILATIONS,
        kernel_bank_steps: int = 0,
        kernel_bank_per_sequence: bool = False,
        kernel_bank_length: bool = False,
        kernel_bank_coarse: bool = False,
        bank_head: bool = False,
        pad_id: int | None = None,
        start_id: int | None = None,
        end_id: int | None = None,
    ) -> None:
        super().__init__()
        if attend_over not in ATTEND_OVER:
            raise ValueError(f"Unknown attend_over {attend_over!r}; expected one of {ATTEND_OVER}.")
        self.attend_over = attend_over
        self.n_slots = n_slots
        self.hidden_size = hidden_size
        self.input_noise = input_noise
        self.contrastive = contrastive
        self.view_strength = view_strength
        if not 0 < view_min_crop <= 1:
            raise ValueError(f"view_min_crop must be in (0, 1], got {view_min_crop!r}.")
        self.view_min_crop = view_min_crop
        self.label_weight = label_weight
        self.pseudo_label_threshold = pseudo_label_threshold
        #: The training terms beside the decoding loss of the last forward pass (contrastive and
        #: classification), or None; the net adds it to the loss and clears it.
        self.auxiliary_loss_ = None
        #: Where the training noise and the contrastive views draw from (set by the training loop for
        #: one fit, so fits in threads do not share a stream; None: torch's global stream).
        self.random_generator: torch.Generator | None = None
        if x_mean is not None and x_scale is not None:
            self.register_buffer("x_mean", torch.tensor(x_mean, dtype=torch.float32))
            self.register_buffer("x_scale", torch.tensor(x_scale, dtype=torch.float32))
        else:
            self.x_mean = self.x_scale = None
        if encoder not in ENCODERS:
            raise ValueError(f"Unknown encoder {encoder!r}; expected one of {ENCODERS}.")
        self.embed = None if n_input_tokens is None else nn.Embedding(n_input_tokens, embedding_dim, padding_idx=pad_id)
        self.input_frames = frame_length if n_input_tokens is None else 1
        self.output_frames = frame_length if n_output_tokens is None else 1
        self.per_sequence = per_sequence and n_input_tokens is None
        if view_noise not in VIEW_NOISE_SCALES:
            raise ValueError(f"Unknown view_noise {view_noise!r}; expected one of {VIEW_NOISE_SCALES}.")
        self.view_noise = view_noise
        step_size = n_features * (4 if self.per_sequence else 1) if n_input_tokens is None else embedding_dim
        encoder_inputs = step_size * self.input_frames
        self.front = None
        if encoder == "conv_recurrent":
            self.front = ConvFrontEnd(step_size, self.input_frames, front_dilations)
            encoder_inputs = self.front.output_size
        if encoder == "transformer":
            self.encoder = SelfAttentionEncoder(encoder_inputs, hidden_size, num_layers, dropout)
        elif encoder == "conv":
            self.encoder = ConvolutionalEncoder(encoder_inputs, hidden_size)
        else:
            self.encoder = RecurrentEncoder(encoder_inputs, hidden_size, cell, num_layers, bidirectional, dropout)
        self.readout = make_readout(readout, self.encoder.output_size, n_components, n_slots)
        if attend_over == "code":
            self.memory_proj = nn.Linear(n_components, n_slots * hidden_size)
        else:
            self.memory_proj = nn.Linear(self.encoder.output_size, hidden_size)
        self.decoder = AttentionDecoder(
            n_outputs * self.output_frames, n_components, hidden_size, cell, num_layers, dropout, attention, decoder_input,
            n_tokens=n_output_tokens, embedding_dim=embedding_dim, pad_id=pad_id, start_id=start_id, end_id=end_id,
        )
        self.kernel_bank = None
        if kernel_bank_steps > 0 and n_input_tokens is None:
            self.kernel_bank = KernelBank(n_features, kernel_bank_steps, kernel_bank_per_sequence, kernel_bank_length,
                                          kernel_bank_coarse)
            self.kernel_bank_proj = RowwiseLinear(self.kernel_bank.output_size, n_components)
        self.head = None if n_classes is None else nn.Linear(n_components, n_classes)
        self.value_head = nn.Linear(n_components, n_outputs) if value_head else None
        self.bank_head = None
        if bank_head and self.kernel_bank is not None and (self.head is not None or self.value_head is not None):
            self.bank_head = RowwiseLinear(self.kernel_bank.output_size, n_outputs if self.head is None else n_classes)
            nn.init.zeros_(self.bank_head.weight)
            nn.init.zeros_(self.bank_head.bias)
            self.bank_head.requires_grad_(False)

    def encode(self, x: torch.Tensor, lengths: torch.Tensor, bank_features: torch.Tensor | None = None
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return the code (B, n_components), the encoder states (B, T', S) and their mask (B, T').

        ``x`` is (B, T, n_features) values, or (B, T) token ids for token inputs; ``T'`` is ``T`` in
        frames (:func:`to_frames`). ``bank_features``: the kernel bank's features of ``x``
        (:meth:`bank_features`) when computed beforehand; None computes them.
        """
        if self.embed is not None:
            x = self.embed(x)
        else:
            x = self._standardized(x)
        steps = x  # what the kernel bank reads
        if self.per_sequence:
            x = with_sequence_stats(x, lengths)
        if self.training and self.input_noise > 0:
            x = x + self.input_noise * self._normal(x.shape, x)
        bank = None
        if self.kernel_bank is not None:
            if bank_features is None:
                bank_features = self.kernel_bank(steps, lengths)
            bank = self.kernel_bank_proj(bank_features)
        if self.front is not None:
            x, lengths = self.front(x, lengths)
        elif self.input_frames > 1:
            x, lengths = to_frames(x, lengths, self.input_frames)
        mask = length_mask(lengths, x.shape[1])
        states, final = self.encoder(x, lengths)
        code = self.readout(states, final, mask)
        return code if bank is None else code + bank, states, mask

    @torch.no_grad()
    def fit_kernel_bank(self, x: torch.Tensor, lengths: torch.Tensor, generator: torch.Generator
                        ) -> torch.Tensor | None:
        """Set the :class:`KernelBank`'s biases and scaling from training inputs ``x`` (B, T, F) as
        given to :meth:`encode`, of ``lengths`` steps, and start the bank's map into the code
        (:attr:`kernel_bank_proj`) at the principal directions of those inputs' proportions, each
        weighted by :meth:`KernelBank.principal_weights` (:func:`whitened_directions`; the map reads
        them standardised, so each direction is scaled by the features' scales) with zero biases;
        rows beyond the directions found keep their random start. Returns those inputs'
        :meth:`bank_features` by the fitted bank (B, bank size); None (and nothing set) without a
        bank."""
        if self.kernel_bank is None:
            return None
        proportions = self.kernel_bank.fit(self._standardized(x), lengths, generator)
        weights = self.kernel_bank.principal_weights().to(proportions)  # each reading's share of the directions
        directions = whitened_directions(proportions * weights, self.kernel_bank_proj.out_features) * weights.double()
        weight = self.kernel_bank_proj.weight
        weight[: len(directions)] = (directions * self.kernel_bank.feature_scale.double()).to(weight.dtype)
        self.kernel_bank_proj.bias.zero_()
        return self.kernel_bank.standardized(proportions)

    def bank_features(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor | None:
        """The kernel bank's features (B, bank size) of inputs ``x`` as given to :meth:`encode`, of
        ``lengths`` steps: what :meth:`encode` adds the map of to the code and :attr:`bank_head` reads
        (both take them computed beforehand, as training does once per fit); None without a bank."""
        return None if self.kernel_bank is None else self.kernel_bank(self._standardized(x), lengths)

    def _standardized(self, x: torch.Tensor) -> torch.Tensor:
        """Numeric inputs standardised as ``(x - x_mean) / x_scale`` (as given without those statistics)."""
        return x if self.x_mean is None else (x - self.x_mean) / self.x_scale

    def _normal(self, shape, like: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """Standard normal noise of ``shape`` drawn from ``generator`` (None: :attr:`random_generator`)."""
        return torch.randn(shape, device=like.device, dtype=like.dtype,
                           generator=self.random_generator if generator is None else generator)

    def random_view(self, x: torch.Tensor, lengths: torch.Tensor, generator: torch.Generator | None = None
                    ) -> tuple[torch.Tensor, torch.Tensor]:
        """A random view of each sequence of ``x``, and the views' lengths: a random crop
        (``view_min_crop`` to all of its steps) and, for numbers, a random scale per sequence and
        feature (standard deviation ``view_strength``) and noise (``view_strength`` of each feature's
        scale over all sequences, or with ``view_noise="sequence"`` of the sequence's own). Random
        numbers come from ``generator`` (None: :attr:`random_generator`)."""
        generator = self.random_generator if generator is None else generator
        view, view_lengths = random_crops(x, lengths, self.view_min_crop, generator=generator)
        if self.embed is None:
            scale = 1 + self.view_strength * self._normal((view.shape[0], 1, view.shape[2]), view, generator)
            if self.view_noise == "sequence":
                spread = self.view_strength * sequence_moments(view, view_lengths)[3]
            else:
                spread = self.view_strength * (self.x_scale if self.x_scale is not None else 1.0)
            view = view * scale + spread * self._normal(view.shape, view, generator)
        return view, view_lengths

    def view_pool(self, x: torch.Tensor, lengths: torch.Tensor, n_views: int, generator: torch.Generator
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``n_views`` random views of each sequence of ``x`` (:meth:`random_view`, drawn from
        ``generator``) with their kernel bank features, for training to pick from
        (:meth:`forward`'s ``views``): the views (B, n_views, T, ...), their lengths (B, n_views) and
        their bank features (B, n_views, bank size). Modules with a kernel bank only."""
        if self.kernel_bank is None:
            raise ValueError("A pool of views carries the views' kernel bank features: this module has no bank.")
        drawn = [self.random_view(x, lengths, generator) for _ in range(n_views)]
        views, view_lengths = torch.stack([view for view, _ in drawn], 1), torch.stack([n for _, n in drawn], 1)
        features = self.bank_features_by_length(views.flatten(0, 1), view_lengths.flatten())
        return views, view_lengths, features.unflatten(0, views.shape[:2])

    def bank_features_by_length(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """:meth:`bank_features` (B, bank size) of ``x`` (B, T, F), computed over groups of
        :data:`BANK_GROUP_ROWS` sequences of similar lengths, each group cut to its longest: the same
        numbers, with less padding convolved (random views are a quarter to all of a series long)."""
        order = torch.argsort(lengths, stable=True)
        features = None
        for group in order.split(BANK_GROUP_ROWS):
            group_lengths = lengths[group]
            part = self.bank_features(x[group, : int(group_lengths.max())], group_lengths)
            if features is None:
                features = part.new_empty((len(x), part.shape[1]))
            features[group] = part
        return features

    def _pooled_view(self, views: torch.Tensor, view_lengths: torch.Tensor, view_bank_features: torch.Tensor
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One of each sequence's pooled ``views`` (:meth:`view_pool`), picked at random, with its length
        and bank features."""
        rows = torch.arange(views.shape[0], device=views.device)
        picks = torch.randint(views.shape[1], (views.shape[0],), device=views.device, generator=self.random_generator)
        return views[rows, picks], view_lengths[rows, picks], view_bank_features[rows, picks]

    def classify(self, code: torch.Tensor, bank_features: torch.Tensor | None = None) -> torch.Tensor:
        """Class logits (B, n_classes) of codes (B, n_components) and, with a :attr:`bank_head`, of the
        same sequences' kernel bank features (:meth:`bank_features`); classifiers only."""
        if self.head is None:
            raise ValueError("This module has no classification head (n_classes=None).")
        if self.bank_head is None:
            return self.head(code)
        if bank_features is None:
            raise ValueError("This module's logits also read the kernel bank's features: pass bank_features.")
        return self.head(code) + self.bank_head(bank_features)

    def code_memory(self, code: torch.Tensor) -> torch.Tensor:
        """The decoder's memory computed from the code alone, shape (B, n_slots, hidden_size)."""
        return torch.tanh(self.memory_proj(code)).view(code.shape[0], self.n_slots, self.hidden_size)

    def memory(self, code, states=None, mask=None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """What the decoder attends over, and its mask (None when every entry is real)."""
        if self.attend_over == "code":
            return self.code_memory(code), None
        return torch.tanh(self.memory_proj(states)), mask

    def decode(self, code, n_steps, states=None, mask=None, target=None, teacher_forcing=1.0, input_lengths=None):
        """Decode ``n_steps`` steps from the code (and the encoder states when attending over them).

        Returns the outputs (B, n_steps, n_outputs) and the attention weights (B, n_steps, K) or None;
        with frames, each step has its frame's weights, and weights over encoder frames are shared
        evenly by each frame's real steps (``input_lengths``, the inputs' lengths in steps; None: every
        frame full).
        """
        memory, memory_mask = self.memory(code, states, mask)
        k = self.output_frames
        if k == 1:
            outputs, weights = self.decoder(code, memory, memory_mask, n_steps, target, teacher_forcing)
        else:
            n_frames = -(-n_steps // k)
            if target is not None:
                full = torch.full((target.shape[0],), target.shape[1], device=target.device)
                target = to_frames(target, full, k)[0]
            outputs, weights = self.decoder(code, memory, memory_mask, n_frames, target, teacher_forcing)
            outputs = from_frames(outputs, k, n_steps)
            if weights is not None:
                weights = weights.repeat_interleave(k, dim=1)[:, :n_steps]
        if weights is not None and self.attend_over == "encoder" and self.input_frames > 1:
            if input_lengths is None:
                input_lengths = torch.full((weights.shape[0],), weights.shape[2] * self.input_frames)
            weights = frame_weights_to_steps(weights, self.input_frames, input_lengths)
        return outputs, weights

    def search(self, code, max_steps, states=None, mask=None, beam_width=1, length_normalization=1.0,
               return_attention=False):
        """Generate token ids from the code (see :meth:`AttentionDecoder.search`)."""
        memory, memory_mask = self.memory(code, states, mask)
        return self.decoder.search(code, memory, memory_mask, max_steps, beam_width, length_normalization,
                                   return_attention)

    def infer_outputs(self, code: torch.Tensor, n_steps: int, states: torch.Tensor | None = None,
                      mask: torch.Tensor | None = None, bank_features: torch.Tensor | None = None) -> torch.Tensor:
        """The outputs (B, n_steps, n_outputs) that inference gives for ``code``: the :attr:`value_head`'s
        (one step) when the model has one, plus the :attr:`bank_head`'s of the same sequences' kernel
        bank features (:meth:`bank_features`, required then), else the decoder's."""
        if self.value_head is None:
            return self.decode(code, n_steps, states, mask)[0]
        values = self.value_head(code)
        if self.bank_head is not None:
            if bank_features is None:
                raise ValueError("This module's values also read the kernel bank's features: pass bank_features.")
            values = values + self.bank_head(bank_features)
        return values.unsqueeze(1)

    def forward(
        self,
        x: torch.Tensor,
        lengths: torch.Tensor,
        target: torch.Tensor | None = None,
        target_lengths: torch.Tensor | None = None,
        n_steps: int | None = None,
        teacher_forcing: float = 1.0,
        labels: torch.Tensor | None = None,
        label_weights: torch.Tensor | None = None,
        bank_features: torch.Tensor | None = None,
        views: torch.Tensor | None = None,
        view_lengths: torch.Tensor | None = None,
        view_bank_features: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Encode ``x`` and decode ``target.shape[1]`` steps (without a target, :meth:`infer_outputs` of
        ``n_steps`` steps); returns (B, steps, n_outputs).

        ``target_lengths`` is accepted so that skorch can pass the whole training batch; the loss, not
        the module, uses it. Beside the outputs, the terms that join the decoding loss are left in
        :attr:`auxiliary_loss_`: in training the contrastive term, and whenever ``labels`` (class
        indices, ``-1`` for unlabelled samples) and their ``label_weights`` are given the weighted
        classification loss (so that validation losses count it too), with its views' term in training:
        both train the code's :attr:`head` (the logits of the code alone; a :attr:`bank_head` is set
        after training, not by gradients). ``bank_features``: the kernel bank's features of ``x``, computed beforehand (training computes
        those of the training sequences once per fit); None computes them. ``views``, ``view_lengths``,
        ``view_bank_features``: a pool of random views of each sequence drawn beforehand
        (:meth:`view_pool`), of which training encodes one per sequence, picked at random, in one batch
        with ``x`` (one encoder call of twice the rows costs less than two), in place of a fresh
        :meth:`random_view` (whose kernel bank features would be computed at every step).
        """
        if bank_features is None and self.bank_head is not None and target is None:
            bank_features = self.bank_features(x, lengths)  # read by the code and by the bank's head
        pseudo = self.head is not None and labels is not None and self.pseudo_label_threshold is not None
        with_view = self.training and x.shape[0] > 1 and (self.contrastive > 0 or pseudo)
        view_code = None
        if with_view and views is not None:  # the sequences and a pooled view of each, encoded as one batch
            if bank_features is None:
                bank_features = self.bank_features(x, lengths)
            view, view_length, view_features = self._pooled_view(views, view_lengths, view_bank_features)
            both, states, mask = self.encode(torch.cat([x, view]), torch.cat([lengths, view_length]),
                                             torch.cat([bank_features, view_features]))
            code, view_code = both.split(x.shape[0])
            states, mask = states[: x.shape[0]], mask[: x.shape[0]]
        else:
            code, states, mask = self.encode(x, lengths, bank_features)
            if with_view:  # a fresh view of each sequence
                view_code = self.encode(*self.random_view(x, lengths))[0]
        if target is None:
            outputs = self.infer_outputs(code, n_steps, states, mask, bank_features)
        else:
            outputs, _ = self.decode(code, target.shape[1], states, mask, target, teacher_forcing)
        auxiliary = None
        if self.contrastive > 0 and view_code is not None:
            auxiliary = self.contrastive * nt_xent(code, view_code)
        if labels is not None and self.head is not None:
            logits = self.head(code)
            term = self.label_weight * weighted_label_loss(logits, labels, label_weights)
            if pseudo and view_code is not None:
                term = term + self.label_weight * view_label_loss(logits, self.head(view_code), labels, label_weights,
                                                                  self.pseudo_label_threshold)
            auxiliary = term if auxiliary is None else auxiliary + term
        self.auxiliary_loss_ = auxiliary
        return outputs
