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


@pytest.mark.parametrize("kind", ["transformer", "regressor"])
@pytest.mark.parametrize("method", ["transform", "predict", "score"])
@pytest.mark.parametrize("name, X, error, match", BAD_X, ids=[case[0] for case in BAD_X])
def test_bad_X_after_fit_leaves_model_unchanged(fitted, kind, method, name, X, error, match):
    model = fitted[kind]
    before = model.predict(GOOD)
    args = (X, np.zeros((len(X), 2))) if (method == "score" and kind == "regressor" and hasattr(X, "__len__")) else (X,)
    with pytest.raises(error, match=match):
        getattr(model, method)(*args)
    np.testing.assert_array_equal(model.predict(GOOD), before)


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


@pytest.mark.parametrize("method", ["transform", "predict", "inverse_transform", "score"])
def test_unfitted_use(method):
    with pytest.raises(NotFittedError):
        getattr(Seq2SeqTransformer(), method)(GOOD[:, :, 0] if method != "inverse_transform" else np.zeros((2, 32)))


def test_early_stopping_on_too_few_samples_is_clear():
    with pytest.raises(ValueError, match="at least one training and one validation"):
        Seq2SeqTransformer(**FAST, early_stopping=True, validation_fraction=0.99).fit(GOOD[:1])
