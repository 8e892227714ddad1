"""Parameter documentation shared by the public estimators (one place for each piece of text)."""

PARAMETERS = """
    n_components : int, default=32
        Length of the encoding (the bottleneck) returned by ``transform``.
    hidden_size : int, default=64
        Units of the encoder (per direction) and of the decoder.
    cell : {"gru", "lstm"}, default="gru"
        Recurrent cell of encoder and decoder. On CPUs ``"lstm"`` runs through oneDNN's fused kernel and
        is faster to encode and to fit; ``"gru"`` learned slightly better encodings in the measurements
        behind the defaults (figures in ``docs/defaults.md``).
    encoder : {"auto", "recurrent", "conv_recurrent", "conv", "transformer"}, default="auto"
        The encoder: ``"recurrent"``, a (bidirectional) GRU or LSTM (``cell``, ``bidirectional``) over
        the steps (or frames); ``"conv_recurrent"``, the same recurrence over learned features of each
        frame: 16 dilated convolutions (ReLU) at each of 2 scales (9 and 33 steps; a third, 129 steps,
        when the target is one number per sample and in classifiers) read the steps, and each frame
        is their mean and maximum over its real steps, beside the frame's own values;
        ``"conv"``, no recurrence: three convolutional blocks over the frames (kernels of 7, 5 and 3
        frames; ``hidden_size``, ``2 * hidden_size`` and ``hidden_size`` channels; batch normalisation
        over the real steps; ReLU), the fully convolutional network of Wang et al. (2017); ``cell``
        and ``num_layers`` then shape the decoder only, and ``bidirectional`` does not apply;
        ``"transformer"``, ``num_layers``
        self-attention blocks of width ``hidden_size`` with sinusoidal position encodings, whose
        attention never reads padded steps. The decoder is recurrent in every case and attends over the
        code. ``"auto"``: ``"conv_recurrent"`` for the encodings of numeric sequences (a
        ``Seq2SeqTransformer`` fitted without ``Y``), where they were more accurate on the real sets of
        the development suite, at 1.3-2.0 times the fit time, and when numeric sequences are fitted
        to one number per sample (a ``Seq2SeqRegressor`` with ``y`` of shape ``(n_samples,)``), where
        it gave half the error on average over three seeds; ``"conv"`` for a ``Seq2SeqClassifier`` of
        numeric sequences that does not pretrain (``pretrain=False``), where it was more accurate on
        average over the development suite, with all labels and with few; ``"recurrent"`` otherwise:
        for tokens, forecasts and other sequence targets the convolutions' results were mixed or worse,
        or not measured (figures in ``docs/defaults.md``). A classifier that pretrains, or starts from a
        ``pretrained`` model, keeps that model's encoder (``"auto"`` resolves as for the transformer).
        The choice made is ``encoder_``.
    kernel_bank : bool or "auto", default="auto"
        Numeric inputs: beside the encoder, a fixed bank of random dilated kernels reads each series
        twice, side by side: its globally standardised values (so its amplitude counts against the
        training series') and its values standardised by its own mean and scale (so a faint series'
        shape is read at full resolution), each averaged down to at most 512 steps. It holds
        MiniRocket's 84 kernels of 9 steps at dilations 1, 2, 4, ... up to the series' length,
        feature by feature (more than 8 features are first mixed into 8 random combinations). For
        each kernel, the proportion of real steps where it exceeds each of seven biases (its
        outputs' eighths on training series, set in ``fit``) is a feature (a ``Seq2SeqTransformer``
        fitted on series of different lengths also reads the log of each one's length, which the
        proportions leave out), and a learned linear map
        of these features is added to the code, so the encoding still holds ``n_components`` numbers
        and the decoder still reads only the code. The kernels are not trained; the map starts at the
        principal directions of the training series' proportions (whitened: one number of the code
        per direction, at most one direction per two series) and trains with the rest of the model,
        at 3% of the learning rate ``lr``. Classifiers and regressions to one number also read the
        features themselves: a classifier's logits are the mean of a logistic regression on the
        code's and one on the bank's features (the latter on the labelled sequences alone), and a regression's
        value the mean of two ridge regressions on them, all fitted after training (such a model
        then predicts from sequences, not from encodings alone: ``inverse_transform`` is refused).
        ``"auto"``: on for numeric sequences of at least 9 steps when the model learns their
        encodings (a ``Seq2SeqTransformer`` fitted without ``Y``, a ``Seq2SeqClassifier`` and the
        autoencoder it pretrains) or regresses them to one number (one step of ``y`` per sample), where it
        was more accurate on the real sets of the development suite; off for other targets (sequences
        and forecasts: not measured). True with token inputs is refused.
    frame_length : int or "auto", default="auto"
        Numeric sequences are read and decoded this many steps at a time: each encoder and decoder step
        sees a frame of ``frame_length`` consecutive steps (Tacotron's "reduction factor"), so the
        recurrence is ``frame_length`` times shorter and long series fit in seconds. Nothing is
        averaged away: a frame holds all of its steps' values, and padding never enters a frame.
        ``"auto"``: the smallest frame length that makes the longest numeric sequence seen in ``fit``
        at most 32 frames long (1 for sequences of up to 32 steps), and 64 for a classifier (and the
        autoencoder it pretrains). Token sequences are read a token at a time. The choice made is
        ``frame_length_``.
    num_layers : int, default=1
        Stacked recurrent layers in the encoder and in the decoder.
    bidirectional : bool, default=True
        Whether the encoder also reads the sequences backwards.
    dropout : float, default=0.0
        Dropout between stacked recurrent layers (needs ``num_layers > 1``).
    readout : {"auto", "pool", "pool_last", "slots", "last"}, default="auto"
        How the encoding is read from every encoder timestep: ``"pool"``, mean and max over time of the
        encoder states, projected; ``"pool_last"``, those and the encoder's final state (which keeps
        how a series ends, for forecasts); ``"auto"``: ``"pool_last"`` when fitting numeric targets of
        more than one step (forecasts, vectors, sequences), ``"pool"`` otherwise (measured in
        ``docs/defaults.md``); ``"slots"``, ``n_slots`` learned queries attend over the states and the
        slots are projected; ``"last"``, the final recurrent state, projected (weak on long series).
    n_slots : int, default=8
        Number of latent slots of the ``"slots"`` readout, and of memory vectors computed from the
        encoding that the decoder attends over when ``attend_over="code"``.
    attention : {"general", "dot", "additive", "none"}, default="general"
        Score form of the decoder's attention: Luong's ``"general"`` (bilinear) or ``"dot"`` (scaled dot
        product), Bahdanau's ``"additive"``, or no attention. Attention follows each decoder step, so
        teacher-forced and non-autoregressive decoding are vectorised over time for every form. Over
        long encoder sequences (``attend_over="encoder"``) ``"additive"`` is slow: batched, it builds a
        (batch, output steps, input steps, hidden) tensor (figures in ``benchmarks/README.md``).
    attend_over : {"code", "encoder"}, default="code"
        What the decoder attends over. ``"code"``: memory vectors computed from the encoding only, so that
        everything the decoder sees passes through the encoding (a real bottleneck). ``"encoder"``: every
        encoder timestep, as in classic sequence-to-sequence models; only allowed when fitting with a
        target, because in an autoencoder it lets the decoder bypass the encoding (the encodings then
        lose quality: ``docs/architecture.md``) and ``inverse_transform`` is then unavailable.
    decoder_input : {"auto", "position", "previous", "zeros"}, default="auto"
        What each decoder step reads: ``"position"``, sinusoidal features of the step index (decoding is
        then non-autoregressive and vectorised also at prediction); ``"previous"``, the previous output
        (the target under teacher forcing, the model's own prediction when generating); ``"zeros"``,
        nothing. ``"auto"``: ``"previous"`` when the longest target sequence in ``fit`` takes more than
        100 decoder steps (frames, see ``frame_length``), ``"position"`` otherwise; with
        ``frame_length="auto"`` numeric targets take at most 32 frames (64 for classifiers), so
        ``"auto"`` means ``"position"`` for them (teacher forcing learned the data's next value rather
        than an encoding, and generated poorly: ``docs/defaults.md``). The choice made is
        ``decoder_input_``.
    teacher_forcing : float or (float, float), default=1.0
        With ``decoder_input="previous"``: the probability of feeding the decoder the target rather than
        its own previous prediction in training. A pair ``(start, end)`` is scheduled sampling: the
        probability moves linearly from ``start`` in the first epoch to ``end`` in the last (grid-search
        it like any parameter, e.g. ``[(1.0, 1.0), (1.0, 0.5), (1.0, 0.0)]``). Below 1, training runs
        step by step.
    reverse_target : bool, default=False
        Decode the target in reverse time order (as in auDeep's autoencoders). Outputs are always given
        back in the original order. Numeric targets of different lengths are refused with it unless
        their lengths are their inputs' (an autoencoder, per-step targets): ``predict`` must know each
        output's length to reverse it. ``inverse_transform`` of a model fitted that way on sequences of
        different lengths raises, since an encoding does not tell its sequence's length.
    input_noise : float, default=0.0
        Standard deviation of Gaussian noise added to the (standardised) inputs in training; above 0
        the model is a denoising autoencoder.
    contrastive : float or "auto", default="auto"
        Weight of a contrastive loss on the encodings beside the decoding loss in training: the
        encoding of each training sequence must be closer to the encoding of a random view of it (a
        crop of half to all of its steps, a quarter to all for a ``Seq2SeqTransformer``'s series read
        by a kernel bank, rescaled by about 10% per feature, with noise of 0.1 of each feature's
        scale) than to the other sequences of its batch (NT-Xent with temperature 0.1,
        as in SimCLR; crops as in TS2Vec). It makes the encodings discriminative where reconstruction
        alone learned little. ``"auto"``: 1.0 for autoencoders of numeric sequences (``fit(X)``, or a
        ``y`` of class labels with some sequences unlabelled), 0 for a classifier whose every sequence
        is labelled (its pretraining keeps 1.0), for fits with a target and for token inputs, where it
        was not measured to help (figures in ``docs/defaults.md``). A fit that continues
        (``warm_start``, ``partial_fit``) keeps the weight ``"auto"`` gave when it was fitted. 0 trains
        on the decoding loss alone; token inputs get crops only. A ``Seq2SeqTransformer`` whose
        inputs a kernel bank reads draws 4 views of each training sequence once per fit (or per
        ``partial_fit`` call), with their bank features, and each step encodes one of them, picked at
        random (where those would hold over 2**25 numbers, each step draws fresh views).
    standardize : "per_sequence" or bool, default="per_sequence"
        True: standardise every input feature (and target feature) by its mean and scale over all
        sequences and timesteps before training; outputs are given back in the original units.
        ``"per_sequence"``: the same, and the encoder also reads each numeric input sequence
        standardised by its own mean and scale per feature, with those two statistics (four input
        values per feature), so sequences whose amplitudes differ by orders of magnitude are all read
        at full resolution and none of their level or amplitude is lost; targets are standardised as
        with True. False: values as given. How the default was chosen: ``docs/defaults.md``.
    max_epochs : int or "auto", default="auto"
        Training epochs. ``"auto"``: about 300 optimiser steps (600 for :class:`Seq2SeqClassifier`,
        150 for a :class:`Seq2SeqTransformer`, and the autoencoder a classifier pretrains, whose
        inputs a kernel bank reads and that trains a contrastive term) and at least 20 epochs, i.e.
        ``ceil(300 / ceil(n_samples / batch_size))`` epochs kept between 20 and 500 (between 20 and 50
        for that :class:`Seq2SeqTransformer`: sets of a few dozen sequences train in fewer steps) (how
        this was chosen: ``docs/defaults.md``).
    batch_size : int, default=32
        Sequences per optimiser step. Inference runs in batches of ``max(batch_size, 256)`` sequences,
        each padded to a multiple of 16 rows (on GPUs, to the full batch size) so that a sequence's
        outputs do not depend on the others passed with it (on a CPU a single sequence costs 16 rows,
        not a whole batch; figures in ``benchmarks/README.md``).
    group_by_length : bool, default=False
        Batch variable-length training data by length: each epoch's random order is cut into spans
        of 20 batches, each span is sorted by sequence length and the batches are shuffled, so a batch
        pads little. On ragged data this makes training faster (``benchmarks/ragged_cost.py``); data
        of one length is batched as without it. Off by default: batches of similar length learned worse after short training, though no
        worse once trained to convergence (figures in the user guide's input formats page).
    lr : float, default=3e-3
        Learning rate. The map from the kernel bank's features into the code (``kernel_bank``)
        trains at 3% of it and, in a ``Seq2SeqTransformer`` with a kernel bank, the rest of what
        computes the code (the convolutional front end, the encoder and its readout) at a tenth of it.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, default="adam"
        Optimiser.
    weight_decay : float, default=0.0
        Weight decay passed to the optimiser.
    clip_grad_norm : float or None, default=1.0
        Clip the gradient norm to this value (skorch's ``GradientNormClipping``); None disables it.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training sequences and stop when their loss has not
        improved for ``n_iter_no_change`` epochs, restoring the best weights (skorch's ``EarlyStopping``).
        Used by ``fit`` only: ``partial_fit`` trains on every sequence of each chunk, as scikit-learn's
        ``partial_fit`` methods do.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks (for example ``LRScheduler`` or ``Checkpoint``); they are copied at ``fit``.
        ``Checkpoint`` and ``TrainEndCheckpoint`` write into a subfolder of their ``dirname`` named after
        the estimator's parameters and the training data, so fits in parallel (a grid search) never
        share files, and a fit with the same parameters and data resumes from its own checkpoint when
        skorch's ``LoadInitState`` is given too.
    device : str, default="auto"
        Torch device: ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    n_threads : int or None, default=1
        Torch CPU threads that training uses, set for the calling thread only during ``fit`` and
        ``partial_fit`` and restored afterwards (None: the calling thread's torch setting as it is).
        The default model trains at most about 1.3 times faster on two threads than on one, and a fit
        on all cores beside another busy process slows both many times over
        (``benchmarks/threads.py``); parallelism comes from running fits side by side
        (``GridSearchCV(n_jobs=...)``, Dask workers: ``docs/scale_out.md``).
        Inference runs with the caller's setting.
    verbose : int, default=0
        0: silent; 1: skorch's table of epochs; 2: the table and a progress bar.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and noise. An int gives identical results on every fit;
        None draws a fresh seed from the operating system. Either way the caller's global torch and
        numpy random states are neither read nor changed.
    input_tokens : "auto" or bool, default="auto"
        Whether ``X`` holds token sequences. ``"auto"``: strings and lists of token strings are tokens,
        numbers are numbers. True: integer arrays are token ids (strings are tokens too). False:
        ``X`` must hold numbers.
    min_frequency : int, default=1
        Tokens seen fewer times in ``fit`` are left out of the vocabularies and read as the unknown
        symbol.
    max_vocabulary_size : int or None, default=None
        Keep at most this many of the most frequent tokens in each vocabulary (the reserved symbols
        not counted).
    embedding_dim : int, default=32
        Size of the learned token embeddings (token inputs or targets only).
    warm_start : bool, default=False
        When fitted already, ``fit`` continues training the current model for ``max_epochs`` more
        epochs on the data given, keeping its scaling and vocabularies, instead of starting afresh
        (``partial_fit`` does the same for one epoch). Training continues with the current parameters
        (learning rate, batch size, optimizer, clipping, callbacks, ... as ``set_params`` left them)
        from the fitted weights, with a fresh optimizer (``partial_fit`` keeps the optimizer's state);
        parameters that shape the network (``hidden_size``, ``cell``, ...) must stay as fitted.
"""

