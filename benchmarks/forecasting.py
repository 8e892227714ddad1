"""Multi-step forecasts on real series: Seq2SeqRegressor against ridge on the same input window.

Each series of a development set (its own train/test split) is cut into an input window (all but its
last ``--horizon`` steps) and a target (those last steps); ``y`` is then ``(n, horizon)``. Contenders:
``Seq2SeqRegressor()`` with its defaults; ``RidgeCV`` on the window's values (standardised); the last
value repeated (naive). The table gives the RMSE over all forecast steps, the RMSE of the first forecast
step alone (does a forecast start where its series ends?) and fit seconds.

    python benchmarks/forecasting.py
    python benchmarks/forecasting.py --quick        # Trace only, 3 epochs

Prints a table and writes benchmarks/results/forecasting.json.
"""

from __future__ import annotations

import json
import time

import numpy as np
from sklearn.pipeline import make_pipeline

from _cli import machine_line, make_parser, write_result
from _real_datasets import load
from _references import ridge_steps
from sklearn_seq2seq import Seq2SeqRegressor

SETS = ["Trace", "OSULeaf", "PigCVP", "ACSF1"]


def rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a - b) ** 2)))


def main() -> None:
    parser = make_parser(__doc__, "forecasting", quick_help="Trace only, 3 epochs")
    parser.add_argument("--horizon", type=int, default=24)
    parser.add_argument("--data", action="append", default=[])
    parser.add_argument("--params", default="{}", help="JSON dict of Seq2SeqRegressor parameters")
    args = parser.parse_args()
    params = json.loads(args.params)
    names = args.data or SETS
    if args.quick:
        names, params = ["Trace"], {**params, "max_epochs": 3}
    print(machine_line(), "params", params)
    rows = []
    for name in names:
        X_train, X_test = (np.asarray(x)[:, :, 0] for x in load(name)[:2])
        h = args.horizon
        W_train, y_train, W_test, y_test = X_train[:, :-h], X_train[:, -h:], X_test[:, :-h], X_test[:, -h:]
        contenders = {
            "ours": Seq2SeqRegressor(random_state=0, **params),
            "ridge": make_pipeline(*ridge_steps()),
        }
        for contender, model in contenders.items():
            start = time.perf_counter()
            model.fit(W_train, y_train)
            seconds = time.perf_counter() - start
            forecast = model.predict(W_test)
            rows.append({"data": name, "contender": contender, "rmse": round(rmse(forecast, y_test), 4),
                         "first_step_rmse": round(rmse(forecast[:, 0], y_test[:, 0]), 4), "fit_s": round(seconds, 2)})
        naive = np.repeat(W_test[:, -1:], h, axis=1)
        rows.append({"data": name, "contender": "last value", "rmse": round(rmse(naive, y_test), 4),
                     "first_step_rmse": round(rmse(naive[:, 0], y_test[:, 0]), 4), "fit_s": 0.0})
        for row in rows[-3:]:
            print(f"{name:10s} {row['contender']:11s} rmse {row['rmse']:.4f}  first step {row['first_step_rmse']:.4f}  "
                  f"fit {row['fit_s']:6.1f} s", flush=True)
    write_result(args.out, {"horizon": args.horizon, "params": params, "rows": rows})


if __name__ == "__main__":
    main()
