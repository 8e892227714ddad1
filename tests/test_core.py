"""Behaviour of Seq2SeqTransformer and Seq2SeqRegressor: shapes, learning, reproducibility, integration."""

import os

import joblib
import numpy as np
import pytest
import torch
from skorch.callbacks import Callback
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_seq2seq import Seq2SeqRegressor, Seq2SeqTransformer

FAST = dict(hidden_size=16, n_components=8, max_epochs=10, random_state=0)


# ---------------------------------------------------------------- shapes and dtypes
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transformer_shapes_and_dtypes(waves, dtype):
    X = waves.astype(dtype)
    params = {**FAST, "max_epochs": 3}  # shapes, dtypes and the epochs' count: no learning asserted
    model = Seq2SeqTransformer(**params).fit(X)
    Z = model.transform(X)
    assert Z.shape == (200, 8) and Z.dtype == dtype
    assert model.predict(X).shape == X.shape and model.predict(X).dtype == dtype
    assert model.inverse_transform(Z).shape == X.shape
    assert model.n_features_in_ == 2
    assert model.n_iter_ == params["max_epochs"] and len(model.history_) == params["max_epochs"]
    np.testing.assert_allclose(model.fit_transform(X), Z, rtol=1e-6)


def test_univariate_2d_input_and_n_features_in(waves):
    X2 = waves[:, :, 0]
    model = Seq2SeqTransformer(**FAST).fit(X2)
    assert model.n_features_in_ == 30  # 2-D: columns, as in scikit-learn
    assert model.predict(X2).shape == X2.shape
    assert model.inverse_transform(model.transform(X2)).shape == X2.shape
    with pytest.raises(ValueError, match="expecting 30 features"):
        model.transform(X2[:, :20])


def test_3d_input_accepts_other_lengths_but_not_other_feature_counts(waves):
    model = Seq2SeqTransformer(**FAST).fit(waves)
    assert model.transform(waves[:, :12]).shape == (200, 8)
    assert model.predict(waves[:, :12]).shape == (200, 12, 2)
    with pytest.raises(ValueError, match="3 features per timestep.*expecting 2"):
        model.transform(np.zeros((5, 30, 3)))


def test_dataframe_input_and_feature_names(waves):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(waves[:, :, 0], columns=[f"t{i}" for i in range(30)])
    model = Seq2SeqTransformer(**FAST).fit(df)
    np.testing.assert_array_equal(model.feature_names_in_, df.columns)
    assert list(model.get_feature_names_out()) == [f"seq2seqtransformer{i}" for i in range(8)]
    out = clone(model).set_output(transform="pandas").fit(df).transform(df)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list(model.get_feature_names_out())


@pytest.mark.parametrize("y_shape", [(200,), (200, 5), (200, 5, 2)])
def test_regressor_predicts_the_fitted_target_shape(waves, y_shape):
    y = np.random.RandomState(0).normal(size=y_shape)
    model = Seq2SeqRegressor(**FAST).fit(waves, y)
    assert model.predict(waves).shape == y_shape
    assert model.transform(waves).shape == (200, 8)
    assert np.isfinite(model.score(waves, y))


@pytest.mark.parametrize("kernel_bank", ["auto", False])
def test_regressions_to_one_number_predict_ridge_regressions_on_their_encodings_and_bank_features(waves, kernel_bank):
    # the frequency of each wave: predict is the ridge regression (RidgeCV over the same penalties) on the
    # encodings of the training sequences, not the decoder's one-step output; with a kernel bank (30
    # steps: "auto" reads one), the mean of that and of the same regression on the bank's features
    from sklearn.linear_model import RidgeCV

    from sklearn_seq2seq import _inference as inference
    from sklearn_seq2seq._heads import RIDGE_ALPHAS

    frequency = np.unwrap(np.arctan2(waves[:, :, 0], waves[:, :, 1]), axis=1)
    y = np.diff(frequency, axis=1).mean(axis=1)
    train, test = slice(0, 150), slice(150, None)
    model = Seq2SeqRegressor(kernel_bank=kernel_bank, **FAST).fit(waves[train], y[train])
    readings = [model.transform]
    if kernel_bank == "auto":
        assert model.net_.module_.bank_head is not None
        readings.append(lambda X: inference.bank_features(model.net_, *(lambda s: (s.values, s.lengths))(model._check_X(X))))
    predictions = [make_pipeline(StandardScaler(), RidgeCV(alphas=RIDGE_ALPHAS)).fit(read(waves[train]), y[train])
                   .predict(read(waves[test])) for read in readings]
    np.testing.assert_allclose(model.predict(waves[test]), np.mean(predictions, axis=0), rtol=1e-4,
                               atol=1e-5 * np.abs(y).max())