TOKEN_TARGET_PARAMETERS = """
    target_tokens : "auto" or bool, default="auto"
        Whether ``y`` holds token sequences. ``"auto"``: strings and lists of token strings are tokens,
        except one string per numeric input sequence, which is read as class labels (as a
        :class:`~sklearn.pipeline.Pipeline` passes them) and ignored like numeric labels. True: strings
        are always tokens, and integer arrays are token ids too. False: ``y`` is never read as tokens,
        so a 1-D ``y`` of string labels is ignored whatever ``X`` holds.
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy loss of token targets.
    beam_width : int, default=1
        Hypotheses kept when generating tokens: 1 is greedy decoding, more is beam search. It is used
        only at prediction, so it can be changed on a fitted model with ``set_params``.
    length_normalization : float, default=1.0
        Beam search ranks finished hypotheses by log-probability divided by ``length **
        length_normalization``: 0 compares total log-probabilities (which favours short outputs), 1
        per-token averages.
    max_length : int or None, default=None
        Most tokens generated per sequence (the end symbol included) when it does not end before.
        None: twice the longest target sequence seen in ``fit``.
"""

INPUTS = """
    Sequences may be given as ``(n_samples, n_timesteps, n_features)`` arrays, ``(n_samples,
    n_timesteps)`` arrays or DataFrames (univariate), arrays whose shorter sequences are padded at the
    end with whole timesteps of NaN, or lists of ``(n_timesteps_i, n_features)`` arrays of different
    lengths. Padding never reaches the encoder, the encoding, the attention or the loss. Decoded
    sequences come back in the input's form: a list of arrays with each sequence's own length, or a
    NaN-padded array. Their length (the stop rule): each input's own length when the targets had their
    inputs' lengths in ``fit`` (an autoencoder, or per-step targets), otherwise the target length seen
    in ``fit`` (the longest one, when targets had different lengths).
"""

