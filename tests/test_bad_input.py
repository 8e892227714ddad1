"""Bad input gets a clear scikit-learn style error, and a failed call leaves a fitted model as it was."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_seq2seq import Seq2SeqRegressor, Seq2SeqTransformer

FAST = dict(hidden_size=8, n_components=4, max_epochs=3, random_state=0)
rng = np.random.RandomState(0)
GOOD = rng.normal(size=(20, 6, 2))

with_nan = GOOD.copy()
with_nan[3, 2, 1] = np.nan
with_inf = GOOD.copy()
with_inf[0, 0, 0] = np.inf
huge = GOOD.copy()
huge[1, 1, 1] = 1e300
with_dict = GOOD.astype(object)
with_dict[0, 0, 0] = {"a": 1}

BAD_X = [
    ("1-D", GOOD[0, :, 0], ValueError, "Reshape your data"),
    ("4-D", GOOD[:, :, :, None], ValueError, "got an array with 4 dimension"),
    ("NaN", with_nan, ValueError, "NaN"),
    ("inf", with_inf, ValueError, "infinity"),
    ("complex", GOOD.astype(complex), ValueError, "[Cc]omplex"),
    ("strings mixed with numbers", np.array([["a", 0.5], ["c", 1.0]], dtype=object), ValueError, "[Ss]tring|convert"),
    ("a string", "abc", TypeError, "array-like of sequences"),
    ("empty", np.zeros((0, 6, 2)), ValueError, "0 sample"),
    ("no timesteps", np.zeros((3, 0, 2)), ValueError, "at least one timestep"),
    ("list of 3-D arrays", [np.zeros((2, 2, 2))] * 3, ValueError, "has 3 dimensions"),
    ("list with a string", [np.zeros((2, 2)), "ab"], TypeError, "sequences must be arrays of numbers"),
    ("zero-length sequence in a list", [np.zeros((2, 2)), np.zeros((0, 2))], ValueError, "0 timesteps"),
    ("all-NaN sequence", np.full((3, 4, 2), np.nan), ValueError, "all NaN"),
    ("huge values", huge, ValueError, "beyond float32's range"),
    ("object array holding a dict", with_dict, TypeError, "argument must be"),
    ("None", None, TypeError, "array-like|None"),
]


@pytest.mark.parametrize("Estimator", [Seq2SeqTransformer, Seq2SeqRegressor])
@pytest.mark.parametrize("name, X, error, match", BAD_X, ids=[case[0] for case in BAD_X])
def test_bad_X_is_rejected_at_fit(Estimator, name, X, error, match):
    y = np.zeros(len(X)) if hasattr(X, "__len__") else None
    with pytest.raises(error, match=match):
        Estimator(**FAST).fit(X, y)


@pytest.fixture(scope="module")
def fitted():
    return {
        "transformer": Seq2SeqTransformer(**FAST).fit(GOOD),
        "regressor": Seq2SeqRegressor(**FAST).fit(GOOD, GOOD[:, :2, 0]),
    }


# after fit, X that would be valid for fit but not for this model
AFTER_FIT_X = BAD_X + [
    ("strings for a numeric model", ["abc", "de"], TypeError, "holds strings.*fitted on sequences of numbers"),
    ("other feature count", np.zeros((3, 6, 3)), ValueError, "3 features per timestep.*expecting 2"),
]
METHODS = ["transform", "predict", "score", "partial_fit", "attention_weights", "fit_transform"]


def _call(model, method, X, kind):
    if method in ("score", "partial_fit", "fit_transform") and kind == "regressor":
        return getattr(model, method)(X, np.zeros((len(X), 2)) if hasattr(X, "__len__") else None)
    return getattr(model, method)(X)


@pytest.mark.parametrize("kind", ["transformer", "regressor"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name, X, error, match", AFTER_FIT_X, ids=[case[0] for case in AFTER_FIT_X])
def test_bad_X_after_fit_leaves_model_unchanged(fitted, kind, method, name, X, error, match):
    model = fitted[kind]
    before = model.predict(GOOD)
    if method == "fit_transform" and name in ("strings for a numeric model", "other feature count"):
        pytest.skip("valid data for a new fit")
    with pytest.raises(error, match=match):
        _call(model, method, X, kind)
    np.testing.assert_array_equal(model.predict(GOOD), before)
    assert model.n_iter_ == 3


def test_feature_count_mismatch_is_clear(fitted):
    with pytest.raises(ValueError, match="3 features per timestep, but Seq2SeqTransformer is expecting 2"):
        fitted["transformer"].transform(np.zeros((2, 6, 3)))


def test_failed_refit_leaves_fitted_model_as_it_was(fitted):
    model = fitted["regressor"]
    before = model.predict(GOOD)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.fit(GOOD, np.zeros(5))
    assert model.n_features_in_ == 2
    np.testing.assert_array_equal(model.predict(GOOD), before)


@pytest.mark.parametrize(
    "y, match",
    [
        (None, "requires y"),
        (np.zeros(5), "inconsistent numbers of samples"),
        (np.full(20, np.nan), "NaN"),
        (np.zeros((20, 2, 2, 2)), "4 dimension"),
    ],
)
def test_bad_regression_targets(y, match):
    with pytest.raises(ValueError, match=match):
        Seq2SeqRegressor(**FAST).fit(GOOD, y)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(cell="rnn"), "cell"),
        (dict(attention="luong"), "attention"),
        (dict(n_components=0), "n_components"),
        (dict(max_epochs="forever"), "max_epochs"),
        (dict(teacher_forcing=1.5), "teacher_forcing"),
    ],
)
def test_bad_parameters_are_reported_at_fit(params, match):
    with pytest.raises(ValueError, match=match):
        Seq2SeqTransformer(**{**FAST, **params}).fit(GOOD)


def test_bad_codes_for_inverse_transform(fitted):
    with pytest.raises(ValueError, match="Z has 3 columns"):
        fitted["transformer"].inverse_transform(np.zeros((2, 3)))


@pytest.mark.parametrize("Estimator", [Seq2SeqTransformer, Seq2SeqRegressor])
@pytest.mark.parametrize("method", ["transform", "predict", "inverse_transform", "score", "attention_weights"])
def test_unfitted_use(Estimator, method):
    if not hasattr(Estimator, method):
        pytest.skip(f"{Estimator.__name__} has no {method}")
    args = (np.zeros((2, 32)),) if method == "inverse_transform" else (GOOD[:, :, 0],)
    if method == "score" and Estimator is Seq2SeqRegressor:
        args += (np.zeros(20),)
    with pytest.raises(NotFittedError):
        getattr(Estimator(), method)(*args)


@pytest.mark.parametrize("Z, error, match", [
    (np.zeros((2, 3)), ValueError, "Z has 3 columns"),
    (np.full((2, 4), np.nan), ValueError, "NaN"),
    (np.zeros(4), ValueError, "2D array"),
    (np.array([["a"] * 4]), ValueError, "[Ss]tring|convert"),
])
def test_bad_codes_leave_the_model_unchanged(fitted, Z, error, match):
    model = fitted["transformer"]
    before = model.predict(GOOD)
    with pytest.raises(error, match=match):
        model.inverse_transform(Z)
    np.testing.assert_array_equal(model.predict(GOOD), before)


# ---------------------------------------------------------------- token models
@pytest.fixture(scope="module")
def fitted_tokens():
    words = ["abc", "cab", "ba"] * 10
    return Seq2SeqTransformer(attend_over="encoder", **FAST).fit(words, [w[::-1] for w in words])


BAD_TOKENS = [
    ("numbers where strings belong", GOOD[:3], TypeError, "fitted on token sequences"),
    ("a single string", "abc", TypeError, "single string"),
    ("a number among strings", ["ab", 3], TypeError, r"X\[1\] is a int"),
    ("bytes", [b"ab"], TypeError, "must be a string"),
    ("no sequences", [], ValueError, "0 samples"),
    ("None", None, TypeError, "list of token sequences"),
]


@pytest.mark.parametrize("method", ["transform", "predict", "score", "partial_fit", "attention_weights"])
@pytest.mark.parametrize("name, X, error, match", BAD_TOKENS, ids=[case[0] for case in BAD_TOKENS])
def test_bad_token_input_leaves_model_unchanged(fitted_tokens, method, name, X, error, match):
    model = fitted_tokens
    before = model.predict(["abc", "ba"])
    args = (X, ["x"] * (len(X) if hasattr(X, "__len__") else 1)) if method in ("score", "partial_fit") else (X,)
    with pytest.raises(error, match=match):
        getattr(model, method)(*args)
    np.testing.assert_array_equal(model.predict(["abc", "ba"]), before)


def test_bad_token_targets(fitted_tokens):
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        fitted_tokens.score(["abc"], ["cba", "x"])
    with pytest.raises(TypeError, match=r"y\[0\] is a float"):
        fitted_tokens.partial_fit(["abc"], [1.5])
    with pytest.raises(ValueError, match="score needs the target"):
        fitted_tokens.score(["abc"])


# ---------------------------------------------------------------- unusual but valid input works
readonly = GOOD.copy()
readonly.setflags(write=False)
EDGE_X = [
    ("a single sample", GOOD[:1]),
    ("a single timestep", GOOD[:, :1]),
    ("non-contiguous", GOOD[:, ::2]),
    ("Fortran order", np.asfortranarray(GOOD)),
    ("read-only", readonly),
    ("integers", np.round(GOOD * 10).astype(int)),
    ("float32", GOOD.astype(np.float32)),
]


@pytest.mark.parametrize("name, X", EDGE_X, ids=[case[0] for case in EDGE_X])
def test_unusual_valid_input_works_everywhere(fitted, name, X):
    for model in fitted.values():
        assert model.transform(X).shape == (len(X), 4)
        assert len(model.predict(X)) == len(X)
    model = Seq2SeqRegressor(**FAST).fit(X, X[:, 0, 0])
    assert model.predict(X).shape == (len(X),) and np.isfinite(model.predict(X)).all()
    assert Seq2SeqTransformer(**FAST).fit(X).transform(X).shape == (len(X), 4)


def test_early_stopping_on_too_few_samples_is_clear():
    with pytest.raises(ValueError, match="at least one training and one validation"):
        Seq2SeqTransformer(**FAST, early_stopping=True, validation_fraction=0.99).fit(GOOD[:1])
