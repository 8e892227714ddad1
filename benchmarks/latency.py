"""One-sequence latency and bulk throughput, this checkout against another version side by side.

The default ``Seq2SeqTransformer`` (fitted for one epoch on 512 sequences, T=50, F=3) is timed on:
``transform`` and ``predict`` of one sequence (median of 200 calls each), the same model's torch module
run directly on that sequence (encode, and encode + decode: the floor the estimator adds its input
checks and output conversion to), and bulk ``transform`` of 20,000 sequences (median of 3 calls),
also as a caller can run it: two halves in two threads of its own, torch set to one thread.

Each contender runs in its own fresh process (so each imports its own version of the package), and
the contenders alternate for ``--rounds`` rounds; the table gives each one's median over the rounds.
``--baseline DIR`` adds a contender: a directory holding another version's ``sklearn_seq2seq`` package
(for example a ``git worktree`` of an older commit).

    python benchmarks/latency.py --baseline /tmp/sklearn_seq2seq_before
    python benchmarks/latency.py --quick          # tiny (CI keeps the script working)

Prints a table and writes benchmarks/results/latency.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from _cli import machine_line, make_parser, median_ms, run_worker, write_result

T, F = 50, 3
HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent


def worker(n_bulk: int, calls: int) -> None:
    """In a fresh process: time the version of the package on ``sys.path``; print JSON."""
    import torch

    import sklearn_seq2seq
    from sklearn_seq2seq import Seq2SeqTransformer

    rng = np.random.RandomState(0)
    model = Seq2SeqTransformer(max_epochs=1, random_state=0).fit(rng.normal(size=(512, T, F)))
    one = rng.normal(size=(1, T, F))
    bulk = rng.normal(size=(n_bulk, T, F)).astype(np.float32)
    module = model.net_.module_.eval()
    x, lengths = torch.as_tensor(one, dtype=torch.float32), torch.tensor([T])

    def module_encode():
        with torch.inference_mode():
            module.encode(x, lengths)

    def module_predict():
        with torch.inference_mode():
            module(x, lengths, n_steps=T)

    result = {
        "package": str(Path(sklearn_seq2seq.__file__).parent),
        "transform_1_ms": median_ms(lambda: model.transform(one), calls),
        "predict_1_ms": median_ms(lambda: model.predict(one), calls),
        "module_encode_1_ms": median_ms(module_encode, calls),
        "module_predict_1_ms": median_ms(module_predict, calls),
    }
    model.transform(bulk[:1000])
    result["bulk_transform_per_s"] = n_bulk / (1e-3 * median_ms(lambda: model.transform(bulk), 3))
    result["torch_threads_after"] = torch.get_num_threads()
    # the caller's choice: two threads of its own, torch set to one thread (a process-wide setting)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with ThreadPoolExecutor(2) as pool:
            halves = np.array_split(bulk, 2)
            rate = n_bulk / (1e-3 * median_ms(lambda: list(pool.map(model.transform, halves)), 3))
    finally:
        torch.set_num_threads(threads)
    result["bulk_transform_caller_threads_per_s"] = rate
    print(json.dumps(result))


KEYS = [("transform_1_ms", "transform, 1 sequence (ms)"), ("predict_1_ms", "predict, 1 sequence (ms)"),
        ("module_encode_1_ms", "module encode, 1 sequence (ms)"), ("module_predict_1_ms", "module encode+decode, 1 (ms)"),
        ("bulk_transform_per_s", "bulk transform (sequences/s)"),
        ("bulk_transform_caller_threads_per_s", "bulk, caller's 2 threads x 1 (seq/s)")]


def main() -> None:
    parser = make_parser(__doc__, "latency")
    parser.add_argument("--baseline", help="a directory holding another version's sklearn_seq2seq package")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(int(args.worker[0]), int(args.worker[1]))
        return
    n_bulk, calls = (200, 5) if args.quick else (20_000, 200)
    contenders = {"this checkout": CHECKOUT}
    if args.baseline:
        contenders["baseline"] = Path(args.baseline).resolve()
    runs: dict[str, list[dict]] = {name: [] for name in contenders}
    for _ in range(1 if args.quick else args.rounds):
        for name, path in contenders.items():  # alternating
            runs[name].append(run_worker(__file__, path, str(n_bulk), str(calls)))
    medians = {name: {key: statistics.median(r[key] for r in rs) for key, _ in KEYS} for name, rs in runs.items()}
    print(f"{machine_line()}  T={T} F={F}, default model; medians over {len(runs['this checkout'])} alternating rounds")
    print(f"{'':<34}" + "".join(f"{name:>16}" for name in contenders)
          + (f"{'ratio':>10}" if args.baseline else ""))
    for key, label in KEYS:
        row = f"{label:<34}" + "".join(f"{medians[name][key]:>16,.2f}" for name in contenders)
        if args.baseline:
            row += f"{medians['this checkout'][key] / medians['baseline'][key]:>9.2f}x"
        print(row)
    write_result(args.out, {
        "n_bulk": n_bulk, "calls": calls, "baseline": args.baseline,
        "rows": [{"contender": name, **medians[name], "runs": runs[name],
                  "torch_threads_after": [r["torch_threads_after"] for r in runs[name]]} for name in contenders]})


if __name__ == "__main__":
    main()
