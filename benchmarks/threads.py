"""Fit time against torch threads, alone and beside another CPU-bound job.

The default ``Seq2SeqTransformer`` is fitted on the digits (8 steps x 8 features, ``--n`` sequences,
``--epochs`` epochs) with ``n_threads`` 1, 2 and None (torch's own setting, all cores), each:

- alone, and
- beside one other CPU-bound job: a second process fitting the same model in a loop with torch's own
  thread setting (what a notebook, a second fit or another library's work looks like to us).

Each measurement is the median of ``--repeats`` fits; the table gives seconds and the ratio beside/alone.

    python benchmarks/threads.py
    python benchmarks/threads.py --quick        # tiny (CI keeps the script working)

Prints a table and writes benchmarks/results/threads.json.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from sklearn.datasets import load_digits

from _cli import machine_line, make_parser, write_result
from sklearn_seq2seq import Seq2SeqTransformer


def fit_seconds(n: int, epochs: int, n_threads: int | None, repeats: int) -> float:
    X = load_digits().data.reshape(-1, 8, 8)[:n]
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        Seq2SeqTransformer(max_epochs=epochs, n_threads=n_threads, random_state=0).fit(X)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = make_parser(__doc__, "threads")
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--competitor", action="store_true", help=argparse_hidden())
    args = parser.parse_args()
    if args.competitor:  # the other CPU-bound job: fit until killed, with torch's own thread setting
        print("ready", flush=True)
        while True:
            fit_seconds(args.n, args.epochs, None, 1)
    if args.quick:
        args.n, args.epochs, args.repeats = 64, 2, 1
    print(machine_line())
    rows = []
    for n_threads in (1, 2, None):
        alone = fit_seconds(args.n, args.epochs, n_threads, args.repeats)
        other = subprocess.Popen([sys.executable, __file__, "--competitor", "--n", str(args.n),
                                  "--epochs", str(args.epochs)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True)
        try:
            other.stdout.readline()  # imported: from here on it fits in a loop
            time.sleep(1.0)
            beside = fit_seconds(args.n, args.epochs, n_threads, args.repeats)
        finally:
            other.kill()
            other.wait()
        rows.append({"n_threads": n_threads, "alone_s": round(alone, 2), "beside_other_job_s": round(beside, 2),
                     "ratio": round(beside / alone, 2)})
        print(f"n_threads={str(n_threads):5s} alone {alone:6.2f} s  beside another job {beside:6.2f} s  "
              f"ratio {beside / alone:.2f}", flush=True)
    write_result(args.out, {"n": args.n, "epochs": args.epochs, "rows": rows})


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
