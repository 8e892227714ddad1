"""Measure candidate defaults of Seq2SeqTransformer: encodings -> StandardScaler -> LogisticRegression.

Every candidate is scored on several kinds of data (short and long, uni- and multivariate, small and
large n) beside the same model left untrained (max_epochs=1) and beside raw features and PCA.

    python benchmarks/defaults.py                    # the default candidates, all data sets
    python benchmarks/defaults.py --quick            # tiny run to keep the script working
    python benchmarks/defaults.py --candidate '{"hidden_size": 128}' --data digits

Prints a table and writes benchmarks/results/defaults.json.
"""

from __future__ import annotations

import json
import platform
import time

from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from _datasets import split
import sklearn_seq2seq._training as training
from sklearn_seq2seq import Seq2SeqTransformer
from _cli import make_parser, machine_line, write_result

CASES = [("digits", None), ("digits", 60), ("waveforms150", None), ("motion6", None), ("speech12", None)]


def score(first_step, data, flatten=False):
    X_train, X_test, y_train, y_test = data
    if flatten:
        X_train, X_test = X_train.reshape(len(X_train), -1), X_test.reshape(len(X_test), -1)
    pipe = make_pipeline(first_step, StandardScaler(), LogisticRegression(max_iter=5000))
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    return pipe.score(X_test, y_test), time.perf_counter() - start


def main() -> None:
    parser = make_parser(__doc__, "defaults", quick_help="tiny run: digits/60, 5 epochs")
    parser.add_argument("--candidate", action="append", default=[], help="JSON dict of parameters (repeatable)")
    parser.add_argument("--data", action="append", default=[], help="data set name (repeatable)")
    parser.add_argument("--seeds", type=int, default=1, help="random_state values 0..seeds-1")
    parser.add_argument("--auto-steps", type=int, action="append", default=[],
                        help="also try max_epochs='auto' with this many optimiser steps (repeatable)")
    args = parser.parse_args()

    candidates = [json.loads(c) for c in args.candidate] or [{}]
    cases = [c for c in CASES if not args.data or c[0] in args.data]
    if args.quick:
        candidates, cases = [{"max_epochs": 5}], [("digits", 60)]
    rows = []
    print(machine_line())
    print(f"{'data':<16}{'n_train':>8}  {'model':<52}{'accuracy':>9}{'fit s':>8}")
    for name, n_train in cases:
        data = split(name, n_train)
        label = f"{name}" + (f"[:{n_train}]" if n_train else "")
        refs = [("raw features", "passthrough"), ("PCA(32)", PCA(min(32, len(data[0])), random_state=0))]
        if not args.quick:
            for ref_name, step in refs:
                acc, sec = score(step, data, flatten=True)
                rows.append(dict(data=label, model=ref_name, accuracy=acc, fit_s=sec))
                print(f"{label:<16}{len(data[0]):>8}  {ref_name:<44}{acc:>9.3f}{sec:>8.1f}", flush=True)
        default_steps = training.AUTO_STEPS
        for params in candidates:
            for steps in args.auto_steps or [default_steps]:
                training.AUTO_STEPS = steps
                for seed in range(args.seeds):
                    for untrained in ([False] if args.quick else [False, True]):
                        if untrained and (seed > 0 or steps != (args.auto_steps or [default_steps])[0]):
                            continue
                        kw = {"n_components": 32, "random_state": seed, **params}
                        if untrained:
                            kw["max_epochs"] = 1
                        acc, sec = score(Seq2SeqTransformer(**kw), data)
                        model = json.dumps(params) + (" untrained" if untrained else f" steps={steps}")
                        model += f" seed={seed}" if args.seeds > 1 else ""
                        rows.append(dict(data=label, model=model, params=kw, auto_steps=steps, accuracy=acc, fit_s=sec))
                        print(f"{label:<16}{len(data[0]):>8}  {model:<52}{acc:>9.3f}{sec:>8.1f}", flush=True)
        training.AUTO_STEPS = default_steps
    write_result(args.out, {"processor": platform.processor(), "rows": rows})


if __name__ == "__main__":
    main()
