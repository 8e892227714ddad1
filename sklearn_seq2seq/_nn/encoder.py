"""Recurrent encoder over padded batches."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

RNN_CELLS = {"gru": nn.GRU, "lstm": nn.LSTM}
#: One direction's weights of one layer of an ``nn.GRU``/``nn.LSTM``, in the order its functional op takes them.
_WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class RecurrentEncoder(nn.Module):
    """GRU or LSTM encoder returning every timestep's state and the last layer's final state.

    Steps that are padding in every sequence of a batch are cut off first. Batches whose sequences
    are then all full length run as one plain RNN call; batches with padding run each direction
    separately without packing on CPUs (:meth:`_run_per_direction`) and packed on GPUs, so padded steps
    never enter the recurrence either way. In an exported graph (``torch.export``, ONNX) every batch
    takes the unpacked path, which has no branch on the lengths' values.

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
        if torch.compiler.is_exporting():  # a graph for every batch: no branch on the lengths' values
            return self._run_per_direction(x, lengths)
        n_steps = x.shape[1]
        longest = int(lengths.max())
        x = x[:, :longest]  # steps that are padding in every sequence of the batch are never computed
        if bool((lengths < longest).any()):
            if x.device.type == "cpu":
                states, final = self._run_per_direction(x, lengths)
            else:
                states, final = self._run_packed(x, lengths)
        else:
            states, hidden = self.rnn(x)
            final = self._final(hidden, x.shape[0])
        if longest < n_steps:
            states = nn.functional.pad(states, (0, 0, 0, n_steps - longest))
        return states, final

    def _final(self, hidden, batch: int) -> torch.Tensor:
        """The last layer's final state of each direction, concatenated: (B, output_size)."""
        if isinstance(hidden, tuple):  # LSTM: (h, c)
            hidden = hidden[0]
        last = hidden.view(self.num_layers, self.num_directions, batch, -1)[-1]
        return last.transpose(0, 1).reshape(batch, self.output_size)

    def _run_packed(self, x: torch.Tensor, lengths: torch.Tensor):
        """Padded batch as a packed sequence (cuDNN's fast path on GPUs)."""
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        states, hidden = self.rnn(packed)
        states, _ = pad_packed_sequence(states, batch_first=True, total_length=x.shape[1])
        return states, self._final(hidden, x.shape[0])

    def _run_per_direction(self, x: torch.Tensor, lengths: torch.Tensor):
        """Padded batch without packing, with the same weights and the same result as packing.

        Each direction of each layer runs as one plain (unidirectional) RNN call over the padded
        batch: the forward direction reads each sequence from its start, so its states before the
        sequence's end never see padding; the backward direction reads each sequence reversed within
        its own length, so it starts at the sequence's last real step. Packed sequences are slower
        than plain ones on CPUs (figures in benchmarks/README.md), hence this path there. The calls are
        the functional forms that ``nn.GRU``/``nn.LSTM`` run, given one direction's weights, so no
        module state is touched and concurrent calls (threads) are safe.
        """
        lengths = lengths.to(x.device)
        # torch.export gives an RNN call's output the traced example's length, fixed; everything read from
        # it must take its length from the input instead (gathers by indices of the input's length do)
        exporting = torch.compiler.is_exporting()
        steps = torch.arange(x.shape[1], device=x.device).unsqueeze(0)
        last = (lengths - 1).unsqueeze(1)
        within = torch.where(steps <= last, last - steps, steps)  # reverses each sequence's real steps
        reverse_index = within.unsqueeze(-1)
        layer_input = x
        for layer in range(self.num_layers):
            outputs, finals = [], []
            for direction in range(self.num_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                weights = [getattr(self.rnn, name + suffix) for name in _WEIGHT_NAMES]
                seq = layer_input if direction == 0 else layer_input.gather(
                    1, reverse_index.expand(-1, -1, layer_input.shape[2]))
                out = self._run_one_direction(seq, weights)
                if direction:
                    out = out.gather(1, reverse_index.expand(-1, -1, out.shape[2]))  # back to time order
                    finals.append(out[:, 0])  # the backward direction ends at the first step
                else:
                    if exporting:  # the gather gives the output the input's symbolic length (see below)
                        out = out.gather(1, steps.unsqueeze(-1).expand(out.shape[0], -1, out.shape[2]))
                    finals.append(out.gather(1, last.unsqueeze(-1).expand(-1, 1, out.shape[2])).squeeze(1))
                outputs.append(out)
            layer_input = torch.cat(outputs, dim=-1)
            if self.rnn.dropout and self.training and layer < self.num_layers - 1:
                layer_input = nn.functional.dropout(layer_input, self.rnn.dropout, training=True)
        mask = (steps < lengths.unsqueeze(1)).unsqueeze(-1)
        return layer_input * mask, torch.cat(finals, dim=-1)

    def _run_one_direction(self, seq: torch.Tensor, weights: list[torch.Tensor]) -> torch.Tensor:
        """One single-layer, unidirectional pass of this encoder's cell over ``seq`` (B, T, F) from a
        zero state: the outputs (B, T, hidden_size)."""
        h0 = seq.new_zeros(1, seq.shape[0], self.rnn.hidden_size)
        if isinstance(self.rnn, nn.LSTM):
            return torch.lstm(seq, (h0, h0), weights, True, 1, 0.0, self.training, False, True)[0]
        return torch.gru(seq, h0, weights, True, 1, 0.0, self.training, False, True)[0]
