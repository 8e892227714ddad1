"""Recurrent encoder over padded batches."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

RNN_CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}


class RecurrentEncoder(nn.Module):
    """GRU or LSTM encoder returning every timestep's state and the last layer's final state.

    Batches whose sequences are all full length run as one plain RNN call; batches with padding are
    packed, so padded steps never enter the recurrence.

    Parameters
    ----------
    n_features : int
        Features per input timestep.
    hidden_size : int
        Units per direction.
    cell : {"gru", "lstm"}
        Recurrent cell.
    num_layers : int
        Stacked layers.
    bidirectional : bool
        Whether to run a backward direction too; states are then ``2 * hidden_size`` wide.
    dropout : float
        Dropout between stacked layers.
    """

    def __init__(
        self, n_features: int, hidden_size: int, cell: str, num_layers: int, bidirectional: bool, dropout: float
    ) -> None:
        super().__init__()
        self.num_layers = num_layers
        self.num_directions = 2 if bidirectional else 1
        self.rnn = RNN_CELLS[cell](
            n_features,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.output_size = hidden_size * self.num_directions

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Encode ``x`` of shape (B, T, F).

        Returns
        -------
        states : Tensor of shape (B, T, output_size)
            Zero at padded steps.
        final : Tensor of shape (B, output_size)
            The last layer's final state (each direction's, concatenated).
        """
        n_steps = x.shape[1]
        if bool((lengths < n_steps).any()):
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            states, hidden = self.rnn(packed)
            states, _ = pad_packed_sequence(states, batch_first=True, total_length=n_steps)
        else:
            states, hidden = self.rnn(x)
        if isinstance(hidden, tuple):  # LSTM: (h, c)
            hidden = hidden[0]
        batch = x.shape[0]
        last = hidden.view(self.num_layers, self.num_directions, batch, -1)[-1]
        final = last.transpose(0, 1).reshape(batch, self.output_size)
        return states, final
