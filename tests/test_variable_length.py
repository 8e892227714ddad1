"""Variable-length sequences: lists and NaN padding, no leaking padding, outputs with each sequence's length."""

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklearn_seq2seq import Seq2SeqRegressor, Seq2SeqTransformer, SequenceScaler

FAST = dict(hidden_size=16, n_components=8, max_epochs=20, random_state=0)


def ragged_waves(n=120, low=5, high=40, seed=0):
    """Sine (class 0) or square (class 1) waves of random length, 2 features."""
    rng = np.random.RandomState(seed)
    X, y = [], rng.randint(2, size=n)
    for label in y:
        t = np.arange(rng.randint(low, high))
        base = np.sin(rng.uniform(0.2, 0.6) * t + rng.uniform(0, 6))
        wave = base if label == 0 else np.sign(base)
        X.append(np.stack([wave, 0.1 * rng.normal(size=len(t))], axis=1))
    return X, y


def nan_padded(X):
    out = np.full((len(X), max(len(x) for x in X), X[0].shape[1]), np.nan)
    for i, x in enumerate(X):
        out[i, : len(x)] = x
    return out


@pytest.fixture(scope="module")
def ragged():
    return ragged_waves()


@pytest.fixture(scope="module", params=["pool", "slots", "last"])
def fitted(request, ragged):
    options = {"readout": request.param}
    if request.param == "last":
        options["cell"] = "lstm"
    return Seq2SeqTransformer(**FAST, **options).fit(ragged[0])


def test_padding_never_leaks_into_encodings(fitted, ragged, padding_atol):
    X = ragged[0]
    short = [x for x in X if len(x) < 10][:3]
    longest = max(X, key=len)
    for x in short:
        alone = fitted.transform([x])
        beside_long = fitted.transform([longest, x, longest])[1]
        assert np.abs(alone[0] - beside_long).max() < padding_atol
    from_list = fitted.transform(X)
    from_nan = fitted.transform(nan_padded(X))
    assert np.abs(from_list - from_nan).max() < padding_atol


def test_padding_never_leaks_into_the_loss():
    # two data sets differing only in the values hidden behind the padding train identically
    X, _ = ragged_waves(40)
    padded = nan_padded(X)
    model = Seq2SeqTransformer(**FAST).fit(padded)
    garbage = np.where(np.isnan(padded), 1e6, padded)  # same shapes, huge values in the padding
    lengths = [len(x) for x in X]
    other = [g[:n] for g, n in zip(garbage, lengths)]
    np.testing.assert_allclose(Seq2SeqTransformer(**FAST).fit(other).transform(X), model.transform(X), atol=1e-5)


def test_predict_returns_each_sequences_own_length(fitted, ragged):
    X = ragged[0][:10]
    out = fitted.predict(X)
    assert isinstance(out, list) and [o.shape for o in out] == [x.shape for x in X]
    padded = fitted.predict(nan_padded(X))
    assert padded.shape == nan_padded(X).shape
    np.testing.assert_array_equal(np.isnan(padded), np.isnan(nan_padded(X)))
    np.testing.assert_allclose(padded[0, : len(X[0])], out[0], atol=1e-5)
    assert np.isfinite(fitted.score(X)) and fitted.score(X) == pytest.approx(fitted.score(nan_padded(X)), abs=1e-6)


def test_univariate_lists_and_nan_padded_2d_arrays():
    X = [np.sin(np.arange(n) * 0.3) for n in (5, 9, 12, 7)] * 5
    model = Seq2SeqTransformer(**FAST).fit(X)
    assert model.n_features_in_ == 1
    assert [p.shape for p in model.predict(X[:4])] == [(5,), (9,), (12,), (7,)]
    X2 = nan_padded([x[:, None] for x in X])[:, :, 0]
    np.testing.assert_allclose(model.transform(X2), model.transform(X), atol=1e-5)


