"""What every benchmark script shares: its command line (``--quick``, ``--out``, ``--seeds``), the line
that names the machine, writing the JSON result with the machine's facts, summarising results over
seeds, timing a call, and running a version of the package in a fresh process."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

RESULTS = Path(__file__).parent / "results"


def make_parser(doc: str, name: str, quick_help: str = "tiny sizes (CI runs this to keep the script working)"):
    """An argument parser showing the script's docstring, with ``--quick`` and ``--out`` (default
    ``results/<name>.json``); the script adds its own sizes."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--out", default=str(RESULTS / f"{name}.json"), help="where to write the JSON result")
    return parser


def add_seeds(parser: argparse.ArgumentParser, default: int = 1) -> None:
    """``--seeds N``: run every contender that takes a ``random_state`` with seeds 0 to N - 1."""
    parser.add_argument("--seeds", type=int, default=default,
                        help=f"run every contender that takes a random_state with seeds 0 to N - 1 (default {default})")


def over_seeds(rows: list[dict], group: tuple[str, ...], metric: str) -> list[dict]:
    """``metric`` of ``rows`` summarised over their ``"seed"`` within each group of equal ``group`` keys.

    Returns one dict per group, in the order the groups first appear: the group's keys, then ``metric``
    as the list of its values in seed order, ``mean_<metric>``, ``min_<metric>`` and ``max_<metric>``, and
    ``mean_fit_s`` where the rows have ``fit_s``. Rows whose ``metric`` is None (not run) are left out.
    """
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        if row.get(metric) is not None:
            groups.setdefault(tuple(row[key] for key in group), []).append(row)
    summary = []
    for key, members in groups.items():
        members = sorted(members, key=lambda row: row["seed"])
        values = [row[metric] for row in members]
        entry = {**dict(zip(group, key)), "seeds": [row["seed"] for row in members], metric: values,
                 f"mean_{metric}": round(statistics.fmean(values), 4), f"min_{metric}": min(values),
                 f"max_{metric}": max(values)}
        if all("fit_s" in row for row in members):
            entry["mean_fit_s"] = round(statistics.fmean(row["fit_s"] for row in members), 2)
        summary.append(entry)
    return summary


def print_over_seeds(summary: list[dict], group: tuple[str, ...], metric: str) -> None:
    """Print :func:`over_seeds`' summary as a markdown table: the group, the value of every seed, their
    mean and the mean fit seconds."""
    print(f"| {' | '.join(group)} | {metric} per seed | mean | fit s (mean) |")
    print("|" + "---|" * (len(group) + 3))
    for entry in summary:
        per_seed = " / ".join(f"{value:.3f}" for value in entry[metric])
        fit = f"{entry['mean_fit_s']:.1f}" if "mean_fit_s" in entry else ""
        print(f"| {' | '.join(str(entry[key]) for key in group)} | {per_seed} | {entry[f'mean_{metric}']:.3f} | {fit} |")


def machine() -> dict:
    """Core count, torch threads and versions: what a timing depends on."""
    return {"cores": os.cpu_count(), "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
            "python": platform.python_version()}


def machine_line() -> str:
    """The machine's facts as the first line of a table."""
    return " ".join(f"{key}={value}" for key, value in machine().items())


def write_result(out: str | Path, result: dict) -> None:
    """Write ``result`` with the machine's facts as JSON to ``out`` and say where."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({**machine(), **result}, indent=1))
    print(f"wrote {out}")


def median_ms(fn, calls: int) -> float:
    """The median wall time of ``calls`` calls of ``fn`` in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def run_worker(script: str | Path, package_dir: str | Path, *args: str) -> dict:
    """Run ``script --worker ARGS`` in a fresh process that imports the ``sklearn_seq2seq`` package held in
    ``package_dir`` (this checkout or another version's), and return the JSON its last line prints."""
    env = {**os.environ, "PYTHONPATH": str(package_dir)}
    out = subprocess.run([sys.executable, str(script), "--worker", *args], env=env, cwd=package_dir, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])
