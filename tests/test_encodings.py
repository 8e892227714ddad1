"""Frames, the self-attention encoder, the contrastive objective and training threads."""

import threading

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_seq2seq import Seq2SeqClassifier, Seq2SeqRegressor, Seq2SeqTransformer
from sklearn_seq2seq._nn.contrastive import nt_xent, random_crops
from sklearn_seq2seq._nn.conv_encoder import ConvolutionalEncoder, MaskedBatchNorm1d
from sklearn_seq2seq._nn.conv_front import ConvFrontEnd
from sklearn_seq2seq._nn.frames import from_frames, to_frames

FAST = dict(hidden_size=8, n_components=4, random_state=0)
RAGGED = [np.random.RandomState(i).normal(size=(20 + 9 * i, 2)) for i in range(12)]


def test_frames_round_trip_and_ignore_padding():
    x = torch.randn(3, 10, 2)
    lengths = torch.tensor([10, 7, 1])
    frames, frame_lengths = to_frames(x, lengths, 4)
    assert frames.shape == (3, 3, 8) and frame_lengths.tolist() == [3, 2, 1]
    np.testing.assert_array_equal(from_frames(frames, 4, 10)[0], x[0])
    padded = x.clone()
    padded[1, 7:] = 99.0  # whatever sits past a sequence's length never enters its frames
    np.testing.assert_array_equal(to_frames(padded, lengths, 4)[0], frames)


@pytest.mark.parametrize("encoder", ["recurrent", "transformer", "conv_recurrent", "conv"])
def test_long_ragged_sequences_in_frames_encode_alone_as_in_any_batch(encoder):
    model = Seq2SeqTransformer(encoder=encoder, frame_length=4, max_epochs=2, **FAST).fit(RAGGED)
    assert model.frame_length_ == 4
    together = model.transform(RAGGED)
    alone = np.vstack([model.transform([x]) for x in RAGGED])
    np.testing.assert_allclose(alone, together, atol=1e-5)
    assert [p.shape for p in model.predict(RAGGED[:3])] == [x.shape for x in RAGGED[:3]]


def test_auto_frame_length_follows_the_longest_sequence():
    assert Seq2SeqTransformer(max_epochs=1, **FAST).fit(np.zeros((4, 300, 1))).frame_length_ == 10  # ceil(300/32)
    assert Seq2SeqRegressor(max_epochs=1, **FAST).fit(np.zeros((4, 300, 1)), np.arange(4.0)).frame_length_ == 10
    assert Seq2SeqTransformer(max_epochs=1, **FAST).fit(np.zeros((4, 8, 3))).frame_length_ == 1
    strings = Seq2SeqTransformer(max_epochs=1, **FAST).fit(["a" * 200, "b" * 150])
    assert strings.frame_length_ == 1  # tokens are read one at a time


def test_classifiers_keep_frames_of_their_own_bound_and_pretrain_with_them():
    X, y = np.zeros((4, 300, 1)), np.array([0, 1, 0, 1])
    fast = {**FAST, "max_epochs": 1}
    assert Seq2SeqClassifier(pretrain=False, **fast).fit(X, y).frame_length_ == 5  # ceil(300/64)
    # the autoencoder it pretrains (a transformer would take frames of 10) frames the series as the classifier
    pretrained = Seq2SeqClassifier(**fast).fit(X, y)
    assert pretrained.frame_length_ == 5
    assert Seq2SeqClassifier(frame_length=3, **fast).fit(X, y).frame_length_ == 3


def test_frames_learn_a_long_autoencoder():
    t = np.linspace(0, 6 * np.pi, 400)
    rng = np.random.RandomState(0)
    X = np.sin(t[None, :] * rng.uniform(0.5, 1.5, size=(64, 1)))[:, :, None]
    model = Seq2SeqTransformer(max_epochs=150, contrastive=0.0, hidden_size=32, n_components=8, random_state=0).fit(X)
    assert model.frame_length_ == 13 and model.decoder_input_ == "position"  # 31 frames
    # (teacher forcing, the previous "auto" for targets over 100 steps, generated worse than the mean here)
    # mean squared error of the reconstructions against the variance of the data (about 0.5)
    assert np.mean((model.predict(X) - X) ** 2) < 0.25 * X.var()


