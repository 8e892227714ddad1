"""Token sequences: strings, token lists and integer ids in and out, vocabularies, beam search."""

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score

from sklearn_seq2seq import Seq2SeqRegressor, Seq2SeqTransformer, plot_attention
from sklearn_seq2seq._tokens import END, PAD, START, UNK, Vocabulary, split_tokens, token_form

TOKENS = dict(attend_over="encoder", hidden_size=32, embedding_dim=16, random_state=0)


def random_strings(n, seed, alphabet="abcde", low=1, high=7):
    rng = np.random.RandomState(seed)
    return ["".join(rng.choice(list(alphabet), rng.randint(low, high))) for _ in range(n)]


@pytest.fixture(scope="module")
def reversal():
    """A model fitted to reverse short strings, and held-out strings."""
    X = random_strings(600, seed=0)
    model = Seq2SeqTransformer(max_epochs=25, **TOKENS).fit(X, [s[::-1] for s in X])
    return model, random_strings(200, seed=1)


# ---------------------------------------------------------------- learning
def test_learns_string_reversal(reversal):
    model, X_test = reversal
    y_test = [s[::-1] for s in X_test]
    predicted = model.predict(X_test)
    assert isinstance(predicted, np.ndarray) and predicted.dtype == object and isinstance(predicted[0], str)
    assert model.score(X_test, y_test) >= 0.97
    assert model.score(X_test, y_test) == np.mean(predicted == np.array(y_test, dtype=object))
    assert model.history_[-1, "train_loss"] < 0.1 * model.history_[0, "train_loss"]


def test_learns_sorting_of_short_strings():
    X = random_strings(800, seed=2)
    model = Seq2SeqTransformer(max_epochs=30, **TOKENS).fit(X, ["".join(sorted(s)) for s in X])
    X_test = random_strings(200, seed=3)
    assert model.score(X_test, ["".join(sorted(s)) for s in X_test]) >= 0.9


def test_beam_search_is_not_worse_than_greedy_on_held_out_data():
    # a partly trained model, so greedy decoding makes mistakes that beam search can fix. Beam search
    # finds likelier outputs, which is not always more exact matches: measured on this task (beam 5 /
    # greedy) for seeds 0, 1, 2 after 6 epochs: 0.630/0.603, 0.633/0.620, 0.637/0.643; after 10:
    # 0.850/0.857, 0.917/0.900, 0.893/0.897; after 15: 0.883/0.877, 0.947/0.937, 0.987/0.993.
    # This seeded test pins seed 0 after 6 epochs (with each fit's own shuffling stream: 0.657/0.667),
    # allowing beam search the 0.01-0.02 of exact matches it lost in those measurements; a broken beam
    # search loses far more.
    X = random_strings(400, seed=4, high=9)
    y = ["".join(sorted(s)) for s in X]
    model = Seq2SeqTransformer(max_epochs=6, **TOKENS).fit(X, y)
    X_test = random_strings(300, seed=5, high=9)
    y_test = ["".join(sorted(s)) for s in X_test]
    greedy = model.score(X_test, y_test)
    beam_score = model.set_params(beam_width=5).score(X_test, y_test)  # inference-only: no refit
    assert 0.05 < greedy < 0.95  # the comparison means something
    assert beam_score >= greedy - 0.02


def test_beam_width_one_is_greedy_and_beams_end_with_end_symbol(reversal):
    model, X_test = reversal
    greedy = model.predict(X_test)
    model.set_params(beam_width=4)
    try:
        beams = model.predict(X_test)
    finally:
        model.set_params(beam_width=1)
    assert np.mean(greedy == beams) > 0.95  # a well-trained model: beam search mostly agrees
    ids, _ = model._search(model._check_X(X_test[:20]))
    assert all(END in row for row in ids)
    assert not np.isin(ids, [START]).any()


def test_length_normalization_and_max_length(reversal):
    model, X_test = reversal
    long_input = ["abcde" * 4]
    model.set_params(max_length=3)
    try:
        out = model.predict(long_input)
    finally:
        model.set_params(max_length=None)
    assert len(out[0]) <= 3  # cut at max_length when the end symbol is not reached
    assert model._search_args()[0] == 2 * model.layout_.n_target_steps