ATTRIBUTES = """
    n_features_in_ : int
        For 2-D input ``(n_samples, n_timesteps)``: the number of columns (timesteps), which later calls
        must match, as everywhere in scikit-learn. For 3-D input ``(n_samples, n_timesteps, n_features)``:
        the number of features per timestep; later calls may have another number of timesteps.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.
    net_ : Seq2SeqNet
        The fitted skorch net; ``net_.module_`` is the torch module.
    history_ : skorch.History
        Per-epoch training record (``history_[:, "train_loss"]``, and ``"valid_loss"`` with early stopping).
    layout_ : FittedLayout
        What ``fit`` learned about the data besides the weights: scaling statistics, the target's form,
        step counts, the output-length rule, vocabularies and the network's arguments (one object, which
        ``save``/``load`` store).
    n_iter_ : int
        Epochs trained to the end. A ``KeyboardInterrupt`` during ``fit`` stops training, leaves a
        usable model with the weights and history reached so far, and then propagates (so it also ends
        a grid search).
    decoder_input_ : str
        The decoder input used (``decoder_input``, with ``"auto"`` resolved).
    encoder_ : str
        The encoder used (``encoder``, with ``"auto"`` resolved).
    frame_length_ : int
        The frame length used for numeric sequences (``frame_length``, with ``"auto"`` resolved).
    vocabulary_ : Vocabulary
        Token inputs only: a mapping of the input tokens to their ids (ids 0-3 are the reserved padding,
        start, end and unknown symbols), most frequent first.
"""

TOKEN_TARGET_ATTRIBUTES = """
    target_vocabulary_ : Vocabulary
        Token targets only: the mapping of target tokens to ids (the same object as ``vocabulary_`` for a
        token autoencoder).
"""
