"""Engine overhead: Seq2SeqTransformer.fit (skorch) vs a plain PyTorch loop over the same module.

Both train the same ``Seq2SeqModule`` on the same standardised data with the same batch size, epochs,
optimiser (Adam), learning rate and gradient clipping. Runs alternate (A B A B ...) after one warm-up
of each; the table gives medians and the ratio ours / plain loop (target <= 1.05).

    python benchmarks/engine_overhead.py                 # n=2000, T=50, F=3, hidden 64, 5 epochs, 3 pairs
    python benchmarks/engine_overhead.py --quick         # tiny sizes (CI keeps the script working)

Prints a table and writes benchmarks/results/engine_overhead.json.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import torch

from sklearn_seq2seq import Seq2SeqTransformer
from sklearn_seq2seq._nn import Seq2SeqModule
from _cli import make_parser, machine_line, write_result


def plain_loop(X: np.ndarray, params: dict, seed: int) -> float:
    """Train the estimator's module with a hand-written loop; returns the last epoch's mean loss."""
    torch.manual_seed(seed)
    x = torch.as_tensor(((X - X.mean(axis=(0, 1))) / X.std(axis=(0, 1))).astype(np.float32))
    lengths = torch.full((len(x),), x.shape[1], dtype=torch.int64)
    module = Seq2SeqModule(
        n_features=x.shape[2], n_outputs=x.shape[2], n_components=params["n_components"],
        hidden_size=params["hidden_size"], decoder_input="position",
    )
    optimizer = torch.optim.Adam(module.parameters(), lr=params["lr"])
    module.train()
    for _ in range(params["max_epochs"]):
        order = torch.randperm(len(x))
        losses = []
        for start in range(0, len(x), params["batch_size"]):
            idx = order[start : start + params["batch_size"]]
            loss = torch.mean((module(x[idx], lengths[idx], target=x[idx]) - x[idx]) ** 2)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)
            optimizer.step()
            losses.append(loss.item())
    return float(np.mean(losses))


def ours(X: np.ndarray, params: dict, seed: int) -> float:
    model = Seq2SeqTransformer(**params, decoder_input="position", random_state=seed).fit(X)
    return float(model.history_[-1, "train_loss"])


def main() -> None:
    parser = make_parser(__doc__, "engine_overhead")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--timesteps", type=int, default=50)
    parser.add_argument("--features", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.n, args.timesteps, args.epochs, args.pairs = 128, 10, 1, 1

    rng = np.random.RandomState(0)
    t = np.arange(args.timesteps)[None, :, None]
    X = np.sin(rng.uniform(0.1, 0.5, (args.n, 1, args.features)) * t + rng.uniform(0, 6, (args.n, 1, args.features)))
    X = X + 0.1 * rng.normal(size=X.shape)
    params = dict(n_components=32, hidden_size=args.hidden, max_epochs=args.epochs, batch_size=args.batch_size, lr=3e-3)
    contenders = {"sklearn_seq2seq fit (skorch)": ours, "plain PyTorch loop": plain_loop}
    for fn in contenders.values():  # warm-up: imports, allocator, thread pools
        fn(X[: min(256, args.n)], {**params, "max_epochs": 1}, 0)
    times = {name: [] for name in contenders}
    losses = {}
    for _ in range(args.pairs):
        for name, fn in contenders.items():
            start = time.perf_counter()
            losses[name] = fn(X, params, 0)
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(v) for name, v in times.items()}
    ratio = medians["sklearn_seq2seq fit (skorch)"] / medians["plain PyTorch loop"]
    print(f"{machine_line()}  n={args.n} T={args.timesteps} "
          f"F={args.features} hidden={args.hidden} epochs={args.epochs} batch={args.batch_size} pairs={args.pairs}")
    print(f"{'contender':<32}{'median s':>10}{'last-epoch loss':>17}")
    for name in contenders:
        print(f"{name:<32}{medians[name]:>10.2f}{losses[name]:>17.4f}")
    print(f"ratio ours / plain loop: {ratio:.3f} (target <= 1.05)")
    write_result(args.out, {"args": vars(args), "times_s": times, "median_s": medians, "ratio": ratio,
                            "last_epoch_loss": losses,
                            "rows": [{"contender": k, "median_s": v} for k, v in medians.items()]})


if __name__ == "__main__":
    main()
