"""ONNX export: onnxruntime against the estimator's own inference, side by side in one process.

Four fitted models, each with default parameters except ``max_epochs`` (training length does not change
inference cost): a ``Seq2SeqTransformer`` (``transform``), a ``Seq2SeqRegressor`` with a 10-step
forecast (``predict``), a ``Seq2SeqClassifier`` (``predict_proba``), all on T=100 steps of F=3
features (``frame_length="auto"`` reads them 2 at a time), and a token ``Seq2SeqTransformer`` on
words (``transform``). For each: the largest difference between onnxruntime and the estimator on
fixed-length, ragged (NaN-padded) and token inputs; one-sequence latency (median of ``--calls``
calls) and bulk rate (``--bulk`` sequences, median of 3 calls), the estimator and onnxruntime
alternating; the export time; and the sizes of the ONNX file and of the model's own ``save`` file.
onnxruntime runs with its default threads and torch with the caller's, both on this machine's cores.

    python benchmarks/onnx_latency.py
    python benchmarks/onnx_latency.py --quick     # tiny, the transformer and words only (CI keeps it working)

Prints a table and writes benchmarks/results/onnx_latency.json.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from _cli import machine_line, make_parser, median_ms, write_result

T, F, HORIZON = 100, 3, 10


def _models(n_train: int, epochs: int, quick: bool):
    """(name, method, fitted estimator, fixed-length inputs, ragged inputs) for each contender (``quick``:
    the two kinds of input, series and words, without the other estimators, whose exports
    tests/test_onnx.py checks)."""
    from sklearn_seq2seq import Seq2SeqClassifier, Seq2SeqRegressor, Seq2SeqTransformer

    rng = np.random.default_rng(0)
    X = np.cumsum(rng.normal(size=(n_train, T, F)), axis=1).astype(np.float32)
    ragged = [x[:n] for x, n in zip(X, rng.integers(T // 4, T + 1, n_train))]
    y_forecast = X[:, -HORIZON:, 0] + rng.normal(scale=0.1, size=(n_train, HORIZON))
    labels = (X[:, -1, 0] > np.median(X[:, -1, 0])).astype(int) + (X[:, -1, 1] > 0)
    letters = np.array(list("abcdefghij"))
    words = ["".join(rng.choice(letters, n)) for n in rng.integers(3, 13, n_train)]
    fit = dict(max_epochs=epochs, random_state=0)
    yield "transformer", "transform", Seq2SeqTransformer(**fit).fit(X), X, ragged
    if not quick:
        yield "regressor (10-step forecast)", "predict", Seq2SeqRegressor(**fit).fit(X, y_forecast), X, ragged
        yield "classifier", "predict_proba", Seq2SeqClassifier(**fit).fit(X, labels), X, ragged
    yield "tokens (words)", "transform", Seq2SeqTransformer(**fit).fit(words), words, None


def _largest_difference(session, estimator, method: str, inputs) -> float:
    from sklearn_seq2seq import to_onnx_input

    feed = {session.get_inputs()[0].name: to_onnx_input(estimator, inputs)}
    ours = np.asarray(getattr(estimator, method)(inputs), dtype=np.float64)
    return float(np.abs(session.run(None, feed)[0] - ours).max())


def main() -> None:
    parser = make_parser(__doc__, "onnx_latency")
    parser.add_argument("--n-train", type=int, default=512, help="training sequences per model")
    parser.add_argument("--epochs", type=int, default=2, help="training epochs (inference cost does not depend on them)")
    parser.add_argument("--bulk", type=int, default=10_000, help="sequences in the bulk calls")
    parser.add_argument("--calls", type=int, default=200, help="one-sequence calls per median")
    args = parser.parse_args()
    if args.quick:
        args.n_train, args.epochs, args.bulk, args.calls = 40, 1, 200, 5

    import onnx
    import onnxruntime as ort

    from sklearn_seq2seq import save, to_onnx, to_onnx_input

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, method, estimator, fixed, ragged in _models(args.n_train, args.epochs, args.quick):
            start = time.perf_counter()
            model = to_onnx(estimator, method=method)
            export_s = time.perf_counter() - start
            onnx_path, own_path = Path(tmp) / "model.onnx", Path(tmp) / "model.zip"
            onnx.save(model, onnx_path)
            save(estimator, own_path)
            session = ort.InferenceSession(str(onnx_path))
            input_name = session.get_inputs()[0].name
            differences = {"fixed": _largest_difference(session, estimator, method, fixed)}
            if ragged is not None:
                differences["ragged"] = _largest_difference(session, estimator, method, ragged)
            else:
                differences["tokens"] = differences.pop("fixed")
            bulk = [fixed[i % len(fixed)] for i in range(args.bulk)] if isinstance(fixed, list) else np.resize(
                fixed, (args.bulk, *fixed.shape[1:]))
            one = fixed[:1]
            one_feed = {input_name: to_onnx_input(estimator, one)}
            bulk_feed = {input_name: to_onnx_input(estimator, bulk)}
            own = getattr(estimator, method)
            row = {
                "model": name, "method": method, "export_s": export_s,
                "largest_difference": differences,
                "one_ms": {"estimator": median_ms(lambda: own(one), args.calls),
                           "onnxruntime": median_ms(lambda: session.run(None, one_feed), args.calls)},
                "bulk_per_s": {
                    "estimator": args.bulk / (1e-3 * median_ms(lambda: own(bulk), 3)),
                    "onnxruntime": args.bulk / (1e-3 * median_ms(lambda: session.run(None, bulk_feed), 3)),
                    # the conversion a caller with ragged lists or strings runs before onnxruntime
                    "onnxruntime_with_to_onnx_input": args.bulk / (1e-3 * median_ms(
                        lambda: session.run(None, {input_name: to_onnx_input(estimator, bulk)}), 3)),
                },
                "file_bytes": {"onnx": onnx_path.stat().st_size, "save": own_path.stat().st_size},
            }
            rows.append(row)

    print(machine_line())
    print(f"T={T}, F={F}; one sequence: median of {args.calls} calls; bulk: {args.bulk} sequences, median of 3")
    header = ("| model | method | largest difference | 1 sequence: estimator / onnxruntime (ms) | bulk: estimator / "
              "onnxruntime / with to_onnx_input (seq/s) | ONNX file / save file (kB) | export (s) |")
    print(header)
    print("|" + "---|" * 7)
    for row in rows:
        diff = ", ".join(f"{kind} {value:.1e}" for kind, value in row["largest_difference"].items())
        one, bulk, size = row["one_ms"], row["bulk_per_s"], row["file_bytes"]
        print(f"| {row['model']} | {row['method']} | {diff} | {one['estimator']:.2f} / {one['onnxruntime']:.2f} "
              f"({one['estimator'] / one['onnxruntime']:.1f}x) | {bulk['estimator']:,.0f} / {bulk['onnxruntime']:,.0f} "
              f"/ {bulk['onnxruntime_with_to_onnx_input']:,.0f} | {size['onnx'] / 1e3:.0f} / {size['save'] / 1e3:.0f} "
              f"| {row['export_s']:.1f} |")
    write_result(args.out, {"T": T, "F": F, "bulk": args.bulk, "calls": args.calls, "rows": rows})


if __name__ == "__main__":
    main()