def test_self_attention_encoder_learns_a_regression():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 12, 2))
    y = X[:, :, 0].mean(axis=1) - X[:, -1, 1]
    model = Seq2SeqRegressor(encoder="transformer", max_epochs=60, hidden_size=32, contrastive=0.0,
                             random_state=0).fit(X[:150], y[:150])
    assert model.score(X[150:], y[150:]) > 0.6


def test_conv_front_end_reads_only_each_sequences_real_steps():
    torch.manual_seed(0)
    front = ConvFrontEnd(2, 4)
    x = torch.randn(3, 21, 2)
    lengths = torch.tensor([21, 13, 1])
    features, frame_lengths = front(x, lengths)
    assert features.shape == (3, 6, front.output_size) and frame_lengths.tolist() == [6, 4, 1]
    torch.testing.assert_close(features[..., -8:], to_frames(x, lengths, 4)[0])  # each frame's own 4 * 2 values
    padded = x.clone()
    padded[1, 13:] = 99.0
    padded[2, 1:] = -99.0
    torch.testing.assert_close(front(padded, lengths)[0], features)
    alone, _ = front(x[1:2, :13], lengths[1:2])  # the same sequence without any padding
    torch.testing.assert_close(alone[0], features[1, :4])


def test_conv_recurrent_encoder_learns_the_frequency_of_long_series():
    rng = np.random.RandomState(0)
    freq = rng.uniform(0.05, 0.5, size=(240, 1))
    t = np.arange(200)[None, :]
    X = (np.sin(freq * t + rng.uniform(0, 2 * np.pi, size=(240, 1))) + 0.1 * rng.normal(size=(240, 200)))
    model = Seq2SeqRegressor(encoder="conv_recurrent", max_epochs=30, hidden_size=32, random_state=0)
    model.fit(X[:200], freq[:200, 0])
    assert model.frame_length_ == 7  # 29 frames
    assert model.score(X[200:], freq[200:, 0]) > 0.8


def test_auto_encoder_is_convolutional_for_numeric_encodings_one_number_and_labels_recurrent_otherwise():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(16, 12, 2))
    one = dict(max_epochs=1, **FAST)
    assert Seq2SeqRegressor(**one).fit(X, X[:, 0, 0]).encoder_ == "conv_recurrent"
    assert Seq2SeqRegressor(**one).fit(X, X[:, :1, 0]).encoder_ == "conv_recurrent"  # one step, as a column
    assert Seq2SeqRegressor(**one).fit(X, X[:, :3, 0]).encoder_ == "recurrent"  # a 3-step forecast
    assert Seq2SeqRegressor(**one).fit(["ab", "cde"] * 8, np.arange(16.0)).encoder_ == "recurrent"  # tokens
    assert Seq2SeqTransformer(**one).fit(X).encoder_ == "conv_recurrent"  # numeric encodings
    assert Seq2SeqTransformer(**one).fit(["ab", "cde"] * 8).encoder_ == "recurrent"  # token encodings
    classifier = Seq2SeqClassifier(pretrain=False, **one).fit(X, np.arange(16) % 2)
    assert classifier.encoder_ == "conv" and isinstance(classifier.net_.module_.encoder, ConvolutionalEncoder)
    tokens = Seq2SeqClassifier(pretrain=False, **one).fit(["ab", "cde"] * 8, np.arange(16) % 2)
    assert tokens.encoder_ == "recurrent"
    assert Seq2SeqClassifier(**one).fit(X, np.arange(16) % 2).encoder_ == "conv_recurrent"  # its pretraining's
    model = Seq2SeqRegressor(encoder="recurrent", **one).fit(X, X[:, 0, 0])
    assert model.encoder_ == "recurrent" and model.net_.module_.front is None
    assert Seq2SeqRegressor(**one).fit(X, X[:, 0, 0]).net_.module_.front is not None


