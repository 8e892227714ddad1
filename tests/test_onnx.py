"""ONNX export: onnxruntime gives what the estimators give, on fixed-length, ragged and token inputs,
alone and inside skl2onnx-converted pipelines; what cannot be exported is refused clearly."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_seq2seq import (
    Seq2SeqClassifier, Seq2SeqRegressor, Seq2SeqTransformer, register_onnx_converters, to_onnx, to_onnx_input,
)

ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")
pytest.importorskip("onnxscript")
from skl2onnx.common.data_types import FloatTensorType  # noqa: E402

TOLERANCE = 1e-5
#: Encodings sum thousands of kernel bank features: float32 rounding in another order grows with their size.
ENCODINGS_RTOL = 1e-6
SMALL = dict(n_components=6, hidden_size=16, max_epochs=2, random_state=0)


def run(model, X):
    """Every output of ``model`` in onnxruntime for input ``X``."""
    session = ort.InferenceSession(model.SerializeToString())
    return session.run(None, {session.get_inputs()[0].name: X})


@pytest.fixture(scope="module")
def series():
    rng = np.random.default_rng(0)
    X = np.cumsum(rng.normal(size=(30, 24, 3)), axis=1).astype(np.float32)
    ragged = [x[: n] for x, n in zip(X, rng.integers(3, 25, len(X)))]
    return X, ragged


@pytest.mark.parametrize("params", [
    {},  # bidirectional GRU, pool readout
    dict(cell="lstm", num_layers=2, readout="slots"),
    dict(encoder="transformer", frame_length=3),
    dict(frame_length=5, readout="pool_last", bidirectional=False, encoder="conv_recurrent"),
    dict(encoder="conv", frame_length=2),
], ids=["gru", "lstm-slots", "transformer-frames", "conv-frames", "conv-encoder"])
def test_transform_matches_on_fixed_and_ragged_inputs(series, params):
    X, ragged = series
    est = Seq2SeqTransformer(**SMALL, **params).fit(X)
    model = to_onnx(est)
    assert [o.name for o in model.graph.output] == ["encodings"]
    for inputs in (X, ragged, X[:1, :1], ragged[:5]):  # one sequence of one step too: no size is fixed
        (encodings,) = run(model, to_onnx_input(est, inputs))
        np.testing.assert_allclose(encodings, est.transform(inputs), atol=TOLERANCE, rtol=ENCODINGS_RTOL)


def test_transform_matches_for_a_bank_fitted_on_series_of_different_lengths(series):
    X, ragged = series
    est = Seq2SeqTransformer(**SMALL).fit(ragged)  # the bank reads each series' length too
    assert est.net_.module_.kernel_bank.length
    model = to_onnx(est)
    for inputs in (ragged, X[:3]):
        (encodings,) = run(model, to_onnx_input(est, inputs))
        np.testing.assert_allclose(encodings, est.transform(inputs), atol=TOLERANCE, rtol=ENCODINGS_RTOL)


def test_univariate_frames_and_nan_padded_arrays(series):
    X, ragged = series
    X2 = X[:, :, 0]  # 2-D: univariate
    est = Seq2SeqTransformer(**SMALL, frame_length=4).fit(X2)
    padded = X2.copy()
    padded[:10, 17:] = np.nan  # a NaN-padded array goes in as it is
    (encodings,) = run(to_onnx(est), padded)
    np.testing.assert_allclose(encodings, est.transform(padded), atol=TOLERANCE, rtol=ENCODINGS_RTOL)
    assert to_onnx_input(est, padded).shape == padded.shape


def test_interior_nan_makes_only_its_sequence_nan(series):
    X, _ = series
    est = Seq2SeqTransformer(**SMALL).fit(X)
    broken = X[:4].copy()
    broken[1, 5] = np.nan  # the estimator refuses this; the graph must not turn it into a number
    (encodings,) = run(to_onnx(est), broken)
    assert np.isnan(encodings[1]).all()
    np.testing.assert_allclose(encodings[[0, 2, 3]], est.transform(X[[0, 2, 3]]), atol=TOLERANCE, rtol=ENCODINGS_RTOL)


def test_token_inputs():
    words = ["sensor", "series", "token", "string", "frames", "audio", "seq", "encode", "decode", "onnx"] * 3
    est = Seq2SeqTransformer(**SMALL).fit(words)
    ids = to_onnx_input(est, words + ["unseen!"])
    assert ids.dtype == np.int64
    (encodings,) = run(to_onnx(est), ids)
    np.testing.assert_allclose(encodings, est.transform(words + ["unseen!"]), atol=TOLERANCE, rtol=0)


@pytest.mark.parametrize("target, params", [
    ("number", {}),
    ("vector", dict(decoder_input="previous")),
    ("sequence", dict(reverse_target=True, attend_over="encoder", frame_length=2)),
])
def test_regressor_predict(series, target, params):
    X, ragged = series
    rng = np.random.default_rng(1)
    y = {"number": X[:, -1, 0] * 0.1 + 3.0, "vector": rng.normal(size=(len(X), 4)) + 10.0,
         "sequence": rng.normal(size=(len(X), 5, 2))}[target]
    est = Seq2SeqRegressor(**SMALL, **params).fit(X, y)
    model = to_onnx(est)
    assert [o.name for o in model.graph.output] == ["predictions"]
    for inputs in (X, ragged):
        (predictions,) = run(model, to_onnx_input(est, inputs))
        expected = est.predict(inputs)
        assert predictions.shape == expected.shape
        np.testing.assert_allclose(predictions, expected, atol=TOLERANCE * max(1.0, np.abs(expected).max()), rtol=0)


def test_classifier_labels_and_probabilities(series):
    X, ragged = series
    y = np.array(["walk", "run", "sit"])[np.arange(len(X)) % 3]
    est = Seq2SeqClassifier(**SMALL).fit(X, y)
    model = to_onnx(est)
    assert [o.name for o in model.graph.output] == ["label", "probabilities"]
    for inputs in (X, ragged):
        labels, probabilities = run(model, to_onnx_input(est, inputs))
        np.testing.assert_array_equal(labels, est.predict(inputs))
        np.testing.assert_allclose(probabilities, est.predict_proba(inputs), atol=TOLERANCE, rtol=0)
    encodings, probabilities = run(to_onnx(est, method=["transform", "predict_proba"]), X)
    np.testing.assert_allclose(encodings, est.transform(X), atol=TOLERANCE, rtol=ENCODINGS_RTOL)


def test_whole_pipeline_converts_with_skl2onnx(series):
    X, ragged = series
    y = np.arange(len(X)) % 3
    pipe = make_pipeline(Seq2SeqTransformer(**SMALL), StandardScaler(), LogisticRegression()).fit(X, y)
    register_onnx_converters()
    any_length = [("X", FloatTensorType([None, None, X.shape[2]]))]  # skl2onnx would fix the sample's length
    model = skl2onnx.to_onnx(pipe, initial_types=any_length, options={"zipmap": False})
    for inputs in (X, ragged, X[:7, :9], ragged[:4]):
        labels, probabilities = run(model, to_onnx_input(pipe[0], inputs))
        np.testing.assert_array_equal(labels, pipe.predict(inputs))
        np.testing.assert_allclose(probabilities, pipe.predict_proba(inputs), atol=TOLERANCE, rtol=0)


def test_pipeline_float64_input_and_regressor_step(series):
    X, _ = series
    X64 = X.astype(np.float64)
    y = X[:, -1, 0]
    pipe = make_pipeline(Seq2SeqRegressor(**SMALL)).fit(X64, y)
    register_onnx_converters()
    (predictions,) = run(skl2onnx.to_onnx(pipe, X64[:2]), X64)
    np.testing.assert_allclose(predictions.ravel(), pipe.predict(X64), atol=TOLERANCE * np.abs(y).max(), rtol=0)


def test_export_leaves_the_estimator_as_it_was(series):
    X, _ = series
    est = Seq2SeqTransformer(**SMALL).fit(X)
    before = est.transform(X)
    est.net_.module_.train()
    to_onnx(est)
    assert est.net_.module_.training
    np.testing.assert_array_equal(est.transform(X), before)


def test_what_cannot_be_exported_is_refused(series):
    X, _ = series
    autoencoder = Seq2SeqTransformer(**SMALL).fit(X)
    with pytest.raises(ValueError, match=r"decodes as many steps as each input has.*exported for \['transform'\]"):
        to_onnx(autoencoder, method="predict")
    with pytest.raises(ValueError, match="has no predict_proba"):
        to_onnx(autoencoder, method="predict_proba")
    with pytest.raises(ValueError, match="Unknown method 'inverse_transform'"):
        to_onnx(autoencoder, method="inverse_transform")
    with pytest.raises(ValueError, match="each once"):
        to_onnx(autoencoder, method=["transform", "transform"])
    with pytest.raises(ValueError, match="opset 18 or newer"):
        to_onnx(autoencoder, target_opset=17)
    words = ["abc", "bcd", "cde", "def"] * 4
    generator = Seq2SeqTransformer(**SMALL).fit(words, words)
    with pytest.raises(ValueError, match="generates tokens one after another"):
        to_onnx(generator, method="predict")
    with pytest.raises(NotFittedError):
        to_onnx(Seq2SeqTransformer())
    with pytest.raises(TypeError, match="Expected a Seq2SeqTransformer"):
        to_onnx(StandardScaler().fit(X[:, :, 0]))