def test_predictions_that_read_the_bank_are_not_made_from_encodings_alone(waves):
    model = Seq2SeqTransformer(**{**FAST, "max_epochs": 1}).fit(waves, waves[:, -1:, 0])  # one step, bank head
    with pytest.raises(ValueError, match="kernel bank's features of each input sequence.*predict\\(X\\)"):
        model.inverse_transform(model.transform(waves))
    without = Seq2SeqTransformer(kernel_bank=False, **{**FAST, "max_epochs": 1}).fit(waves, waves[:, -1:, 0])
    np.testing.assert_allclose(without.inverse_transform(without.transform(waves)), without.predict(waves), rtol=1e-5)


def test_a_one_number_model_saved_without_a_value_head_continues_through_its_decoder(waves):
    # models fitted before value heads existed load without one; warm-started fits keep their decoder
    import dataclasses

    y = waves[:, -1, 0]
    # (no kernel bank: regressions to one number read none before value heads existed)
    model = Seq2SeqRegressor(**{**FAST, "max_epochs": 2}, warm_start=True, kernel_bank=False).fit(waves, y)
    kwargs = {**model.layout_.module_kwargs}
    del kwargs["value_head"]
    model.layout_ = dataclasses.replace(model.layout_, module_kwargs=kwargs)
    model.net_.module_.value_head = None
    before = model.predict(waves)
    model.set_params(lr=1e-3).fit(waves, y)
    assert model.net_.module_.value_head is None and model.n_iter_ == 4
    assert not np.allclose(model.predict(waves), before)


def test_regressions_to_one_number_read_three_scales_and_older_ones_keep_their_two(waves, monkeypatch):
    # the front end's third dilation is chosen per fit; a one-number model fitted before that choice
    # (two scales, no setting in its layout) keeps its two scales when it continues training
    import sklearn_seq2seq._layout as layout_module

    y = waves[:, -1, 0]
    params = {**FAST, "max_epochs": 2, "warm_start": True}
    front = Seq2SeqRegressor(**params).fit(waves, y).net_.module_.front
    assert [conv.dilation[0] for conv in front.convs] == [1, 4, 16]
    assert [conv.dilation[0] for conv in Seq2SeqTransformer(**params).fit(waves).net_.module_.front.convs] == [1, 4]
    without_setting = layout_module.module_kwargs
    with monkeypatch.context() as patch:  # what versions before the setting built
        patch.setattr(layout_module, "module_kwargs", lambda *args: {
            key: value for key, value in without_setting(*args).items() if key != "front_dilations"})
        old = Seq2SeqRegressor(**params).fit(waves, y)
    assert [conv.dilation[0] for conv in old.net_.module_.front.convs] == [1, 4]
    before = old.predict(waves)
    old.set_params(lr=1e-3).fit(waves, y)
    assert [conv.dilation[0] for conv in old.net_.module_.front.convs] == [1, 4] and old.n_iter_ == 4
    assert not np.allclose(old.predict(waves), before)


def test_transformer_sequence_to_sequence_mode(waves):
    # X -> its time-reversed first feature, a sequence target of another length and width
    Y = waves[:, ::-1, :1][:, :20]
    model = Seq2SeqTransformer(hidden_size=32, n_components=16, max_epochs=40, random_state=0).fit(waves, Y)
    assert model.predict(waves).shape == Y.shape
    assert model.inverse_transform(model.transform(waves)).shape == Y.shape
    baseline = -np.mean((Y - Y.mean(axis=0)) ** 2)
    assert model.score(waves, Y) > 0.2 * baseline  # -MSE: much closer to 0 than predicting the mean (0.008 of it)


def test_labels_given_to_the_transformer_are_ignored(digits):
    X, y = digits[0][:200], digits[1][:200]
    a = Seq2SeqTransformer(**FAST).fit(X).transform(X)
    b = Seq2SeqTransformer(**FAST).fit(X, y).transform(X)
    np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- learning
def test_autoencoder_reconstructs_held_out_sequences(waves):
    train, test = waves[:150], waves[150:]
    model = Seq2SeqTransformer(n_components=8, max_epochs=50, random_state=0).fit(train)  # 0.04 of mean_mse
    mse = np.mean((model.predict(test) - test) ** 2)
    mean_mse = np.mean((test - train.mean(axis=0)) ** 2)
    assert mse < 0.1 * mean_mse
    np.testing.assert_allclose(model.score(test), -mse, rtol=1e-5)


