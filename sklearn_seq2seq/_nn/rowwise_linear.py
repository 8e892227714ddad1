"""A linear layer whose inference computes each row alone, for wide inputs (the kernel bank's)."""

from __future__ import annotations

import torch
from torch import nn


class RowwiseLinear(nn.Linear):
    """:class:`torch.nn.Linear` whose evaluation-mode output for a row does not depend on the other rows.

    CPU matrix-product libraries choose their kernels by the shape of the whole product, and for wide
    inputs (thousands of kernel bank features) the kernels chosen for a few rows sum in another order
    than those chosen for many: one sequence alone and the same sequence among 256 then differ in the
    last bits, a difference that padding inference batches to whole row blocks
    (``sklearn_seq2seq._inference``) does not remove on every CPU. In evaluation mode each row is
    therefore multiplied on its own (a batch of one-row products, every one of the same shape); in
    training, and in ONNX export (whose runtime chooses its own kernels), it is a plain linear layer.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x @ weight.T + bias`` for ``x`` (B, in_features), row by row in evaluation mode."""
        if self.training or torch.onnx.is_in_onnx_export():
            return super().forward(x)
        rows = x.shape[0]
        weight = self.weight.T.unsqueeze(0).expand(rows, -1, -1)
        return torch.baddbmm(self.bias.expand(rows, 1, -1), x.unsqueeze(1), weight).squeeze(1)
