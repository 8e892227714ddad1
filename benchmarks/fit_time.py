"""Fit seconds of the default encodings, this checkout against another version side by side.

For each data set, the default ``Seq2SeqTransformer(n_components=32, random_state=0)`` is fitted on the
training split, and the table gives: the whole ``fit`` (seconds), its training steps alone (the sum of
skorch's epoch durations: what is left once the kernel bank and the pool of views are set), and the
accuracy of ``encoding_quality.py``'s head (``StandardScaler`` + ``LogisticRegression``) on the encodings
of the test split (a change meant to be faster only shows the same accuracy here). A first fit on a few
series runs before the timed one, so that imports and first-call costs are not counted.

Each contender runs in its own fresh process (so each imports its own version of the package), the
contenders alternate for ``--rounds`` rounds, and the table gives each one's median over the rounds
(the accuracies are the same every round: fits are seeded). ``--baseline DIR`` adds a contender: a
directory holding another version's ``sklearn_seq2seq`` package (for example the output of
``git archive HEAD sklearn_seq2seq | tar -x -C DIR`` before a change).

    pip install -e '.[bench]' -c constraints.txt
    python benchmarks/fit_time.py --baseline /tmp/before                   # OSULeaf, PigCVP, Trace
    python benchmarks/fit_time.py --baseline /tmp/before --data PLAID --rounds 2
    python benchmarks/fit_time.py --quick          # 60 generated waveforms, 2 epochs (CI keeps the script working)

Prints a table and writes benchmarks/results/fit_time.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from _cli import machine_line, make_parser, run_worker, write_result
from _real_datasets import SUITE
from encoding_quality import GENERATED, data_set, head

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
DEFAULT_DATA = ("OSULeaf", "PigCVP", "Trace")
QUICK_DATA = "waveforms150"
#: The sets an accuracy is read on: the suite's classification sets and the generated ones.
CLASSIFICATION_SETS = [name for name, (task, _) in SUITE.items() if task == "classification"] + list(GENERATED)
#: With ``--quick``, the first this many training series of :data:`QUICK_DATA`.
QUICK_SERIES = 60


def worker(name: str, quick: bool) -> None:
    """In a fresh process: time the default fit of the version of the package on ``sys.path``; print JSON."""
    from sklearn.pipeline import make_pipeline

    import sklearn_seq2seq
    from sklearn_seq2seq import Seq2SeqTransformer

    X_train, X_test, y_train, y_test, task = data_set(name)
    if quick:
        X_train, y_train = X_train[:QUICK_SERIES], y_train[:QUICK_SERIES]
    params = {"n_components": 32, "random_state": 0, **({"max_epochs": 2} if quick else {})}
    Seq2SeqTransformer(**{**params, "max_epochs": 1}).fit(X_train[:16])  # imports and first calls
    model = Seq2SeqTransformer(**params)
    start = time.perf_counter()
    model.fit(X_train)
    fit_s = time.perf_counter() - start
    scored = make_pipeline(*head(task)).fit(model.transform(X_train), y_train)
    print(json.dumps({"package": str(Path(sklearn_seq2seq.__file__).parent), "fit_s": fit_s,
                      "training_s": sum(epoch["dur"] for epoch in model.net_.history),
                      "epochs": len(model.net_.history), "accuracy": scored.score(model.transform(X_test), y_test)}))


def main() -> None:
    parser = make_parser(__doc__, "fit_time", quick_help="60 generated series, 2 epochs (CI keeps the script working)")
    parser.add_argument("--baseline", help="a directory holding another version's sklearn_seq2seq package")
    parser.add_argument("--data", action="append", choices=CLASSIFICATION_SETS,
                        help=f"data set (repeatable; default {', '.join(DEFAULT_DATA)})")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.quick)
        return
    names = [QUICK_DATA] if args.quick else (args.data or list(DEFAULT_DATA))
    contenders = {"this checkout": CHECKOUT}
    if args.baseline:
        contenders["baseline"] = Path(args.baseline).resolve()
    rounds = 1 if args.quick else args.rounds
    rows = []
    print(f"{machine_line()}  default Seq2SeqTransformer(n_components=32); medians over {rounds} alternating rounds")
    print(f"{'data':<10}{'contender':>15}{'fit s':>9}{'training s':>12}{'accuracy':>10}{'epochs':>8}")
    for name in names:
        runs: dict[str, list[dict]] = {contender: [] for contender in contenders}
        for _ in range(rounds):
            for contender, path in contenders.items():  # alternating
                runs[contender].append(run_worker(__file__, path, name, *(["--quick"] if args.quick else [])))
        for contender, results in runs.items():
            row = {"data": name, "contender": contender, "accuracy": results[0]["accuracy"],
                   "epochs": results[0]["epochs"], "fit_s": statistics.median(r["fit_s"] for r in results),
                   "training_s": statistics.median(r["training_s"] for r in results), "runs": results}
            rows.append(row)
            print(f"{name:<10}{contender:>15}{row['fit_s']:>9.1f}{row['training_s']:>12.1f}{row['accuracy']:>10.3f}"
                  f"{row['epochs']:>8}")
        if args.baseline:
            ours, base = rows[-2], rows[-1]
            print(f"{name:<10}{'ratio':>15}{base['fit_s'] / ours['fit_s']:>8.2f}x"
                  f"{base['training_s'] / ours['training_s']:>11.2f}x  (baseline / this checkout: times faster)")
    write_result(args.out, {"baseline": args.baseline, "rounds": rounds, "rows": rows})


if __name__ == "__main__":
    main()
