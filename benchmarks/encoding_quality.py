"""Encodings on the real development suite, side by side with raw values and MiniRocket.

For every data set of the suite (``_real_datasets.SUITE``, digits, digits[:60] and the generated sets), in
one run and each on the data set's own train/test split:

- ``ours``: ``Seq2SeqTransformer(n_components=32, random_state=0)`` encodings (fitted on the training
  split only), then ``StandardScaler`` + ``LogisticRegression`` (``RidgeCV`` for regression sets);
- ``untrained``: the same model with its weights as initialised (one epoch at a learning rate of 1e-12);
- ``raw``: the values flattened (variable-length series zero-padded to the longest training series);
- ``minirocket``: aeon's MiniRocket (timed after a first call that compiles it), then the same head;
- ``minirocket_pca``: MiniRocket's features reduced by PCA to as many numbers as ours hold (``n_components``,
  at most one fewer than the training series), then the same head: what a summary of MiniRocket's
  features as short as our encodings keeps;
- regression sets also: ``mean`` (the training mean) and ``regressor``, ``Seq2SeqRegressor()`` with defaults;
- ``previous`` (``--previous``): the defaults of version 0.2.0, pinned explicitly (``--previous 600``:
  where that fit would take over 600 s, its time is extrapolated from 3 epochs instead).

It prints accuracy (RMSE for regression) and fit seconds, and writes JSON. With ``--seeds N`` every
contender that has a ``random_state`` (ours, untrained, MiniRocket, the regressor, previous) runs with
seeds 0 to N - 1 (raw values and the training mean once), and a table of each one's mean over the
seeds follows (in the JSON: ``summary``): a single seed moves an accuracy on 28-500 test series by a
few points.

    pip install -e '.[bench]' -c constraints.txt
    python benchmarks/encoding_quality.py                    # everything (about half an hour on 2 cores)
    python benchmarks/encoding_quality.py --data Trace --data Coffee --params '{"hidden_size": 32}'
    python benchmarks/encoding_quality.py --quick            # digits[:60] and Coffee only, few epochs
    python benchmarks/encoding_quality.py --seeds 3 --only ours --only minirocket   # mean over seeds 0-2
"""

from __future__ import annotations

import json
import math
import time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import root_mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from _cli import add_seeds, machine_line, make_parser, over_seeds, print_over_seeds, write_result
from _datasets import split
from _real_datasets import SUITE, load
from _references import flatten, ridge_steps
from sklearn_seq2seq import Seq2SeqRegressor, Seq2SeqTransformer

GENERATED = {"digits": ("digits", None), "digits60": ("digits", 60), "waveforms150": ("waveforms150", None),
             "motion6": ("motion6", None), "speech12": ("speech12", None)}
ALL = list(SUITE) + list(GENERATED)
#: Contenders without a ``random_state``: run once, whatever ``--seeds`` says.
SEEDLESS = ("raw", "mean")

#: The defaults of version 0.2.0, pinned (what ``--previous`` measures); its ``max_epochs="auto"``
#: trained ``ceil(4000 / batches per epoch)`` epochs, kept in [5, 500] (:func:`previous_epochs`).
PREVIOUS = dict(contrastive=0.0, frame_length=1, n_threads=None, decoder_input="auto", readout="pool",
                encoder="recurrent", batch_size=32)


def previous_epochs(n_train: int) -> int:
    return int(min(max(math.ceil(4000 / math.ceil(n_train / 32)), 5), 500))


def data_set(name: str):
    """(X_train, X_test, y_train, y_test, task)"""
    if name in GENERATED:
        return (*split(*GENERATED[name]), "classification")
    return (*load(name), SUITE[name][0])


def padded(X, n_steps: int) -> np.ndarray:
    """Series as one (n, n_steps, channels) array: variable-length ones zero-padded (or cut) to ``n_steps``."""
    if not isinstance(X, list):
        return np.asarray(X, dtype=float)
    out = np.zeros((len(X), n_steps, X[0].shape[1]))
    for i, x in enumerate(X):
        out[i, : min(len(x), n_steps)] = x[:n_steps]
    return out


def head(task: str):
    if task == "regression":
        return ridge_steps()
    return [StandardScaler(), LogisticRegression(max_iter=5000)]


def minirocket(seed: int = 0):
    from aeon.transformations.collection.convolution_based import MiniRocket

    def channels_first(X):  # aeon reads (n, channels, steps), of at least 9 steps (zero-padded here)
        X = np.pad(X, ((0, 0), (0, max(0, 9 - X.shape[1])), (0, 0)))
        return np.ascontiguousarray(X.transpose(0, 2, 1))

    return [FunctionTransformer(channels_first), MiniRocket(random_state=seed)]