def test_other_lengths_at_transform_and_clear_errors_for_bad_ragged_input(fitted):
    assert fitted.transform(np.zeros((3, 77, 2))).shape == (3, 8)
    with pytest.raises(ValueError, match="different numbers of features"):
        fitted.transform([np.zeros((4, 2)), np.zeros((5, 3))])
    with pytest.raises(ValueError, match="mix 1-D"):
        fitted.transform([np.zeros(4), np.zeros((5, 1))])
    with pytest.raises(ValueError, match="expecting 2 features per timestep"):
        fitted.transform([np.zeros((4, 3))])
    with pytest.raises(ValueError, match="0 timesteps"):
        fitted.transform([np.zeros((4, 2)), np.zeros((0, 2))])
    bad = np.zeros((2, 5, 2))
    bad[0, 1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN inside sequence 0"):
        fitted.transform(bad)
    with pytest.raises(ValueError, match="all NaN"):
        fitted.transform(np.full((2, 5, 2), np.nan))


def test_ragged_sequence_targets_for_regressor_and_transformer():
    X, _ = ragged_waves(60)
    Y = [2 * x[:, :1] for x in X]  # per-step target, as long as its input
    reg = Seq2SeqRegressor(**FAST, attend_over="encoder").fit(X, Y)
    out = reg.predict(X[:5])
    assert [o.shape for o in out] == [y.shape for y in Y[:5]]
    assert np.isfinite(reg.score(X, Y))
    # targets of unrelated lengths: generated as long as the longest target seen in fit (the stop rule)
    Y_other = [np.ones((k % 4 + 2, 1)) for k in range(60)]
    model = Seq2SeqTransformer(**FAST).fit(X, Y_other)
    assert all(p.shape == (5, 1) for p in model.predict(X[:3]))


@pytest.mark.parametrize("frame_length", [1, 2])
def test_attention_weights_per_sequence_without_padding(ragged, frame_length):
    X = ragged[0][:4]  # lengths 28, 7, 27 and 10: with frames of 2, those of 7 and 27 end in a frame of one step
    model = Seq2SeqRegressor(**FAST, attend_over="encoder", frame_length=frame_length).fit(
        ragged[0], [x[:, :1] for x in ragged[0]])
    weights = model.attention_weights(X)
    assert [w.shape for w in weights] == [(len(x), len(x)) for x in X]
    for w in weights:
        np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-5)
    code_model = Seq2SeqTransformer(**FAST, reverse_target=True).fit(ragged[0])
    assert [w.shape for w in code_model.attention_weights(X)] == [(len(x), 8) for x in X]
    with pytest.raises(ValueError, match="no attention"):
        Seq2SeqTransformer(**{**FAST, "max_epochs": 1}, attention="none").fit(X).attention_weights(X)


def test_plot_attention_draws_labelled_heatmap(ragged):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from sklearn_seq2seq import plot_attention

    weights = np.random.RandomState(0).dirichlet(np.ones(6), size=4)
    ax = plot_attention(weights, memory_labels=list("abcdef"), memory_name="input step", title="t")
    assert ax.get_xlabel() == "input step" and ax.get_ylabel() == "output step"
    assert [t.get_text() for t in ax.get_xticklabels()] == list("abcdef")
    assert ax.images[0].get_array().shape == (4, 6)
    with pytest.raises(ValueError, match="memory_labels has 2 entries"):
        plot_attention(weights, memory_labels=["a", "b"])


def test_sequence_scaler_ignores_padding_and_round_trips(ragged):
    X = ragged[0]
    scaler = SequenceScaler().fit(X)
    real = np.concatenate(scaler.transform(X))
    np.testing.assert_allclose(real.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(real.std(axis=0), 1, atol=1e-12)
    padded = scaler.transform(nan_padded(X))
    np.testing.assert_array_equal(np.isnan(padded), np.isnan(nan_padded(X)))
    back = scaler.inverse_transform(scaler.transform(X))
    assert all(np.allclose(a, b) for a, b in zip(back, X))


def test_ragged_lists_in_pipeline_grid_search_and_after_joblib(ragged, tmp_path):
    X, y = ragged
    X = [x + [2.0 * label, 0.0] for x, label in zip(X, y)]  # an easy class signal: the level
    pipe = Pipeline([
        ("scale", SequenceScaler()),
        ("s2s", Seq2SeqTransformer(hidden_size=16, max_epochs=5, random_state=0)),
        ("clf", LogisticRegression()),
    ])
    search = GridSearchCV(pipe, {"s2s__n_components": [2, 8]}, cv=3).fit(X, y)
    assert search.best_score_ > 0.8  # measured: 1.0 (chance: 0.5)
    joblib.dump(search.best_estimator_, tmp_path / "p.joblib")
    loaded = joblib.load(tmp_path / "p.joblib")
    np.testing.assert_array_equal(loaded.predict(X), search.best_estimator_.predict(X))


def test_scheduled_sampling_decays_teacher_forcing(ragged):
    seen = []
    from skorch.callbacks import Callback

    class Record(Callback):
        def on_epoch_end(self, net, **kwargs):
            seen.append(net.teacher_forcing)

    model = Seq2SeqTransformer(
        **{**FAST, "max_epochs": 5}, decoder_input="previous", teacher_forcing=(1.0, 0.0), callbacks=[Record()]
    ).fit(ragged[0])
    np.testing.assert_allclose(seen, [1.0, 0.75, 0.5, 0.25, 0.0])
    assert model.get_params()["teacher_forcing"] == (1.0, 0.0)
    with pytest.raises(ValueError, match="pair of probabilities"):
        Seq2SeqTransformer(**FAST, teacher_forcing=(1.0, 2.0)).fit(ragged[0])


@pytest.mark.parametrize("cell, num_layers, bidirectional", [("gru", 1, True), ("lstm", 2, True), ("gru", 2, False)])
def test_cpu_per_direction_encoder_equals_packing(cell, num_layers, bidirectional):
    import torch

    from sklearn_seq2seq._nn.encoder import RecurrentEncoder

    torch.manual_seed(0)
    encoder = RecurrentEncoder(3, 16, cell, num_layers, bidirectional, 0.0)
    x, lengths = torch.randn(5, 12, 3), torch.tensor([12, 3, 7, 1, 9])
    packed_states, packed_final = encoder._run_packed(x, lengths)
    states, final = encoder._run_per_direction(x, lengths)
    torch.testing.assert_close(states, packed_states, atol=1e-6, rtol=0)
    torch.testing.assert_close(final, packed_final, atol=1e-6, rtol=0)
    # the gradients reach the RNN's own weights
    states.sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in encoder.rnn.parameters())


