"""CUDA: fitting and predicting on a GPU, and a GPU-fitted model loaded on a CPU-only machine.

Every test here skips cleanly where torch finds no CUDA device (as in CI).
"""

import os
import subprocess
import sys

import joblib
import numpy as np
import pytest
import torch

from sklearn_seq2seq import Seq2SeqClassifier, Seq2SeqRegressor, Seq2SeqTransformer

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

FAST = dict(hidden_size=16, n_components=8, max_epochs=30, random_state=0)


def test_cuda_fit_predicts_and_matches_a_cpu_fit(waves):
    gpu = Seq2SeqRegressor(**FAST, device="cuda").fit(waves, waves[:, -3:, 0])
    cpu = Seq2SeqRegressor(**FAST, device="cpu").fit(waves, waves[:, -3:, 0])
    assert next(gpu.net_.module_.parameters()).is_cuda
    assert gpu.predict(waves).shape == (200, 3)
    # same seed, same data: the GPU fit learns as well as the CPU one
    assert gpu.score(waves, waves[:, -3:, 0]) > cpu.score(waves, waves[:, -3:, 0]) - 0.05


def test_auto_device_picks_cuda(waves):
    model = Seq2SeqTransformer(**{**FAST, "max_epochs": 2}).fit(waves)
    assert next(model.net_.module_.parameters()).is_cuda


def test_cuda_ragged_input_and_token_beam_search():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(rng.randint(5, 40), 2)) for _ in range(100)]
    model = Seq2SeqTransformer(**FAST, device="cuda").fit(X)
    assert model.transform(X).shape == (len(X), 8)
    words = ["abc", "cab", "bca", "aab"] * 50
    tokens = Seq2SeqTransformer(attend_over="encoder", max_epochs=20, device="cuda", random_state=0)
    tokens.fit(words, [w[::-1] for w in words])
    assert tokens.score(words[:4], [w[::-1] for w in words[:4]]) == 1.0
    tokens.set_params(beam_width=3)
    assert list(tokens.predict(["abc"])) == ["cba"]


def _max_difference_on_cpu_only(script: str) -> float:
    """Run ``script`` (which prints a number) in a process that sees no GPU; return the number."""
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": ""}
    result = subprocess.run([sys.executable, "-c", "import torch; assert not torch.cuda.is_available();" + script],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return float(result.stdout.strip())


def test_gpu_fitted_model_loads_and_predicts_on_a_cpu_only_machine(waves, tmp_path):
    model = Seq2SeqTransformer(**FAST, device="cuda").fit(waves)
    path = tmp_path / "gpu_model.joblib"
    joblib.dump(model, path)
    np.save(tmp_path / "X.npy", waves)
    np.save(tmp_path / "Z.npy", model.transform(waves))
    difference = _max_difference_on_cpu_only(
        "import warnings, joblib, numpy as np;"
        f"warnings.simplefilter('ignore'); m = joblib.load({str(path)!r});"  # skorch warns: moved to the CPU
        f"Z = m.transform(np.load({str(tmp_path / 'X.npy')!r}));"
        f"print(np.abs(Z - np.load({str(tmp_path / 'Z.npy')!r})).max())"
    )
    # the same encodings computed on the CPU, up to float32 kernel differences between devices
    # (measured on an H100: 3.8e-4 at most, for encodings of order 1)
    assert difference < 2e-3


def test_safe_format_of_a_gpu_model_loads_on_a_cpu_only_machine(waves, tmp_path):
    from sklearn_seq2seq import save

    model = Seq2SeqRegressor(**FAST, device="cuda").fit(waves, waves[:, -3:, 0])
    save(model, tmp_path / "gpu_model.s2s")
    np.save(tmp_path / "X.npy", waves)
    np.save(tmp_path / "P.npy", model.predict(waves))
    difference = _max_difference_on_cpu_only(
        "import numpy as np, sklearn_seq2seq as s;"
        f"m = s.load({str(tmp_path / 'gpu_model.s2s')!r}); assert m.device == 'cpu', m.device;"
        f"P = m.predict(np.load({str(tmp_path / 'X.npy')!r}));"
        f"print(np.abs(P - np.load({str(tmp_path / 'P.npy')!r})).max())"
    )
    assert difference < 2e-3
    loaded_here = __import__("sklearn_seq2seq").load(tmp_path / "gpu_model.s2s")  # on this machine: the GPU
    assert next(loaded_here.net_.module_.parameters()).is_cuda
    np.testing.assert_array_equal(loaded_here.predict(waves), model.predict(waves))


def test_partial_fit_on_the_gpu(waves):
    model = Seq2SeqTransformer(**{**FAST, "max_epochs": 2}, device="cuda")
    for chunk in np.array_split(waves, 4):
        model.partial_fit(chunk)
    assert model.n_iter_ == 4 and next(model.net_.module_.parameters()).is_cuda


def test_classifier_with_unlabelled_sequences_and_a_pretrained_start_on_the_gpu(waves, tmp_path):
    from sklearn_seq2seq import load, save

    y = (waves[:, :, 0].mean(axis=1) > 0).astype(int)
    few = np.where(np.arange(200) < 40, y, -1)
    pretrained = Seq2SeqTransformer(**FAST, device="cuda").fit(waves)
    model = Seq2SeqClassifier(**FAST, pretrained=pretrained, device="cuda").fit(waves, few)
    assert next(model.net_.module_.parameters()).is_cuda and model.net_.module_.head.weight.is_cuda
    proba = model.predict_proba(waves)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert model.score(waves[40:], y[40:]) > 0.8
    with pytest.warns(UserWarning, match="pretrained parameter is not saved"):
        save(model, tmp_path / "c.s2s")
    on_cpu = load(tmp_path / "c.s2s", device="cpu")
    np.testing.assert_allclose(on_cpu.predict_proba(waves), proba, atol=2e-3)


def test_onnx_export_of_a_gpu_model(waves):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    from sklearn_seq2seq import to_onnx, to_onnx_input

    X = waves.astype(np.float32)
    ragged = [x[: 10 + i % 30] for i, x in enumerate(X)]
    model = Seq2SeqClassifier(**{**FAST, "max_epochs": 2}, device="cuda").fit(X, (X[:, :, 0].mean(axis=1) > 0))
    session = ort.InferenceSession(to_onnx(model).SerializeToString())  # exported from the GPU, run on the CPU
    assert next(model.net_.module_.parameters()).is_cuda  # the export leaves the model where it was
    for inputs in (X, ragged):
        labels, proba = session.run(None, {"X": to_onnx_input(model, inputs)})
        np.testing.assert_allclose(proba, model.predict_proba(inputs), atol=1e-4)  # cuDNN vs CPU kernels
        assert np.mean(labels == model.predict(inputs)) > 0.98