def test_random_crops_are_windows_of_each_sequences_real_steps():
    torch.manual_seed(0)
    x = torch.arange(40.0).view(2, 20, 1)
    lengths = torch.tensor([20, 8])
    crops, widths = random_crops(x, lengths, min_fraction=0.5)
    for row, (width, length) in enumerate(zip(widths.tolist(), lengths.tolist())):
        assert -(-length // 2) <= width <= length
        window = crops[row, :width, 0]
        assert torch.all(window[1:] - window[:-1] == 1)  # contiguous
        assert window[0] >= x[row, 0, 0] and window[-1] <= x[row, length - 1, 0]  # inside the real steps


def test_nt_xent_is_low_for_matching_views_and_high_for_shuffled_ones():
    a = torch.randn(16, 8)
    assert nt_xent(a, a + 0.01 * torch.randn(16, 8)) < 0.1 < nt_xent(a, a[torch.randperm(16)])


def test_contrastive_term_is_trained_and_keeps_the_bottleneck():
    X = np.random.RandomState(0).normal(size=(64, 10, 2))
    plain = Seq2SeqTransformer(max_epochs=2, contrastive=0.0, **FAST).fit(X)
    with_term = Seq2SeqTransformer(max_epochs=2, contrastive=1.0, **FAST).fit(X)
    # the reported loss holds the contrastive term (about log(32) at the start)
    assert with_term.history_[0, "train_loss"] > plain.history_[0, "train_loss"] + 1.0
    # decoding still reads the encoding alone
    np.testing.assert_allclose(with_term.inverse_transform(with_term.transform(X[:5])), with_term.predict(X[:5]),
                               atol=1e-5)


class _ThreadsSeen(Callback):
    def initialize(self):
        self.seen = []
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.seen.append(torch.get_num_threads())


def test_training_uses_n_threads_in_the_calling_thread_only_and_restores_it():
    X = np.random.RandomState(0).normal(size=(32, 6, 2))
    before = torch.get_num_threads()
    seen_elsewhere = []
    stop, started = threading.Event(), threading.Event()

    def other_thread():
        torch.set_num_threads(before)  # a thread of the caller with its own setting
        started.set()
        while not stop.is_set():
            seen_elsewhere.append(torch.get_num_threads())

    watcher = threading.Thread(target=other_thread)
    watcher.start()
    started.wait()
    try:
        model = Seq2SeqTransformer(max_epochs=2, n_threads=1, callbacks=[_ThreadsSeen()], **FAST).fit(X)
    finally:
        stop.set()
        watcher.join()
    seen = [cb.seen for _, cb in model.net_.callbacks_ if isinstance(cb, _ThreadsSeen)]
    assert seen == [[1, 1]]
    assert torch.get_num_threads() == before
    assert seen_elsewhere and set(seen_elsewhere) == {before}  # the other thread kept its own


def test_readout_auto_keeps_the_final_state_for_forecasts_only():
    X = np.random.RandomState(0).normal(size=(20, 12, 2))

    def readout(model, *y):
        return model.set_params(max_epochs=1, **FAST).fit(X, *y).layout_.module_kwargs["readout"]

    assert readout(Seq2SeqTransformer()) == "pool"  # encodings
    assert readout(Seq2SeqRegressor(), X[:, 0, 0]) == "pool"  # one number
    assert readout(Seq2SeqRegressor(), X[:, :4, 0]) == "pool_last"  # a 4-step forecast
    assert readout(Seq2SeqRegressor(readout="slots"), X[:, :4, 0]) == "slots"


def test_convolutional_encoder_reads_only_each_sequences_real_steps():
    torch.manual_seed(0)
    encoder = ConvolutionalEncoder(2, 8)
    x = torch.randn(3, 21, 2)
    lengths = torch.tensor([21, 13, 1])
    padded = x.clone()
    padded[1, 13:] = 99.0
    padded[2, 1:] = -99.0
    states, final = encoder(x, lengths)
    assert states.shape == (3, 21, encoder.output_size) and bool((states[1, 13:] == 0).all())
    # in training the batch statistics are taken over real steps only: padding changes nothing
    torch.testing.assert_close(encoder(padded, lengths)[0], states)
    torch.testing.assert_close(final[1], states[1, 12])
    encoder.eval()  # and with the running statistics a sequence encodes alone as in its batch
    alone, _ = encoder(x[1:2, :13], lengths[1:2])
    torch.testing.assert_close(alone[0], encoder(padded, lengths)[0][1, :13])


def test_masked_batch_norm_matches_torch_batch_norm_without_padding():
    torch.manual_seed(0)
    masked, plain = MaskedBatchNorm1d(4), torch.nn.BatchNorm1d(4)
    x = torch.randn(5, 4, 9) * 3 + 1
    full = torch.ones(5, 9, dtype=torch.bool)
    torch.testing.assert_close(masked(x, full), plain(x))
    torch.testing.assert_close(masked.running_mean, plain.running_mean)
    torch.testing.assert_close(masked.running_var, plain.running_var)
    masked.eval(), plain.eval()
    torch.testing.assert_close(masked(x, full), plain(x))
