"""What every benchmark script shares: its command line (``--quick``, ``--out``), the line that names
the machine, writing the JSON result with the machine's facts, and timing a call."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
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