# ---------------------------------------------------------------- forms, vocabularies, robustness
def test_token_forms_are_detected():
    assert token_form(["ab", "c"]) == "chars"
    assert token_form(np.array(["ab", "c"])) == "chars"
    assert token_form([["the", "cat"], ["a"]]) == "words"
    assert token_form(np.array([[1.0, 2.0]])) is None
    assert token_form([[1, 2], [3]]) is None  # integers are numbers unless told otherwise
    assert token_form(np.array([[0.5, {"a": 1}]], dtype=object)) is None


def test_vocabulary_learns_frequency_order_limits_and_round_trips():
    seqs = [list("aab"), list("abc"), list("a")]
    vocab = Vocabulary.learn(seqs, "chars")
    assert list(vocab) == ["a", "b", "c"] and vocab["a"] == 4 and vocab.n_ids == 7
    assert list(Vocabulary.learn(seqs, "chars", min_frequency=2)) == ["a", "b"]
    assert list(Vocabulary.learn(seqs, "chars", max_size=1)) == ["a"]
    ids, lengths = vocab.encode([list("ba"), list("z")])
    np.testing.assert_array_equal(ids, [[5, 4, END], [UNK, END, PAD]])
    np.testing.assert_array_equal(lengths, [3, 2])
    assert vocab.decode(ids) == [["b", "a"], ["\ufffd"]]
    assert vocab.label(START) == "<s>" and vocab.label(4) == "a"


def test_reserved_symbol_spellings_are_ordinary_tokens():
    vocab = Vocabulary.learn([["<s>", "</s>", "<pad>"]], "words")
    assert [vocab[t] for t in ["<s>", "</s>", "<pad>"]] == [4, 5, 6]


def test_min_frequency_and_max_vocabulary_size_reach_the_fitted_vocabularies():
    X = ["aaab", "aac", "ad"]
    model = Seq2SeqTransformer(max_epochs=1, min_frequency=2, **TOKENS).fit(X, X)
    assert list(model.vocabulary_) == ["a"] and list(model.target_vocabulary_) == ["a"]
    model = Seq2SeqTransformer(max_epochs=1, max_vocabulary_size=2, **TOKENS).fit(X, ["x", "y", "z"])
    assert len(model.vocabulary_) == 2 and len(model.target_vocabulary_) == 2


def test_unknown_empty_long_and_unusual_unicode_inputs_do_not_crash(reversal):
    model, _ = reversal
    odd = ["", "zzz", "é🙂\u200dñ\u0301", "a" * 3000, "abc"]
    out = model.predict(odd)
    assert len(out) == 5 and all(isinstance(s, str) for s in out)
    assert model.transform(odd).shape == (5, 32)
    assert np.isfinite(model.transform(odd)).all()
    # unknown characters map to the unknown symbol: two unknown strings of one length encode alike
    np.testing.assert_array_equal(model.transform(["zz"]), model.transform(["yy"]))
    ids = model._check_X(["az"]).values
    np.testing.assert_array_equal(ids[0], [model.vocabulary_["a"], UNK, END])


def test_empty_strings_as_targets_and_unicode_targets_are_learned():
    X = ["ab", "ba", "aa", "bb"] * 40
    y = ["", "é🙂", "ñ", ""] * 40
    model = Seq2SeqTransformer(max_epochs=20, **TOKENS).fit(X, y)
    assert list(model.predict(["ab", "ba", "aa", "bb"])) == ["", "é🙂", "ñ", ""]