def test_regressor_forecasts_noisy_sine_better_than_last_value():
    rng = np.random.RandomState(0)
    t = np.arange(44)[None, :]
    series = np.sin(rng.uniform(0.15, 0.35, (400, 1)) * t + rng.uniform(0, 2 * np.pi, (400, 1)))
    series += 0.05 * rng.normal(size=series.shape)
    X, y = series[:, :32], series[:, 32:]  # 32 steps in, 12-step forecast out
    model = Seq2SeqRegressor(max_epochs=30, random_state=0).fit(X[:300], y[:300])  # measured: 0.008, R^2 0.985
    model_mse = np.mean((model.predict(X[300:]) - y[300:]) ** 2)
    last_value_mse = np.mean((X[300:, -1:] - y[300:]) ** 2)
    assert model_mse < 0.5 * last_value_mse
    assert model.score(X[300:], y[300:]) > 0.8


def test_encodings_separate_classes_better_than_untrained_model(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, train_size=600, test_size=400, stratify=y, random_state=0)

    def accuracy(max_epochs):
        pipe = Pipeline([
            ("s2s", Seq2SeqTransformer(n_components=16, hidden_size=32, max_epochs=max_epochs, random_state=0)),
            ("scale", StandardScaler()),
            ("clf", LogisticRegression(max_iter=2000)),
        ])
        return pipe.fit(X_train, y_train).score(X_test, y_test)

    trained, untrained = accuracy("auto"), accuracy(1)
    assert trained > 0.85
    assert trained > untrained + 0.05


# ---------------------------------------------------------------- reproducibility and persistence
def test_same_random_state_gives_identical_results_and_leaves_global_rng_alone(waves):
    torch.manual_seed(123)
    np.random.seed(123)
    torch_state, np_state = torch.get_rng_state(), np.random.get_state()
    a = Seq2SeqTransformer(**FAST, input_noise=0.1).fit(waves).transform(waves)
    b = Seq2SeqTransformer(**FAST, input_noise=0.1).fit(waves).transform(waves)
    np.testing.assert_array_equal(a, b)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.random.get_state()[1].tolist() == np_state[1].tolist()
    c = Seq2SeqTransformer(**{**FAST, "random_state": 1}).fit(waves).transform(waves)
    assert not np.allclose(a, c)


def test_joblib_round_trip_gives_identical_outputs(waves, tmp_path):
    model = Seq2SeqRegressor(**FAST).fit(waves, waves[:, -3:, 0])
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict(waves), model.predict(waves))
    np.testing.assert_array_equal(loaded.transform(waves), model.transform(waves))


def test_clone_copies_parameters_not_fitted_state(waves):
    model = Seq2SeqTransformer(**FAST, attention="additive").fit(waves)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "net_")


def test_transform_does_not_depend_on_batch_composition(waves):
    model = Seq2SeqTransformer(**FAST).fit(waves)
    full = model.transform(waves)
    one_by_one = np.vstack([model.transform(waves[i : i + 1]) for i in range(0, 200, 37)])
    np.testing.assert_array_equal(one_by_one, full[::37])


def test_grid_search_over_nested_parameters_in_parallel(digits):
    X, y = digits[0][:300], digits[1][:300]
    pipe = Pipeline([
        ("s2s", Seq2SeqTransformer(hidden_size=16, lr=1e-2, max_epochs=20, random_state=0)),
        ("scale", StandardScaler()),
        ("clf", LogisticRegression(max_iter=1000)),
    ])
    grid = {"s2s__n_components": [4, 16], "s2s__attention": ["general", "none"]}
    search = GridSearchCV(pipe, grid, cv=2, n_jobs=2).fit(X, y)
    # measured: 0.74 with 16 components against at most 0.52 with 4 (chance is 0.1)
    assert search.best_params_["s2s__n_components"] == 16
    assert search.best_score_ > 0.6
    assert search.predict(X[:5]).shape == (5,)


def test_unsupervised_grid_search_uses_reconstruction_score(waves):
    # on the decoding loss alone, so the score measures what n_components changes
    search = GridSearchCV(Seq2SeqTransformer(hidden_size=16, lr=1e-2, max_epochs=10, contrastive=0.0, random_state=0),
                          {"n_components": [1, 8]}, cv=2).fit(waves)  # measured: -0.13 against -0.44
    assert search.best_params_ == {"n_components": 8}
    assert search.best_score_ < 0


