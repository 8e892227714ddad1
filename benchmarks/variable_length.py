"""Variable-length benchmark: classify waves of random length from their encodings.

Sine, square and sawtooth waves (the class) of random length 20-200, random phase, frequency and
amplitude, with noise. Encodings from Seq2SeqTransformer -> StandardScaler -> LogisticRegression,
trained on the ragged sequences as they are, and on the same data truncated to the shortest length
(the usual workaround when a library refuses unequal lengths). Also measures that padding does not
leak: the largest difference between a sequence's encoding alone, beside much longer sequences, and
as a NaN-padded array.

    python benchmarks/variable_length.py            # 600 sequences
    python benchmarks/variable_length.py --only-untrained  # skip the (slow) trained fits
    python benchmarks/variable_length.py --quick    # 60 sequences, few epochs (CI keeps it working)

Prints a table and writes benchmarks/results/variable_length.json.
"""

from __future__ import annotations

import json
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_seq2seq import Seq2SeqTransformer
from _cli import make_parser, machine_line, write_result


def make_waves(n: int, seed: int = 0, low: int = 20, high: int = 200):
    rng = np.random.RandomState(seed)
    y = rng.randint(3, size=n)
    X = []
    for label in y:
        t = np.arange(rng.randint(low, high + 1))
        cycles = rng.uniform(0.02, 0.08) * t + rng.uniform(0, 1)
        frac = cycles % 1.0
        wave = [np.sin(2 * np.pi * cycles), np.where(frac < 0.5, 1.0, -1.0), 2 * frac - 1][label]
        X.append((rng.uniform(0.5, 2) * wave + 0.2 * rng.normal(size=len(t)))[:, None])
    return X, y


def nan_pad(X):
    out = np.full((len(X), max(map(len, X)), X[0].shape[1]), np.nan)
    for i, x in enumerate(X):
        out[i, : len(x)] = x
    return out


def main() -> None:
    parser = make_parser(__doc__, "variable_length")
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--only-untrained", action="store_true")
    args = parser.parse_args()
    n = 60 if args.quick else args.n
    params = {"n_components": 32, "random_state": 0, **({"max_epochs": 2} if args.quick else {})}

    X, y = make_waves(n)
    idx_train, idx_test = train_test_split(np.arange(n), test_size=0.25, stratify=y, random_state=0)
    shortest = min(map(len, X))
    truncated = [x[:shortest] for x in X]
    variants = {"ragged (list)": (X, {}), "ragged (list), untrained": (X, {"max_epochs": 1}),
                f"truncated to shortest ({shortest} steps)": (truncated, {}),
                "truncated, untrained": (truncated, {"max_epochs": 1})}
    print(f"{machine_line()}  n={n}  lengths {shortest}-{max(map(len, X))}")
    rows = []
    leak = None
    for name, (data, extra) in variants.items():
        if args.only_untrained and not extra:
            continue
        model = Seq2SeqTransformer(**{**params, **extra})
        pipe = make_pipeline(model, StandardScaler(), LogisticRegression(max_iter=5000))
        start = time.perf_counter()
        pipe.fit([data[i] for i in idx_train], y[idx_train])
        fit_s = time.perf_counter() - start
        acc = pipe.score([data[i] for i in idx_test], y[idx_test])
        rows.append(dict(input=name, accuracy=acc, fit_s=fit_s))
        print(f"{name:<36} accuracy {acc:.3f}  fit {fit_s:7.1f} s", flush=True)
        if name == "ragged (list)":
            test = [X[i] for i in idx_test]
            longest = max(X, key=len)
            alone = np.vstack([model.transform([x]) for x in test])
            beside = np.vstack([model.transform([longest, x, longest])[1] for x in test])
            batch = model.transform(test)
            padded = model.transform(nan_pad(test))
            leak = dict(
                alone_vs_beside_longest=float(np.abs(alone - beside).max()),
                alone_vs_batch=float(np.abs(alone - batch).max()),
                list_vs_nan_padded=float(np.abs(batch - padded).max()),
            )
            print("padding invariance, max |difference| of encodings:", json.dumps(leak))
    write_result(args.out, {"n": n, "rows": rows, "padding_invariance": leak})


if __name__ == "__main__":
    main()
