"""Generation speed: autoregressive ``predict`` in sequences per second.

Contenders, run alternately (A B C D A B C D ...) after a warm-up, medians of ``--repeats`` rounds:

* ``forecast-24``: a ``Seq2SeqRegressor`` with ``decoder_input="previous"`` forecasting 24 steps of a
  noisy two-tone series from its last 48 steps, one step after another from its own predictions;
* ``strings greedy`` / ``strings beam 5``: a ``Seq2SeqTransformer`` normalising written dates
  ("tuesday 3 march 1998" -> "1998-03-03", examples/date_normalisation.py) with ``beam_width`` 1 and 5;
* ``strings greedy, one at a time``: the same model called on one string per ``predict`` call, as a
  tutorial's ``evaluate(sentence)`` loop does (on a tenth of the strings).

The models are trained briefly (speed does not depend on how well they learned).

    python benchmarks/generation.py             # n = 4,000 sequences per contender
    python benchmarks/generation.py --quick     # tiny (CI keeps the script working)

Prints a table and writes benchmarks/results/generation.json.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

from sklearn_seq2seq import Seq2SeqRegressor, Seq2SeqTransformer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
from date_normalisation import make_dates  # noqa: E402  (the example's generator: one place for it)
from _cli import make_parser, machine_line, write_result

HISTORY, HORIZON = 48, 24


def two_tone_series(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (n, 48, 1) and the following 24 steps (n, 24) of noisy sums of two sines."""
    rng = np.random.RandomState(seed)
    t = np.arange(HISTORY + HORIZON)[None, :]
    f1, f2 = rng.uniform(0.05, 0.2, size=(n, 1)), rng.uniform(0.2, 0.4, size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 2))
    series = np.sin(f1 * t + phase[:, :1]) + 0.5 * np.sin(f2 * t + phase[:, 1:]) + 0.05 * rng.normal(size=(n, t.shape[1]))
    return series[:, :HISTORY, None], series[:, HISTORY:]


def main() -> None:
    parser = make_parser(__doc__, "generation")
    parser.add_argument("--n", type=int, default=4000, help="sequences generated per contender and round")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.n, args.repeats = 200, 1

    X_series, y_series = two_tone_series(max(args.n, 512))
    forecaster = Seq2SeqRegressor(decoder_input="previous", max_epochs=2, random_state=0)
    forecaster.fit(X_series[:512], y_series[:512])
    X_dates, y_dates = make_dates(max(args.n, 512), seed=0)
    normaliser = Seq2SeqTransformer(attend_over="encoder", max_epochs=3, random_state=0)
    normaliser.fit(X_dates[:1000], y_dates[:1000])
    n_single = max(args.n // 10, 10)

    def predict_strings(beam_width: int):
        normaliser.set_params(beam_width=beam_width)
        return normaliser.predict(X_dates[: args.n])

    def one_at_a_time():
        normaliser.set_params(beam_width=1)
        return [normaliser.predict([x])[0] for x in X_dates[:n_single]]

    contenders = {
        "forecast-24 (regressor, autoregressive)": (lambda: forecaster.predict(X_series[: args.n]), args.n),
        "strings greedy": (lambda: predict_strings(1), args.n),
        "strings beam 5": (lambda: predict_strings(5), args.n),
        "strings greedy, one at a time": (one_at_a_time, n_single),
    }
    for run, _ in contenders.values():  # warm-up
        run()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.repeats):
        for name, (run, _) in contenders.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)

    print(f"{machine_line()} n={args.n} repeats={args.repeats} "
          f"batch_size={normaliser.batch_size}")
    rows = []
    greedy_rate = args.n / statistics.median(times["strings greedy"])
    print(f"{'contender':<42}{'sequences/s':>13}{'vs strings greedy':>19}")
    for name, (_, n) in contenders.items():
        rate = n / statistics.median(times[name])
        rows.append({"contender": name, "n": n, "median_s": statistics.median(times[name]),
                     "sequences_per_s": rate, "ratio_to_greedy": rate / greedy_rate})
        print(f"{name:<42}{rate:>13,.0f}{rate / greedy_rate:>18.2f}x")
    write_result(args.out, {"n": args.n, "repeats": args.repeats, "rows": rows})


if __name__ == "__main__":
    main()