# ---------------------------------------------------------------- training controls
@pytest.mark.parametrize(
    "options",
    [
        dict(cell="lstm", num_layers=2, dropout=0.1, bidirectional=False),
        dict(readout="slots", attention="additive"),
        dict(readout="last", attention="dot", reverse_target=True),
        dict(decoder_input="previous", teacher_forcing=0.5),
        dict(decoder_input="zeros", attention="none", optimizer="adamw", weight_decay=1e-4),
    ],
)
def test_architecture_options_train_and_reduce_loss(waves, options):
    # measured: the last epoch's loss is 0.40-0.47 of the first's for every option (0.20-0.22 after 40
    # epochs at the default rate)
    model = Seq2SeqTransformer(**{**FAST, "lr": 1e-2}, **options).fit(waves)
    losses = model.history_[:, "train_loss"]
    assert losses[-1] < 0.6 * losses[0]
    assert model.predict(waves).shape == waves.shape


def test_attend_over_encoder_only_for_supervised_fits(waves):
    with pytest.raises(ValueError, match="bypass the encoding"):
        Seq2SeqTransformer(**FAST, attend_over="encoder").fit(waves)
    model = Seq2SeqRegressor(**FAST, attend_over="encoder").fit(waves, waves[:, :4, 0])
    assert model.predict(waves).shape == (200, 4)
    with pytest.raises(ValueError, match="cannot decode from encodings"):
        Seq2SeqTransformer(**FAST, attend_over="encoder").fit(waves, waves[:, :4]).inverse_transform(np.zeros((1, 8)))


def test_early_stopping_holds_out_data_and_stops(waves):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # stopping early is not an interruption: no warning
        model = Seq2SeqTransformer(**{**FAST, "max_epochs": 500}, early_stopping=True, n_iter_no_change=3).fit(waves)
    assert model.n_iter_ < 500
    assert all(np.isfinite(model.history_[:, "valid_loss"]))


def test_user_callbacks_are_run_and_not_mutated(waves):
    class CountEpochs(Callback):
        def __init__(self):
            self.count = 0

        def on_epoch_end(self, net, **kwargs):
            self.count += 1

    counter = CountEpochs()
    model = Seq2SeqTransformer(**{**FAST, "max_epochs": 4}, callbacks=[counter]).fit(waves)
    fitted_counter = dict(model.net_.callbacks_)["user_0_CountEpochs"]
    assert fitted_counter.count == 4
    assert counter.count == 0  # the caller's object is copied, not trained


def test_silent_by_default_and_epoch_table_when_verbose(waves, capsys):
    Seq2SeqTransformer(**{**FAST, "max_epochs": 2}).fit(waves)
    assert capsys.readouterr().out == ""
    Seq2SeqTransformer(**{**FAST, "max_epochs": 2}, verbose=1).fit(waves)
    out = capsys.readouterr().out
    assert "epoch" in out and "train_loss" in out


def test_fit_writes_no_files(waves, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Seq2SeqTransformer(**{**FAST, "max_epochs": 2}, verbose=1, early_stopping=True).fit(waves)
    assert os.listdir(tmp_path) == []


def test_max_epochs_auto_scales_with_data_size():
    from sklearn_seq2seq._training import auto_epochs

    # about 300 optimiser steps on small data, at least 20 passes over large data, never over 500
    assert auto_epochs(60, 64) == 300 and auto_epochs(1000, 64) == 20 == auto_epochs(100_000, 64)
    assert auto_epochs(10, 64) == 300 and auto_epochs(500, 32) == 20
    # a bound on the epochs binds where the steps would take more passes
    assert auto_epochs(10, 64, 150, 50) == 50 and auto_epochs(200, 32, 150, 50) == 22


# ---------------------------------------------------------------- devices
def test_unavailable_cuda_is_a_clear_error(waves):
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present")
    with pytest.raises(ValueError, match="no CUDA device"):
        Seq2SeqTransformer(**FAST, device="cuda").fit(waves)



def test_decoder_input_auto_depends_on_target_length_in_frames():
    rng = np.random.RandomState(0)
    short = Seq2SeqTransformer(**{**FAST, "max_epochs": 1}).fit(rng.normal(size=(10, 30)))
    long = Seq2SeqTransformer(**{**FAST, "max_epochs": 1}, frame_length=1).fit(rng.normal(size=(10, 120)))
    assert short.decoder_input_ == "position" and long.decoder_input_ == "previous"  # 120 decoder steps
    in_frames = Seq2SeqTransformer(**{**FAST, "max_epochs": 1}).fit(rng.normal(size=(10, 120)))
    assert in_frames.frame_length_ == 4 and in_frames.decoder_input_ == "position"  # 30 frames
    assert long.predict(rng.normal(size=(2, 120))).shape == (2, 120)
    assert Seq2SeqTransformer(**{**FAST, "max_epochs": 1}, decoder_input="zeros").fit(
        rng.normal(size=(10, 120))).decoder_input_ == "zeros"
