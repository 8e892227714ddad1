"""Encoding throughput and memory: ``transform`` sequences per second, and peak memory against n.

Throughput: models fitted (briefly) on T=50, F=3 sequences encode n=20,000 sequences; median of 3
alternating timed calls after a warm-up. Contenders: the default model, the other recurrent cell,
and the default without its kernel bank (what the bank costs). (One-sequence latency, and this checkout against an older one: ``benchmarks/latency.py``.)
Memory: for each n a fresh process builds the input, measures its peak resident memory before and
during ``transform``, and reports the growth (peak resident memory during ``transform`` minus
resident memory before it, the peak mark reset after the input is built) against the size of the
input and of the output.

    python benchmarks/throughput.py                       # n = 10k and 100k for memory
    python benchmarks/throughput.py --memory-n 10000 100000 1000000
    python benchmarks/throughput.py --quick               # tiny (CI keeps the script working)

Prints a table and writes benchmarks/results/throughput.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import joblib
import numpy as np

from sklearn_seq2seq import Seq2SeqTransformer
from _cli import make_parser, machine_line, write_result

T, F = 50, 3
DEFAULT_CELL = Seq2SeqTransformer().cell
CELLS = [DEFAULT_CELL] + [cell for cell in ("gru", "lstm") if cell != DEFAULT_CELL]


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
    parser = make_parser(__doc__, "throughput")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--memory-n", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        memory_child(args.child[0], int(args.child[1]))
        return
    n_fit = 512
    if args.quick:
        args.n, args.memory_n, n_fit = 200, [200], 64

    X = make(args.n)
    models = {cell: Seq2SeqTransformer(max_epochs=1, random_state=0, cell=cell).fit(make(n_fit)) for cell in CELLS}
    model = models[DEFAULT_CELL]
    contenders = {
        f"default ({DEFAULT_CELL})": model,
        **{f"cell={cell}": m for cell, m in models.items() if cell != DEFAULT_CELL},
        "kernel_bank=False": Seq2SeqTransformer(max_epochs=1, random_state=0, kernel_bank=False).fit(make(n_fit)),
    }
    for m in contenders.values():
        m.transform(X[:1000])  # warm-up
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(3):  # alternating
        for name, m in contenders.items():
            start = time.perf_counter()
            m.transform(X)
            times[name].append(time.perf_counter() - start)
    rates = {name: args.n / statistics.median(t) for name, t in times.items()}
    rate = rates[f"default ({DEFAULT_CELL})"]
    print(f"{machine_line()}  T={T} F={F} "
          f"batch_size={model.batch_size} n_components={model.n_components}  n={args.n}, median of 3 alternating calls")
    print(f"{'transform':<44}{'sequences/s':>12}{'vs default':>11}")
    for name, r in rates.items():
        print(f"{name:<44}{r:>12,.0f}{r / rate:>10.2f}x")
    print(f"default model: {rate:,.0f} sequences/s; without its kernel bank "
          f"{rates['kernel_bank=False'] / rate:.1f}x as many")

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
    write_result(args.out, {
        "n": args.n, "sequences_per_s": rate, "memory": memory,
        "rows": [{"contender": name, "median_s": statistics.median(times[name]), "sequences_per_s": r}
                 for name, r in rates.items()]})


if __name__ == "__main__":
    main()
