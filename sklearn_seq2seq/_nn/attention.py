"""Attention scores of Bahdanau (additive) and Luong (dot, general) form, vectorised over queries."""

from __future__ import annotations

import torch
from torch import nn

ATTENTION_KINDS = ("additive", "dot", "general")


class Attention(nn.Module):
    """Attention of many queries over a memory, with a padding mask.

    Every query is scored at once, so a teacher-forced decoder attends for all its steps in one call.

    Parameters
    ----------
    kind : {"additive", "dot", "general"}
        ``additive``: ``v^T tanh(W_q q + W_k k)`` (Bahdanau); ``dot``: ``q . k`` scaled by ``1/sqrt(d)``;
        ``general``: ``q^T W k`` (Luong).
    size : int
        Size of queries and memory vectors.
    """

    def __init__(self, kind: str, size: int) -> None:
        super().__init__()
        self.kind = kind
        self.scale = size**-0.5
        if kind == "additive":
            self.query_proj = nn.Linear(size, size, bias=False)
            self.key_proj = nn.Linear(size, size)
            self.energy = nn.Linear(size, 1, bias=False)
        elif kind == "general":
            self.key_proj = nn.Linear(size, size, bias=False)
        elif kind != "dot":
            raise ValueError(f"Unknown attention kind {kind!r}; expected one of {ATTENTION_KINDS}.")

    def forward(
        self, queries: torch.Tensor, memory: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend with ``queries`` (B, Tq, D) over ``memory`` (B, Tk, D).

        ``mask`` (B, Tk) is true on real memory entries. Returns the contexts (B, Tq, D) and the weights
        (B, Tq, Tk), which are exactly zero on masked entries.
        """
        if self.kind == "additive":
            hidden = torch.tanh(self.query_proj(queries).unsqueeze(2) + self.key_proj(memory).unsqueeze(1))
            scores = self.energy(hidden).squeeze(-1)
        elif self.kind == "general":
            scores = torch.bmm(queries, self.key_proj(memory).transpose(1, 2)) * self.scale
        else:
            scores = torch.bmm(queries, memory.transpose(1, 2)) * self.scale
        if mask is not None:
            scores = scores.masked_fill(~mask.unsqueeze(1), float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        return torch.bmm(weights, memory), weights
