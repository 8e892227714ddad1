"""
Date normalisation: strings in, strings out
===========================================

Dates written in many ways ("tuesday 3 march 1998", "3/3/98", "March 3, 1998", ...) are normalised to
ISO 8601 ("1998-03-03") by a :class:`~sklearn_seq2seq.Seq2SeqTransformer` fitted on Python strings:
characters are tokens, the vocabularies are learned in ``fit``, and ``predict`` returns strings,
generated character by character until the end symbol, greedily or by beam search.

The decoder attends over the input characters (``attend_over="encoder"``), so the attention heatmap
shows which characters each output character was read from: the year digits from the year, the month
from the month's name or number.

The data are generated with :mod:`datetime` (no download). The heatmap is saved as
``date_normalisation_attention.png`` in the working directory. Run it with ``--quick`` for a smaller,
faster version (what the test suite runs).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time

import numpy as np

from sklearn_seq2seq import Seq2SeqTransformer, plot_attention


def _formats(date: dt.date) -> list[str]:
    """The ways one date is written (US month/day order for the slashed form, two-digit years
    between 1950 and 2049 so that they are unambiguous)."""
    weekday, month = date.strftime("%A"), date.strftime("%B")
    d, m, y = date.day, date.month, date.year
    return [
        f"{weekday.lower()} {d} {month.lower()} {y}",
        f"{m}/{d}/{y % 100:02d}",
        f"{month} {d}, {y}",
        f"{d:02d} {month[:3]} {y}",
        f"{d} {month.lower()} {y}",
        f"{weekday[:3]}, {month[:3]} {d}, {y}",
        f"{d:02d}.{m:02d}.{y}",
        f"{month.upper()} {d}, {y}",
        f"{y}/{m:02d}/{d:02d}",
        f"{d} {month[:3].lower()} {y % 100:02d}",
    ]


def make_dates(n: int, seed: int) -> tuple[list[str], list[str]]:
    """``n`` random dates between 1950 and 2049, each written in a random one of the formats."""
    rng = np.random.RandomState(seed)
    start, span = dt.date(1950, 1, 1).toordinal(), (dt.date(2049, 12, 31) - dt.date(1950, 1, 1)).days + 1
    dates = [dt.date.fromordinal(start + int(k)) for k in rng.randint(span, size=n)]
    written = [rng.choice(_formats(date)) for date in dates]
    return [str(w) for w in written], [date.isoformat() for date in dates]


def main(quick: bool = False) -> dict:
    n_train, n_test = (3000, 500) if quick else (12000, 2000)
    X, y = make_dates(n_train + n_test, seed=0)
    X_train, y_train, X_test, y_test = X[:n_train], y[:n_train], X[n_train:], y[n_train:]

    model = Seq2SeqTransformer(attend_over="encoder", random_state=0, max_epochs=5 if quick else "auto")
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start

    results = {"n_train": n_train, "n_test": n_test, "fit_seconds": round(fit_seconds, 1), "epochs": model.n_iter_}
    for beam_width in (1, 5):
        model.set_params(beam_width=beam_width)
        start = time.perf_counter()
        accuracy = model.score(X_test, y_test)  # exact match
        name = "greedy" if beam_width == 1 else f"beam{beam_width}"
        results[f"{name}_exact_match"] = round(accuracy, 4)
        results[f"{name}_seconds"] = round(time.perf_counter() - start, 2)
    model.set_params(beam_width=1)

    examples = ["tuesday 3 march 1998", "3/3/98", "March 3, 1998", "17.11.2026", "Sat, Jan 1, 2000"]
    for written, iso in zip(examples, model.predict(examples)):
        print(f"{written!r:>26} -> {iso}")
    print(json.dumps(results, indent=2))

    import matplotlib

    matplotlib.use("Agg")

    weights, output_labels, memory_labels = model.attention_weights(examples[:1], return_labels=True)
    visible = [label.replace(" ", "\u2423") for label in memory_labels[0]]  # show spaces as ␣
    ax = plot_attention(
        weights[0], output_labels=output_labels[0], memory_labels=visible,
        memory_name="input character", title=f"{examples[0]!r} -> {model.predict(examples[:1])[0]!r}",
    )
    path = "date_normalisation_attention.png"
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=120)  # the figure stays open for the documentation gallery
    print(f"attention heatmap saved to {path}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    main(**vars(parser.parse_args()))
