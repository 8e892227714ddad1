"""Hyper-parameter search: ``GridSearchCV`` with ``n_jobs=1`` vs ``n_jobs=2``.

A pipeline (``Seq2SeqTransformer`` encodings -> ``LogisticRegression``) is grid-searched on digits
read as 8 steps x 8 features (4 candidates x 3 folds = 12 fits). The two searches run alternately
after a warm-up; the table gives the median times, the speed-up and the largest difference between
the two searches' mean test scores (the same seeds give the same fits in worker processes).

joblib's process workers (loky) start with one thread per worker for OpenMP, and torch follows it, so
two workers on two cores do not oversubscribe them.

    python benchmarks/search_scaling.py
    python benchmarks/search_scaling.py --quick    # tiny (CI keeps the script working)

Prints a table and writes benchmarks/results/search_scaling.json.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from _datasets import digits
from sklearn_seq2seq import Seq2SeqTransformer
from _cli import make_parser, machine_line, write_result


def search(X: np.ndarray, y: np.ndarray, n_jobs: int, max_epochs: int) -> GridSearchCV:
    pipe = make_pipeline(Seq2SeqTransformer(max_epochs=max_epochs, random_state=0), LogisticRegression(max_iter=2000))
    grid = {"seq2seqtransformer__n_components": [16, 32], "seq2seqtransformer__readout": ["pool", "slots"]}
    return GridSearchCV(pipe, grid, cv=3, n_jobs=n_jobs).fit(X, y)


def main() -> None:
    parser = make_parser(__doc__, "search_scaling")
    parser.add_argument("--n", type=int, default=600, help="digits used")
    parser.add_argument("--max-epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    if args.quick:
        args.n, args.max_epochs, args.repeats = 150, 1, 1

    X, y = digits()
    X, y = X[: args.n], y[: args.n]
    search(X[:60], y[:60], n_jobs=2, max_epochs=1)  # warm-up: starts the worker processes
    times: dict[int, list[float]] = {1: [], 2: []}
    results: dict[int, GridSearchCV] = {}
    for _ in range(args.repeats):
        for n_jobs in (1, 2):
            start = time.perf_counter()
            results[n_jobs] = search(X, y, n_jobs, args.max_epochs)
            times[n_jobs].append(time.perf_counter() - start)

    medians = {n_jobs: statistics.median(t) for n_jobs, t in times.items()}
    scores = {n_jobs: results[n_jobs].cv_results_["mean_test_score"] for n_jobs in (1, 2)}
    max_diff = float(np.abs(scores[1] - scores[2]).max())
    same_best = results[1].best_params_ == results[2].best_params_
    print(f"{machine_line()} n={args.n} "
          f"max_epochs={args.max_epochs} fits=12 repeats={args.repeats}")
    print(f"{'n_jobs':>7}{'median s':>10}")
    for n_jobs in (1, 2):
        print(f"{n_jobs:>7}{medians[n_jobs]:>10.2f}")
    speedup = medians[1] / medians[2]
    print(f"speed-up {speedup:.2f}x; same best_params_: {same_best}; largest mean-score difference {max_diff:.2e}")
    write_result(args.out, {
        "n": args.n, "max_epochs": args.max_epochs, "repeats": args.repeats,
        "rows": [{"n_jobs": n_jobs, "median_s": medians[n_jobs]} for n_jobs in (1, 2)],
        "ratio": speedup, "same_best_params": same_best, "max_score_difference": max_diff,
        "best_params": results[1].best_params_})


if __name__ == "__main__":
    main()
