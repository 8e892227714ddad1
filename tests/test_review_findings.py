"""Findings of a review of the estimators' contracts: each test here failed before its fix."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from sklearn_seq2seq import Seq2SeqRegressor, Seq2SeqTransformer, SequenceScaler, load, save

FAST = dict(hidden_size=8, n_components=4, random_state=0)
rng = np.random.RandomState(0)
X = rng.normal(size=(60, 8, 2))


# ---------------------------------------------------------------- 1. reverse_target with ragged targets
def test_reverse_target_with_ragged_targets_of_their_own_lengths_is_refused_at_fit():
    y = [np.arange(1.0, n + 1) for n in rng.randint(2, 6, size=60)]  # lengths unrelated to the inputs'
    with pytest.raises(ValueError, match="reverse_target=True needs to know each output's length"):
        Seq2SeqRegressor(reverse_target=True, max_epochs=1, **FAST).fit(X, y)
    Seq2SeqRegressor(max_epochs=1, **FAST).fit(X, y)  # without reversal: fine


def test_ragged_autoencoder_with_reverse_target_decodes_in_time_order():
    ragged = [x[: 3 + i % 5] for i, x in enumerate(X)]
    model = Seq2SeqTransformer(reverse_target=True, max_epochs=1, **FAST).fit(ragged)
    assert [len(p) for p in model.predict(ragged)] == [len(x) for x in ragged]  # each input's own length
    with pytest.raises(ValueError, match="reverse_target=True on sequences of different lengths"):
        model.inverse_transform(model.transform(ragged))
    fixed = Seq2SeqTransformer(reverse_target=True, max_epochs=1, **FAST).fit(X)
    assert fixed.inverse_transform(fixed.transform(X)).shape == X.shape  # one length: reversible


# ---------------------------------------------------------------- 2. score of an X -> Y transformer needs Y
def test_transformer_fitted_on_sequences_y_requires_y_of_that_form_to_score():
    model = Seq2SeqTransformer(max_epochs=1, **FAST).fit(X, X[:, :5, :1])
    assert np.isfinite(model.score(X, X[:, :5, :1]))
    with pytest.raises(ValueError, match="score needs the target sequences y"):
        model.score(X)
    with pytest.raises(ValueError, match=r"form \(n_samples,\).*fitted on targets of the form"):
        model.score(X, np.arange(60) % 3)


# ---------------------------------------------------------------- 3. beam search attention rows
def test_beam_search_attention_weights_are_those_of_the_generated_tokens():
    words = ["".join(rng.choice(list("abcde"), size=rng.randint(2, 7))) for _ in range(200)]
    model = Seq2SeqTransformer(attend_over="encoder", beam_width=4, max_epochs=3, hidden_size=16,
                               n_components=8, random_state=0, device="cpu").fit(words, [w[::-1] for w in words])
    test = words[:40]
    predicted = model.predict(test)
    weights = model.attention_weights(test)
    # teacher-forced recomputation: decode the generated tokens as targets and read the attention
    ids, lengths = model.target_vocabulary_.encode([list(p) for p in predicted])
    x_ids, x_lengths = model.vocabulary_.encode([list(w) for w in test])
    module = model.net_.module_.eval()
    with torch.inference_mode():
        code, states, mask = module.encode(torch.as_tensor(x_ids), torch.as_tensor(x_lengths))
        _, forced = module.decode(code, ids.shape[1], states, mask, torch.as_tensor(ids), teacher_forcing=1.0)
    worst = max(np.abs(w - f[:n, : len(w[0])].numpy()).max() for w, f, n in zip(weights, forced, lengths))
    assert worst < 1e-5


# ---------------------------------------------------------------- 4. fit depends only on parameters and data
def test_fit_after_a_token_target_fit_is_an_autoencoder_for_class_labels():
    words = ["abc", "cab", "bca", "acb"] * 10
    labels = np.arange(40) % 2
    model = Seq2SeqTransformer(attend_over="code", max_epochs=2, **FAST)
    model.fit(words, [w[::-1] for w in words])
    model.fit(words, labels)
    fresh = Seq2SeqTransformer(attend_over="code", max_epochs=2, **FAST).fit(words, labels)
    np.testing.assert_array_equal(model.transform(words), fresh.transform(words))
    assert model.layout_.targets_from == "X"


# ---------------------------------------------------------------- 5. warm_start honours set_params
class _EpochCounter(Callback):
    def initialize(self):
        self.epochs = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs += 1


def test_warm_start_uses_the_parameters_set_after_fit():
    y = X[:, :, 0].sum(axis=1)
    model = Seq2SeqRegressor(max_epochs=3, **FAST).fit(X, y)
    before = model.predict(X)
    counter = _EpochCounter()
    model.set_params(warm_start=True, lr=1e-12, callbacks=[("count", counter)]).fit(X, y)
    assert model.n_iter_ == 6
    np.testing.assert_allclose(model.predict(X), before, atol=1e-6)  # a learning rate of 1e-12 moves nothing
    assert dict(model.net_.callbacks_)["count"].epochs == 3  # the callback given after fit was used
    with pytest.raises(ValueError, match="architecture parameter"):
        model.set_params(hidden_size=16).fit(X, y)
    assert model.n_iter_ == 6  # the failed call changed nothing


# ---------------------------------------------------------------- 6. partial_fit without early stopping
def test_partial_fit_trains_on_the_whole_chunk_without_early_stopping():
    model = Seq2SeqRegressor(early_stopping=True, **FAST)
    for _ in range(3):
        model.partial_fit(X[:50], X[:50, 0, 0])
    epoch = model.history_[-1]
    assert "valid_loss" not in epoch
    assert sum(batch["train_batch_size"] for batch in epoch["batches"]) == 50
    assert model.n_iter_ == 3


# ---------------------------------------------------------------- 8. smaller findings
def test_random_state_none_and_load_leave_the_global_random_states_alone(tmp_path):
    np.random.seed(3)
    torch.manual_seed(3)
    numpy_state, torch_state = np.random.get_state()[1].copy(), torch.get_rng_state().clone()
    model = Seq2SeqTransformer(hidden_size=8, n_components=4, max_epochs=1).fit(X)
    assert np.array_equal(np.random.get_state()[1], numpy_state)
    assert torch.equal(torch.get_rng_state(), torch_state)
    save(model, tmp_path / "m.s2s")
    load(tmp_path / "m.s2s")
    assert np.array_equal(np.random.get_state()[1], numpy_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_negative_token_ids_are_named():
    with pytest.raises(ValueError, match=r"X\[1\] holds the negative id -1"):
        Seq2SeqTransformer(input_tokens=True, max_epochs=1, **FAST).fit([[1, 2], [3, -1]])


def test_sequence_scaler_pandas_output_is_for_2d_input_only():
    pd = pytest.importorskip("pandas")
    scaler = SequenceScaler().set_output(transform="pandas")
    assert isinstance(scaler.fit(X[:, :, 0]).transform(X[:, :, 0]), pd.DataFrame)
    with pytest.raises(ValueError, match="applies to 2-D input"):
        scaler.fit(X).transform(X)


def test_a_vector_target_gets_a_scale_per_column_and_learns_its_small_column():
    inputs = rng.normal(size=(300, 6, 1))
    y = np.c_[inputs[:, :, 0].mean(axis=1), 1000 * inputs[:, -1, 0]]  # columns of scale ~0.4 and ~1000
    model = Seq2SeqRegressor(max_epochs=60, hidden_size=16, random_state=0).fit(inputs, y)
    from sklearn.metrics import r2_score

    predicted = model.predict(inputs)
    assert r2_score(y[:, 0], predicted[:, 0]) > 0.8  # one shared scale (640) gave R^2 = -6,314
    assert r2_score(y[:, 1], predicted[:, 1]) > 0.8
    np.testing.assert_allclose(model.layout_.y_scale[:, 0], y.std(axis=0), rtol=1e-9)