def test_word_tokens_and_integer_ids():
    rng = np.random.RandomState(0)
    words = ["red", "green", "blue", "cyan"]
    X = [list(rng.choice(words, rng.randint(1, 5))) for _ in range(300)]
    model = Seq2SeqTransformer(max_epochs=20, **TOKENS).fit(X, [x[::-1] for x in X])
    out = model.predict(X[:3])
    assert isinstance(out, list) and all(isinstance(t, str) for t in out[0])
    assert model.score(X, [x[::-1] for x in X]) > 0.9

    ids = [list(rng.randint(100, 105, size=rng.randint(1, 6))) for _ in range(300)]
    model = Seq2SeqTransformer(max_epochs=20, input_tokens=True, target_tokens=True, **TOKENS)
    model.fit(ids, [x[::-1] for x in ids])
    out = model.predict(ids[:3])
    assert all(isinstance(t, int) for t in out[0])
    assert model.score(ids, [x[::-1] for x in ids]) > 0.9


def test_string_autoencoder_and_encodings_as_features():
    # two classes of strings: the encodings must separate them better than chance
    a = random_strings(150, seed=6, alphabet="abc", low=3, high=8)
    b = random_strings(150, seed=7, alphabet="cde", low=3, high=8)
    X, labels = a + b, np.r_[np.zeros(150), np.ones(150)]
    model = Seq2SeqTransformer(n_components=16, hidden_size=32, embedding_dim=16, max_epochs=100, random_state=0)
    Z = model.fit(X).transform(X)  # fit(X): a string autoencoder
    assert Z.shape == (300, 16) and model.target_vocabulary_ is model.vocabulary_
    assert cross_val_score(LogisticRegression(max_iter=1000), Z, labels, cv=3).mean() > 0.9
    # exact-match reconstruction of whole strings through the 16-number encoding (0.37 measured, 0.50
    # with another shuffling stream; 0.06 after 30 epochs)
    assert model.score(X) > 0.25
    decoded = model.inverse_transform(Z[:5])
    assert decoded.dtype == object and all(isinstance(s, str) for s in decoded)


def test_numeric_inputs_with_token_targets():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 6, 1))
    y = ["".join("+" if v > 0 else "-" for v in x[:, 0]) for x in X]  # the sign of every step
    model = Seq2SeqTransformer(max_epochs=25, target_tokens=True, **TOKENS).fit(X, y)  # not class labels
    assert model.score(X, y) > 0.8
    assert model.predict(X[:2]).dtype == object


