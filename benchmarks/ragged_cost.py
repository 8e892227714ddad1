"""The cost of variable length: fitting on ragged sequences vs the same amount of fixed-length data.

Contenders, each fitted for ``--epochs`` epochs with the default model, run alternately after a
warm-up (medians of ``--repeats`` rounds):

* ``ragged``: waves of length 20-200 given as a list (padded steps never enter the recurrence, the
  loss or the attention; random batches are padded up to their longest member);
* ``ragged, group_by_length``: the same, batched by length (``group_by_length=True``), so each batch
  pads little;
* ``fixed, same steps``: the same number of sequences, all of the mean length (the same number of
  real timesteps in total, no padding);
* ``naive padding``: the ragged waves zero-padded to the longest and given as one array, so the model
  reads the padding as data (wrong, but the speed that skipping packing would give).

Target (issue 5): ragged <= 1.3x the fixed-length time.

    python benchmarks/ragged_cost.py
    python benchmarks/ragged_cost.py --quick     # tiny (CI keeps the script working)

Prints a table and writes benchmarks/results/ragged_cost.json.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from sklearn_seq2seq import Seq2SeqTransformer
from variable_length import make_waves  # the same waves as the accuracy benchmark
from _cli import make_parser, machine_line, write_result


def main() -> None:
    parser = make_parser(__doc__, "ragged_cost")
    parser.add_argument("--n", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.n, args.epochs, args.repeats = 32, 1, 1

    ragged, _ = make_waves(args.n, seed=0)
    mean_length = int(round(np.mean([len(x) for x in ragged])))
    fixed = np.stack([np.resize(x, (mean_length, 1)) for x in ragged])
    naive = np.zeros((args.n, max(len(x) for x in ragged), 1))
    for i, x in enumerate(ragged):
        naive[i, : len(x)] = x
    fixed_name = f"fixed, same steps (T={mean_length})"
    contenders = {  # name: (data, extra parameters)
        "ragged (list)": (ragged, {}),
        "ragged (list), group_by_length": (ragged, {"group_by_length": True}),
        fixed_name: (fixed, {}),
        f"naive padding (T={naive.shape[1]}, reads padding)": (naive, {}),
    }

    def fit(X, params, epochs):
        return Seq2SeqTransformer(max_epochs=epochs, random_state=0, **params).fit(X)

    for X, params in contenders.values():  # warm-up
        fit(X[:32], params, 1)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.repeats):
        for name, (X, params) in contenders.items():
            start = time.perf_counter()
            fit(X, params, args.epochs)
            times[name].append(time.perf_counter() - start)

    medians = {name: statistics.median(t) for name, t in times.items()}
    fixed_s = medians[fixed_name]
    print(f"{machine_line()} n={args.n} epochs={args.epochs} "
          f"repeats={args.repeats}")
    print(f"{'contender':<44}{'median s':>10}{'vs fixed':>10}")
    rows = []
    for name, seconds in medians.items():
        rows.append({"contender": name, "median_s": seconds, "ratio_to_fixed": seconds / fixed_s})
        print(f"{name:<44}{seconds:>10.2f}{seconds / fixed_s:>9.2f}x")
    ratio = medians["ragged (list)"] / fixed_s
    grouped_ratio = medians["ragged (list), group_by_length"] / fixed_s
    print(f"ragged / fixed: {ratio:.2f}x; with group_by_length: {grouped_ratio:.2f}x (target <= 1.3x)")
    write_result(args.out, {"n": args.n, "epochs": args.epochs, "repeats": args.repeats, "rows": rows,
                            "ratio": ratio, "grouped_ratio": grouped_ratio})


if __name__ == "__main__":
    main()
