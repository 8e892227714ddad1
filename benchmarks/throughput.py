"""Encoding throughput and memory: ``transform`` sequences per second, and peak memory against n.

Throughput: a model fitted (briefly) on T=50, F=3 sequences encodes n=20,000 sequences; median of 3
timed calls after a warm-up (target: >= 30,000 sequences/s on 2 cores). Memory: for each n a fresh
process builds the input, measures its peak resident memory before and during ``transform``, and
reports the growth (peak resident memory during ``transform`` minus resident memory before it, the
peak mark reset after the input is built) against the size of the input and of the output.

    python benchmarks/throughput.py                       # n = 10k and 100k for memory
    python benchmarks/throughput.py --memory-n 10000 100000 1000000
    python benchmarks/throughput.py --quick               # tiny (CI keeps the script working)

Prints a table and writes benchmarks/results/throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import joblib
import numpy as np
import torch

from sklearn_seq2seq import Seq2SeqTransformer

T, F = 50, 3


def make(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.RandomState(seed)
    return rng.normal(size=(n, T, F)).astype(np.float32)


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0  # kB
    raise RuntimeError(f"{field} not in /proc/self/status")


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0); False when not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def memory_child(model_path: str, n: int) -> None:
    """Run in a fresh process: print JSON with resident memory before and the peak during transform.

    The peak mark is reset after the input is built, so temporaries of building it do not hide growth.
    """
    model = joblib.load(model_path)
    model.transform(make(8))  # load code paths before measuring
    X = make(n)
    reset = reset_peak_rss()
    before = _status_mb("VmRSS")
    Z = model.transform(X)
    peak = _status_mb("VmHWM")
    print(json.dumps(dict(n=n, input_mb=X.nbytes / 2**20, output_mb=Z.nbytes / 2**20, rss_before_mb=before,
                          peak_during_mb=peak, growth_mb=peak - before, peak_reset=reset)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--memory-n", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "throughput.json"))
    args = parser.parse_args()
    if args.child:
        memory_child(args.child[0], int(args.child[1]))
        return
    if args.quick:
        args.n, args.memory_n = 500, [1000]

    model = Seq2SeqTransformer(max_epochs=1, random_state=0).fit(make(512))
    X = make(args.n)
    model.transform(X[:1000])  # warm-up
    times = []
    for _ in range(3):
        start = time.perf_counter()
        model.transform(X)
        times.append(time.perf_counter() - start)
    rate = args.n / statistics.median(times)
    print(f"cores={os.cpu_count()} torch_threads={torch.get_num_threads()}  T={T} F={F} "
          f"batch_size={model.batch_size} n_components={model.n_components}")
    print(f"transform throughput: {rate:,.0f} sequences/s (median of 3 calls on n={args.n}; target >= 30,000)")

    model_path = Path(args.out).with_suffix(".model.joblib")
    model_path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, model_path)
    memory = []
    print(f"{'n':>9}{'input MB':>10}{'output MB':>11}{'peak growth MB':>16}")
    try:
        for n in args.memory_n:
            out = subprocess.run([sys.executable, __file__, "--child", str(model_path), str(n)],
                                 check=True, capture_output=True, text=True).stdout
            row = json.loads(out.strip().splitlines()[-1])
            memory.append(row)
            print(f"{n:>9}{row['input_mb']:>10.1f}{row['output_mb']:>11.1f}{row['growth_mb']:>16.1f}", flush=True)
    finally:
        model_path.unlink(missing_ok=True)
    result = {"cores": os.cpu_count(), "torch_threads": torch.get_num_threads(), "n": args.n,
              "median_s": statistics.median(times), "sequences_per_s": rate, "memory": memory,
              "rows": [{"sequences_per_s": rate}]}
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