def evaluate(first_steps: list, data, task: str, fixed_length: bool) -> tuple[float, float]:
    """Fit ``first_steps`` + the head on the training split: (accuracy or RMSE on the test split, fit seconds)."""
    X_train, X_test, y_train, y_test = data
    if fixed_length:
        n_steps = max(len(x) for x in X_train) if isinstance(X_train, list) else None
        X_train, X_test = padded(X_train, n_steps), padded(X_test, n_steps)
    pipe = make_pipeline(*first_steps, *head(task)) if first_steps and first_steps[-1] is not None else None
    if pipe is None:  # the estimator is the whole model (Seq2SeqRegressor)
        pipe = first_steps[0]
    start = time.perf_counter()
    pipe.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    if task == "regression":
        return root_mean_squared_error(y_test, pipe.predict(X_test)), seconds
    return float(np.mean(pipe.predict(X_test) == y_test)), seconds


def contenders(task: str, params: dict, previous: int | None, n_train: int, seed: int = 0) -> dict:
    """name -> (steps before the head, needs fixed-length input), with ``random_state=seed``"""
    ours = {"n_components": 32, "random_state": seed, **params}  # params may name another size
    out = {
        "ours": ([Seq2SeqTransformer(**ours)], False),
        "untrained": ([Seq2SeqTransformer(**{**ours, "max_epochs": 1, "lr": 1e-12})], False),
        "raw": ([FunctionTransformer(flatten)], True),
        "minirocket": (minirocket(seed), True),
        "minirocket_pca": (minirocket(seed) + [PCA(min(ours["n_components"], n_train - 1), random_state=seed)], True),
    }
    if previous is not None:
        out["previous"] = ([Seq2SeqTransformer(**{**ours, **PREVIOUS, "max_epochs": previous_epochs(n_train)})],
                           False)
    if task == "regression":
        out["mean"] = ([FunctionTransformer(lambda X: np.zeros((len(X), 1)))], True)
        out["regressor"] = ([Seq2SeqRegressor(random_state=seed, **params), None], False)
    return out


def main() -> None:
    parser = make_parser(__doc__, "encoding_quality", quick_help="digits[:60] and Coffee, 3 epochs")
    parser.add_argument("--data", action="append", default=[], help=f"data set (repeatable): {', '.join(ALL)}")
    parser.add_argument("--params", default="{}", help="JSON dict of parameters for ours/untrained/regressor")
    parser.add_argument("--only", action="append", default=[], help="contender (repeatable)")
    parser.add_argument("--previous", type=float, nargs="?", const=0, default=None,
                        help="also measure the defaults of version 0.2.0; with a number of seconds S, time "
                             "--previous-epochs epochs first and, where the whole fit would take more than S, "
                             "report its time extrapolated (no accuracy)")
    parser.add_argument("--previous-epochs", type=int, default=3)
    add_seeds(parser)
    args = parser.parse_args()
    params = json.loads(args.params)
    names = args.data or ALL
    if args.quick:
        names, params = ["digits60", "Coffee"], {**params, "max_epochs": 3}
    # MiniRocket compiles on its first call: do that before any timing
    if not args.only or "minirocket" in args.only:
        for warm_up in ("Coffee", "digits60"):  # univariate and multivariate are compiled apart
            evaluate(minirocket(), data_set(warm_up)[:4], "classification", True)
    print(machine_line(), "params", params)
    rows = []
    for name in names:
        *data, task = data_set(name)
        for seed in range(args.seeds):
            for contender, (steps, fixed) in contenders(task, params, args.previous, len(data[0]), seed).items():
                if (args.only and contender.split("_")[0] not in args.only) or (seed > 0 and contender in SEEDLESS):
                    continue
                metric = "rmse" if task == "regression" else "accuracy"
                if contender == "previous" and args.previous:
                    # time a few epochs first; run the whole fit only if it fits the budget
                    total = steps[0].max_epochs
                    trial = [steps[0].set_params(max_epochs=min(args.previous_epochs, total))]
                    _, seconds = evaluate(trial, data, task, fixed)
                    epoch_seconds = list(trial[0].history_[:, "dur"])  # the rest of the fit does not grow with epochs
                    estimate = seconds - sum(epoch_seconds) + np.mean(epoch_seconds) * total
                    if estimate > args.previous:
                        rows.append({"data": name, "contender": contender, "seed": seed, metric: None,
                                     "fit_s_extrapolated": round(estimate, 1)})
                        print(f"{name:18s} previous    {metric} (not run) fit {estimate:7.1f} s, extrapolated from "
                              f"{trial[0].max_epochs} of {total} epochs", flush=True)
                        continue
                    steps = [steps[0].set_params(max_epochs=total)]
                score, seconds = evaluate(steps, data, task, fixed)
                rows.append({"data": name, "contender": contender, "seed": seed, metric: round(score, 4),
                             "fit_s": round(seconds, 2)})
                print(f"{name:18s} {contender:11s} {metric} {score:.4f}  fit {seconds:7.1f} s  seed {seed}", flush=True)
    summary = []
    for metric in ("accuracy", "rmse"):
        summary += (part := over_seeds(rows, ("data", "contender"), metric))
        if args.seeds > 1 and part:
            print_over_seeds(part, ("data", "contender"), metric)
    write_result(args.out, {"params": params, "seeds": args.seeds, "rows": rows, "summary": summary})


if __name__ == "__main__":
    main()
