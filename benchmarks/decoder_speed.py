"""Decoder speed: our teacher-forced decoder vs a per-step additive-attention decoder (tutorial style).

Task: read a noisy multi-frequency series and output it reversed in time. Both models share the
encoder (our bidirectional encoder with the package's default cell, ``--cell`` to change it; ``hidden``
units per direction) and attend over the encoder states with the same decoder hidden size:

* ours: ``Seq2SeqModule(attend_over="encoder", attention=..., decoder_input="previous")`` with the
  default ``attention="general"`` (``--attention additive`` to compare the same score form) and the
  same ``--cell``; under teacher forcing the decoder is one RNN call plus attention batched over all
  steps;
* per-step: the decoder of the classic PyTorch translation tutorial's design, written here: at every
  step the previous hidden state attends over the encoder states, the context is concatenated to the
  previous target value and one GRU step is taken (a Python loop over time), as in the tutorial.

Both train for the same epochs with the same batches, optimiser and learning rate; each T alternates
the two contenders (after a warm-up) and reports the median time per epoch, the speed-up and the final
training loss of each.

    python benchmarks/decoder_speed.py             # T in 25 50 100 200, n=512, 3 epochs
    python benchmarks/decoder_speed.py --quick     # T=10, tiny (CI keeps the script working)

Prints a table and writes benchmarks/results/decoder_speed.json.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import torch
from torch import nn

from sklearn_seq2seq import Seq2SeqTransformer
from sklearn_seq2seq._nn import Seq2SeqModule
from sklearn_seq2seq._nn.encoder import RecurrentEncoder
from _cli import make_parser, machine_line, write_result


class PerStepAttentionDecoder(nn.Module):
    """Bahdanau decoder stepping through time: attention from the previous hidden state at each step."""

    def __init__(self, n_features: int, hidden: int, encoder_size: int, cell: str) -> None:
        super().__init__()
        self.encoder = RecurrentEncoder(n_features, hidden, cell, 1, True, 0.0)
        self.key = nn.Linear(encoder_size, hidden)
        self.query = nn.Linear(hidden, hidden, bias=False)
        self.energy = nn.Linear(hidden, 1, bias=False)
        self.init = nn.Linear(encoder_size, hidden)
        self.cell = nn.GRUCell(n_features + encoder_size, hidden)
        self.out = nn.Linear(hidden, n_features)

    def forward(self, x, lengths, target):
        states, final = self.encoder(x, lengths)
        keys = self.key(states)
        h = torch.tanh(self.init(final))
        previous = torch.zeros_like(target[:, 0])
        outputs = []
        for t in range(target.shape[1]):
            scores = self.energy(torch.tanh(keys + self.query(h).unsqueeze(1))).squeeze(-1)
            context = torch.bmm(torch.softmax(scores, dim=1).unsqueeze(1), states).squeeze(1)
            h = self.cell(torch.cat([previous, context], dim=1), h)
            outputs.append(self.out(h))
            previous = target[:, t]  # teacher forcing
        return torch.stack(outputs, dim=1)


class Ours(nn.Module):
    def __init__(self, n_features: int, hidden: int, attention: str, cell: str) -> None:
        super().__init__()
        self.model = Seq2SeqModule(
            n_features, n_features, n_components=32, hidden_size=hidden, cell=cell, attention=attention,
            attend_over="encoder", decoder_input="previous",
        )

    def forward(self, x, lengths, target):
        return self.model(x, lengths, target=target)


def make_data(n: int, T: int, seed: int = 0):
    rng = np.random.RandomState(seed)
    t = np.arange(T)[None, :, None]
    x = np.sin(rng.uniform(0.05, 0.4, (n, 1, 2)) * t + rng.uniform(0, 6, (n, 1, 2))).sum(axis=2, keepdims=True)
    x = np.concatenate([x, 0.1 * rng.normal(size=x.shape)], axis=2).astype(np.float32)
    return torch.as_tensor(x), torch.as_tensor(x[:, ::-1].copy())


def train_epoch(module, optimizer, x, y, batch_size, order):
    lengths = torch.full((batch_size,), x.shape[1], dtype=torch.int64)
    total = 0.0
    for start in range(0, len(x), batch_size):
        idx = order[start : start + batch_size]
        loss = torch.mean((module(x[idx], lengths[: len(idx)], y[idx]) - y[idx]) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    return total / len(x)


def main() -> None:
    parser = make_parser(__doc__, "decoder_speed")
    parser.add_argument("--timesteps", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--attention", default="general", choices=["general", "dot", "additive"],
                        help="score form of our decoder (the per-step contender is always additive)")
    parser.add_argument("--cell", default=Seq2SeqTransformer().cell, choices=["gru", "lstm"],
                        help="cell of the shared encoder and of our decoder (default: the package's default)")
    args = parser.parse_args()
    if args.quick:
        args.timesteps, args.n, args.epochs = [10], 64, 1

    print(f"{machine_line()}  ours: attention={args.attention}  "
          f"cell={args.cell}  "
          f"n={args.n} hidden={args.hidden} "
          f"epochs={args.epochs} batch={args.batch_size}")
    print(f"{'T':>5}{'ours s/epoch':>14}{'per-step s/epoch':>18}{'speed-up':>10}{'ours loss':>11}{'per-step loss':>15}")
    rows = []
    for T in args.timesteps:
        x, y = make_data(args.n, T)
        torch.manual_seed(0)
        models = {"ours": Ours(2, args.hidden, args.attention, args.cell),
                  "per_step": PerStepAttentionDecoder(2, args.hidden, 2 * args.hidden, args.cell)}
        optimizers = {k: torch.optim.Adam(m.parameters(), lr=3e-3) for k, m in models.items()}
        for name in models:  # warm-up on one batch
            train_epoch(models[name], optimizers[name], x[: args.batch_size], y[: args.batch_size], args.batch_size,
                        torch.arange(args.batch_size))
        times = {k: [] for k in models}
        losses = {}
        for _ in range(args.epochs):
            order = torch.randperm(args.n)
            for name in models:  # alternate A B A B
                start = time.perf_counter()
                losses[name] = train_epoch(models[name], optimizers[name], x, y, args.batch_size, order)
                times[name].append(time.perf_counter() - start)
        med = {k: statistics.median(v) for k, v in times.items()}
        row = dict(T=T, ours_s_per_epoch=med["ours"], per_step_s_per_epoch=med["per_step"],
                   speedup=med["per_step"] / med["ours"], ours_loss=losses["ours"], per_step_loss=losses["per_step"])
        rows.append(row)
        print(f"{T:>5}{med['ours']:>14.3f}{med['per_step']:>18.3f}{row['speedup']:>9.2f}x"
              f"{losses['ours']:>11.4f}{losses['per_step']:>15.4f}", flush=True)
    write_result(args.out, {"args": vars(args), "attention": args.attention, "cell": args.cell, "rows": rows})


if __name__ == "__main__":
    main()