# ---------------------------------------------------------------- batching by length
def _epoch_batches(loader, seed, key="lengths"):
    import torch

    torch.manual_seed(seed)
    return [batch[key].numpy().ravel() for batch, _ in loader]


def test_group_by_length_pads_less_and_still_sees_every_sample_once_per_epoch():
    import torch

    from sklearn_seq2seq._training import ArrayDataset, BatchLoader

    rng = np.random.RandomState(0)
    lengths = rng.randint(5, 200, size=1000)
    data = ArrayDataset({"x": np.zeros((1000, 1, 1)), "lengths": lengths, "target_lengths": lengths})
    padded = {}
    for group in (False, True):
        loader = BatchLoader(data, batch_size=32, shuffle=True, group_by_length=group)
        batches = _epoch_batches(loader, seed=1)
        assert len(batches) == len(loader) == 32
        assert sorted(np.concatenate(batches)) == sorted(lengths)  # each sample once
        padded[group] = sum(len(b) * b.max() for b in batches) / lengths.sum()
    assert padded[False] > 1.6 and padded[True] < 1.1  # padded steps per real step
    # batches differ between epochs (a fresh random order), and the span of 20 batches bounds the sorting
    loader = BatchLoader(data, batch_size=32, shuffle=True, group_by_length=True)
    assert any(not np.array_equal(a, b) for a, b in zip(_epoch_batches(loader, 1), _epoch_batches(loader, 2)))
    # a Subset (skorch's validation split) is grouped by its own samples' lengths
    subset = torch.utils.data.Subset(data, np.arange(0, 1000, 2))
    batches = _epoch_batches(BatchLoader(subset, batch_size=32, shuffle=True, group_by_length=True), seed=1)
    assert sorted(np.concatenate(batches)) == sorted(lengths[::2])


def test_group_by_length_leaves_fixed_length_batches_unchanged():
    from sklearn_seq2seq._training import ArrayDataset, BatchLoader

    data = ArrayDataset({"x": np.arange(100.0).reshape(100, 1, 1), "lengths": np.full(100, 7)})
    plain, grouped = (
        _epoch_batches(BatchLoader(data, 16, shuffle=True, group_by_length=g), seed=3, key="x") for g in (False, True)
    )
    assert all(np.array_equal(a, b) for a, b in zip(plain, grouped)) and len(plain) == len(grouped) == 7


def test_group_by_length_fit_learns_and_keeps_padding_out(padding_atol):
    X, _ = ragged_waves(240, seed=1)
    y = np.array([np.abs(x[:, 0]).mean() for x in X])  # about 0.64 for sines, 1 for square waves
    model = Seq2SeqRegressor(**FAST, group_by_length=True).fit(X[:180], y[:180])
    assert model.history_[-1, "train_loss"] < 0.2 * model.history_[0, "train_loss"]
    assert model.score(X[180:], y[180:]) > 0.85
    np.testing.assert_allclose(model.predict(X[180:181]), model.predict(X[180:])[:1], atol=padding_atol)
    # with a validation split the training Subset is grouped too
    model = Seq2SeqRegressor(**FAST, group_by_length=True, early_stopping=True).fit(X, y)
    assert np.isfinite(model.history_[-1, "valid_loss"])