def test_token_inputs_with_numeric_targets_in_the_regressor():
    X = random_strings(400, seed=8, alphabet="ab", high=9)
    y = np.array([s.count("a") for s in X], dtype=float)
    model = Seq2SeqRegressor(max_epochs=25, hidden_size=32, embedding_dim=16, random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9
    assert model.predict(X[:3]).shape == (3,)
    with pytest.raises(TypeError, match="Seq2SeqRegressor expects numbers.*use Seq2SeqTransformer"):
        Seq2SeqRegressor(max_epochs=1).fit(X, X)


def test_wrong_kind_of_input_after_fit_is_refused_clearly(reversal):
    model, _ = reversal
    with pytest.raises(TypeError, match="fitted on token sequences"):
        model.predict(np.zeros((2, 5)))
    with pytest.raises(TypeError, match="single string"):
        model.predict("abc")
    numeric = Seq2SeqTransformer(max_epochs=1, hidden_size=8, random_state=0).fit(np.zeros((10, 4)))
    with pytest.raises(TypeError, match="holds strings.*fitted on sequences of numbers"):
        numeric.transform(["abcd"])
    with pytest.raises(TypeError, match="input_tokens=False"):
        Seq2SeqTransformer(input_tokens=False).fit(["ab"])
    with pytest.raises(ValueError, match="decoder_input='position' cannot generate tokens"):
        Seq2SeqTransformer(decoder_input="position", max_epochs=1).fit(["ab"], ["ba"])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Seq2SeqTransformer(max_epochs=1).fit(["ab", "c"], ["ba"])
    with pytest.raises(TypeError, match=r"y\[1\] is a int"):
        split_tokens(["a", 3], "chars", "y")


def test_string_class_labels_can_be_ignored_with_target_tokens_false():
    X = random_strings(40, seed=9)
    model = Seq2SeqTransformer(max_epochs=1, target_tokens=False, **{**TOKENS, "attend_over": "code"})
    model.fit(X, ["cat", "dog"] * 20)
    assert model.layout_.targets_from == "X"  # an autoencoder, as with numeric class labels


def test_string_labels_of_numeric_sequences_are_class_labels_unless_target_tokens_is_true():
    X = np.random.RandomState(0).normal(size=(20, 6, 2))
    labels = np.array(["cat", "dog"] * 10)
    # before, a Pipeline's string labels were learned as target strings ("sequence to text")
    autoencoder = {**TOKENS, "attend_over": "code"}
    assert Seq2SeqTransformer(max_epochs=1, **autoencoder).fit(X, labels).layout_.targets_from == "X"
    model = Seq2SeqTransformer(max_epochs=1, target_tokens=True, **TOKENS).fit(X, labels)
    assert model.layout_.targets_from == "y" and model.predict(X[:2]).dtype.kind in "OU"


# ---------------------------------------------------------------- attention, persistence, search
def test_attention_weights_and_plot_with_token_labels(reversal, tmp_path):
    model, _ = reversal
    weights, out_labels, mem_labels = model.attention_weights(["abcd"], return_labels=True)
    assert weights[0].shape == (5, 5)  # 4 characters + the end symbol, both ways
    assert out_labels[0][-1] == "</s>" and mem_labels[0] == ["a", "b", "c", "d", "</s>"]
    np.testing.assert_allclose(weights[0].sum(axis=1), 1.0, rtol=1e-5)
    # reversal: output character i is read mostly from input character 3 - i
    assert list(weights[0][:4].argmax(axis=1)) == [3, 2, 1, 0]
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = plot_attention(weights[0], output_labels=out_labels[0], memory_labels=mem_labels[0])
    assert [t.get_text() for t in ax.get_xticklabels()] == mem_labels[0]
    ax.figure.savefig(tmp_path / "a.png")


def test_reverse_target_with_tokens_gives_outputs_in_order():
    X = random_strings(400, seed=10)
    model = Seq2SeqTransformer(max_epochs=20, reverse_target=True, **TOKENS).fit(X, X)
    assert model.score(X[:100], X[:100]) > 0.9
    weights, out_labels, _ = model.attention_weights(["abc"], return_labels=True)
    assert out_labels[0] == ["a", "b", "c", "</s>"] and weights[0].shape == (4, 4)


def test_joblib_round_trip_and_grid_search(reversal, tmp_path):
    model, X_test = reversal
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    loaded = joblib.load(path)
    np.testing.assert_array_equal(loaded.predict(X_test), model.predict(X_test))
    np.testing.assert_array_equal(loaded.transform(X_test), model.transform(X_test))

    X = random_strings(200, seed=11)
    y = [s[::-1] for s in X]
    search = GridSearchCV(
        Seq2SeqTransformer(max_epochs=40, **TOKENS), {"label_smoothing": [0.0, 0.1]}, cv=2
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.all((scores >= 0) & (scores <= 1)) and search.best_score_ > 0.5
    assert search.best_estimator_.predict(X[:2]).dtype == object


def test_padding_never_leaks_into_token_encodings_or_generation(reversal, padding_atol):
    model, X_test = reversal
    short, longest = "ab", "abcde" * 10
    alone = model.transform([short])[0]
    beside = model.transform([longest, short, longest])[1]
    np.testing.assert_allclose(alone, beside, atol=padding_atol)
    assert model.predict([short])[0] == model.predict([longest, short])[1] == "ba"


def test_strings_to_per_character_numbers_keep_each_strings_length():
    X = random_strings(300, seed=12, alphabet="ab", low=2, high=9)
    y = [np.array([float(c == "a") for c in s]) for s in X]  # a label for every character
    model = Seq2SeqRegressor(attend_over="encoder", max_epochs=20, hidden_size=32, embedding_dim=16, random_state=0)
    model.fit(X, y)
    predicted = model.predict(X[:20])
    assert [len(p) for p in predicted] == [len(s) for s in X[:20]]
    assert model.score(X, y) > 0.8
