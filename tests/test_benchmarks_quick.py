"""The benchmark scripts keep working: each runs once in its --quick mode and writes its JSON."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
# Beside another pytest-xdist worker, a script's torch and BLAS calls get one thread: with two threads
# each on two busy cores these runs took 1.5-3.4x as long as alone (their timings are not checked here).
SCRIPT_ENV = {**os.environ, "OMP_NUM_THREADS": "1"} if "PYTEST_XDIST_WORKER" in os.environ else None


def _accuracies_valid(result):
    return result["rows"] and all(0 <= row["accuracy"] <= 1 for row in result["rows"])


def _timings_valid(result):
    return result["ratio"] > 0 and result["rows"] and all(row["median_s"] > 0 for row in result["rows"])


def _throughput_valid(result):
    return result["sequences_per_s"] > 0 and all(row["output_mb"] > 0 for row in result["memory"])


def _latency_valid(result):
    row = result["rows"][0]
    return row["predict_1_ms"] > 0 and row["bulk_transform_per_s"] > 0


def _rates_valid(result):
    return len(result["rows"]) == 4 and all(row["sequences_per_s"] > 0 for row in result["rows"])


def _speedups_valid(result):
    return result["rows"] and all(row["speedup"] > 0 and row["ours_loss"] > 0 for row in result["rows"])


def _suite_valid(result):
    contenders = {(row["data"], row["contender"]) for row in result["rows"]}
    expected = {("Coffee", "minirocket"), ("Coffee", "minirocket_pca"), ("Coffee", "ours"), ("digits60", "raw")}
    return (expected <= contenders
            and all(0 <= row["accuracy"] <= 1 for row in result["rows"]))


def _classification_valid(result):
    cells = {(row["regime"], row["contender"]) for row in result["rows"]}
    return ({("all", "classifier"), ("all", "minirocket"), ("all", "vote_of_2"), ("few", "classifier"),
             ("few", "label_spreading")} <= cells
            and all(0 <= row["accuracy"] <= 1 for row in result["rows"]))


def _forecasts_valid(result):
    return {row["contender"] for row in result["rows"]} == {"ours", "ridge", "last value"} and all(
        row["rmse"] > 0 for row in result["rows"])


def _regression_valid(result):
    contenders = {row["contender"] for row in result["rows"]}
    return {"ridge on raw values", "training mean", "Seq2SeqRegressor(encoder='conv_recurrent')"} <= contenders and all(
        row["mean_rmse"] > 0 and len(row["rmse"]) >= 1 for row in result["rows"])


def _threads_valid(result):
    return [row["n_threads"] for row in result["rows"]] == [1, 2, None] and all(
        row["alone_s"] > 0 and row["beside_other_job_s"] > 0 for row in result["rows"])


def _fit_times_valid(result):
    return [(row["data"], row["contender"]) for row in result["rows"]] == [("waveforms150", "this checkout")] and all(
        row["fit_s"] > row["training_s"] > 0 and 0 <= row["accuracy"] <= 1 for row in result["rows"])


def _onnx_valid(result):
    return [row["model"] for row in result["rows"]] == ["transformer", "tokens (words)"] and all(
        max(row["largest_difference"].values()) < 1e-4 and row["one_ms"]["onnxruntime"] > 0
        and row["bulk_per_s"]["estimator"] > 0 and row["file_bytes"]["onnx"] > 0 for row in result["rows"])


@pytest.mark.parametrize(
    "script, valid",
    [("defaults.py", _accuracies_valid), ("variable_length.py", _accuracies_valid), ("engine_overhead.py", _timings_valid),
     ("decoder_speed.py", _speedups_valid), ("throughput.py", _throughput_valid), ("generation.py", _rates_valid),
     ("search_scaling.py", _timings_valid), ("ragged_cost.py", _timings_valid),
     ("latency.py", _latency_valid), ("fit_time.py", _fit_times_valid), ("encoding_quality.py", _suite_valid),
     ("forecasting.py", _forecasts_valid),
     ("regression.py", _regression_valid),
     ("threads.py", _threads_valid), ("classification.py", _classification_valid),
     ("onnx_latency.py", _onnx_valid)],
)
def test_benchmark_quick_mode(script, valid, tmp_path):
    out = tmp_path / "result.json"
    subprocess.run([sys.executable, script, "--quick", "--out", str(out)], cwd=BENCHMARKS, check=True, timeout=300,
                   env=SCRIPT_ENV)
    result = json.loads(out.read_text())
    assert valid(result)
    assert result["cores"] >= 1 and result["torch_threads"] >= 1 and result["torch"]  # the machine it ran on


def test_examples_run(tmp_path):
    pytest.importorskip("matplotlib")
    example = BENCHMARKS.parent / "examples" / "plot_attention_heatmap.py"
    run = subprocess.run([sys.executable, str(example)], cwd=tmp_path, check=True, timeout=300,
                         capture_output=True, text=True, env=SCRIPT_ENV)
    assert (tmp_path / "attention_heatmap.png").stat().st_size > 10_000
    match = re.search(r"looks most at input step t - (\d+) \((\d+)% of the output steps\)", run.stdout)
    assert match, run.stdout
    lag, share = int(match.group(1)), int(match.group(2))
    assert 2 <= lag <= 4 and share >= 70  # a diagonal about three steps behind the output step


def test_date_normalisation_example_runs(tmp_path):
    pytest.importorskip("matplotlib")
    example = BENCHMARKS.parent / "examples" / "date_normalisation.py"
    run = subprocess.run([sys.executable, str(example), "--quick"], cwd=tmp_path, check=True, timeout=300,
                         capture_output=True, text=True, env=SCRIPT_ENV)
    assert (tmp_path / "date_normalisation_attention.png").stat().st_size > 10_000
    results = json.loads(run.stdout[run.stdout.index("{"): run.stdout.rindex("}") + 1])
    assert results["greedy_exact_match"] >= 0.95  # strings in, ISO dates out, on held-out dates
    assert results["beam5_exact_match"] >= results["greedy_exact_match"] - 0.01
    assert "'3/3/98' -> 1998-03-03" in run.stdout.replace("  ", "")


def test_encoding_quality_benchmark_takes_the_size_of_the_encodings_from_its_params():
    check = ("import encoding_quality\n"
             "for params, size in (({}, 32), ({'n_components': 64}, 64)):\n"
             "    contenders = encoding_quality.contenders('classification', params, None, 100)\n"
             "    assert contenders['ours'][0][0].n_components == contenders['untrained'][0][0].n_components == size\n"
             "    assert contenders['minirocket_pca'][0][-1].n_components == size\n"
             "assert encoding_quality.contenders('classification', {'n_components': 64}, None, 28)"
             "['minirocket_pca'][0][-1].n_components == 27\n")
    subprocess.run([sys.executable, "-c", check], cwd=BENCHMARKS, check=True, timeout=120)


def test_classification_benchmark_gives_the_transformer_only_the_parameters_it_has():
    check = ("import classification\n"
             "for regime in ('all', 'few'):\n"
             "    for params, size in (({}, 32), ({'n_components': 64}, 64)):\n"
             "        params = {'pretrain': False, 'hidden_size': 8, **params}\n"
             "        contenders = classification.contenders(regime, params)\n"
             "        classifier, transformer = contenders['classifier'][0], contenders['encodings'][0]\n"
             "        transformer = transformer.encoder if regime == 'few' else transformer[0]\n"
             "        assert classifier.pretrain is False and classifier.hidden_size == 8\n"
             "        assert transformer.hidden_size == 8 and not hasattr(transformer, 'pretrain')\n"
             "        assert classifier.n_components == transformer.n_components == size\n")
    subprocess.run([sys.executable, "-c", check], cwd=BENCHMARKS, check=True, timeout=120)


def test_results_over_seeds_are_summarised_per_data_set_and_contender():
    check = ("from _cli import over_seeds\n"
             "rows = [{'data': 'A', 'contender': 'ours', 'seed': 1, 'accuracy': 0.5, 'fit_s': 3.0},\n"
             "        {'data': 'A', 'contender': 'ours', 'seed': 0, 'accuracy': 0.8, 'fit_s': 1.0},\n"
             "        {'data': 'A', 'contender': 'ours', 'seed': 2, 'accuracy': 0.6, 'fit_s': 2.0},\n"
             "        {'data': 'A', 'contender': 'raw', 'seed': 0, 'accuracy': 0.4, 'fit_s': 0.1},\n"
             "        {'data': 'A', 'contender': 'previous', 'seed': 0, 'accuracy': None},\n"
             "        {'data': 'T', 'contender': 'ours', 'seed': 0, 'rmse': 3.0, 'fit_s': 1.0}]\n"
             "ours, raw = over_seeds(rows, ('data', 'contender'), 'accuracy')\n"
             "assert ours['seeds'] == [0, 1, 2] and ours['accuracy'] == [0.8, 0.5, 0.6], ours\n"
             "assert (ours['mean_accuracy'], ours['min_accuracy'], ours['max_accuracy']) == (0.6333, 0.5, 0.8), ours\n"
             "assert ours['mean_fit_s'] == 2.0 and (ours['data'], ours['contender']) == ('A', 'ours'), ours\n"
             "assert raw['accuracy'] == [0.4] and raw['mean_accuracy'] == 0.4, raw\n"
             "[tecator] = over_seeds(rows, ('data', 'contender'), 'rmse')\n"
             "assert tecator['data'] == 'T' and tecator['mean_rmse'] == 3.0, tecator\n")
    subprocess.run([sys.executable, "-c", check], cwd=BENCHMARKS, check=True, timeout=120)
