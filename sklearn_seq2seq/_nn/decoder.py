"""Recurrent decoder with attention, vectorised over time wherever its inputs are known in advance."""

from __future__ import annotations

import torch
from torch import nn

from .attention import Attention
from .encoder import RNN_CELLS
from .positions import sinusoids
from .search import beam_search

DECODER_INPUTS = ("position", "previous", "zeros")
N_POSITION_FEATURES = 16


def position_features(n_steps: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """Sinusoidal features of the absolute step index, shape (n_steps, N_POSITION_FEATURES)."""
    return torch.cat(sinusoids(n_steps, N_POSITION_FEATURES, 1000.0, device, dtype), dim=1)


class AttentionDecoder(nn.Module):
    """Decoder that starts from the code and attends over a memory after each recurrent step.

    The attention follows the recurrent step (Luong's placement) whatever the score form, so a
    teacher-forced or non-autoregressive decoder runs as one RNN call plus batched attention.

    Parameters
    ----------
    n_outputs : int
        Features per output step.
    n_components : int
        Size of the code the initial state is computed from.
    hidden_size : int
        Units of the decoder RNN; the memory has the same width.
    cell : {"gru", "lstm"}
        Recurrent cell.
    num_layers : int
        Stacked layers.
    dropout : float
        Dropout between stacked layers.
    attention : {"additive", "dot", "general", "none"}
        Attention score form, or no attention.
    decoder_input : {"position", "previous", "zeros"}
        What each step reads: positional features of the step index, the previous output (the target
        under teacher forcing, the model's own prediction when generating), or nothing.
    n_tokens : int or None, default=None
        Token outputs: the size of the target id space. The decoder then outputs ``n_tokens`` logits per
        step, reads the previous token through an embedding (starting from the start symbol) and generates with
        :meth:`search`; ``n_outputs`` is ignored.
    embedding_dim : int, default=32
        Size of the token embedding (token outputs only).
    pad_id, start_id, end_id : int or None, default=None
        Token outputs: the ids of padding (never generated, the embedding's padding index), of the
        start symbol (the first step's previous token, never generated) and of the end symbol.
    """

    def __init__(
        self,
        n_outputs: int,
        n_components: int,
        hidden_size: int,
        cell: str,
        num_layers: int,
        dropout: float,
        attention: str,
        decoder_input: str,
        n_tokens: int | None = None,
        embedding_dim: int = 32,
        pad_id: int | None = None,
        start_id: int | None = None,
        end_id: int | None = None,
    ) -> None:
        super().__init__()
        if decoder_input not in DECODER_INPUTS:
            raise ValueError(f"Unknown decoder_input {decoder_input!r}; expected one of {DECODER_INPUTS}.")
        if n_tokens is not None and decoder_input != "previous":
            raise ValueError("Token outputs are generated one token after another: use decoder_input='previous'.")
        if n_tokens is not None and None in (pad_id, start_id, end_id):
            raise ValueError("Token outputs need the ids of the padding, start and end symbols.")
        self.pad_id, self.start_id, self.end_id = pad_id, start_id, end_id
        self.decoder_input = decoder_input
        self.n_tokens = n_tokens
        self.n_outputs = n_tokens if n_tokens is not None else n_outputs
        self.num_layers = num_layers
        self.hidden_size = hidden_size
        self.is_lstm = cell == "lstm"
        self.embed = None if n_tokens is None else nn.Embedding(n_tokens, embedding_dim, padding_idx=pad_id)
        previous_size = n_outputs if n_tokens is None else embedding_dim
        input_size = {"position": N_POSITION_FEATURES, "previous": previous_size, "zeros": 1}[decoder_input]
        self.rnn = RNN_CELLS[cell](
            input_size, hidden_size, num_layers=num_layers, batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.init_state = nn.Linear(n_components, num_layers * hidden_size)
        self.attention = None if attention == "none" else Attention(attention, hidden_size)
        self.combine = None if attention == "none" else nn.Linear(2 * hidden_size, hidden_size)
        self.out = nn.Linear(hidden_size, self.n_outputs)

    def initial_state(self, code: torch.Tensor):
        """Recurrent state computed from the code (and a zero cell state for an LSTM)."""
        h0 = torch.tanh(self.init_state(code)).view(code.shape[0], self.num_layers, self.hidden_size)
        h0 = h0.transpose(0, 1).contiguous()
        return (h0, torch.zeros_like(h0)) if self.is_lstm else h0

    def _static_inputs(self, batch: int, n_steps: int, like: torch.Tensor) -> torch.Tensor:
        if self.decoder_input == "position":
            feats = position_features(n_steps, like.device, like.dtype)
            return feats.unsqueeze(0).expand(batch, -1, -1)
        return like.new_zeros(batch, n_steps, 1)

    def start_inputs(self, batch: int, like: torch.Tensor) -> torch.Tensor:
        """The first step's previous output: zeros, or the start symbol."""
        if self.embed is None:
            return like.new_zeros(batch, 1, self.n_outputs)
        return torch.full((batch, 1), self.start_id, dtype=torch.long, device=like.device)

    def _step_input(self, previous: torch.Tensor) -> torch.Tensor:
        """What the RNN reads for previous outputs (B, T, n_outputs) or previous token ids (B, T)."""
        return previous if self.embed is None else self.embed(previous)

    def _feedback(self, out: torch.Tensor) -> torch.Tensor:
        """The model's own output as the next step's previous output (the most likely token for tokens)."""
        return out if self.embed is None else out.argmax(-1)

    def _readout(self, rnn_out, memory, memory_mask):
        """Attention after the RNN, then the output layer; returns (outputs, attention weights or None)."""
        if self.attention is None:
            return self.out(rnn_out), None
        context, weights = self.attention(rnn_out, memory, memory_mask)
        features = torch.tanh(self.combine(torch.cat([rnn_out, context], dim=-1)))
        return self.out(features), weights

    def forward(
        self,
        code: torch.Tensor,
        memory: torch.Tensor,
        memory_mask: torch.Tensor | None,
        n_steps: int,
        target: torch.Tensor | None = None,
        teacher_forcing: float = 1.0,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Decode ``n_steps`` steps.

        Parameters
        ----------
        code : Tensor of shape (B, n_components)
        memory : Tensor of shape (B, K, hidden_size)
            What the attention reads.
        memory_mask : Tensor of shape (B, K) or None
            True on real memory entries.
        n_steps : int
            Steps to produce.
        target : Tensor of shape (B, n_steps, n_outputs), or (B, n_steps) token ids, optional
            The target, read as previous outputs under teacher forcing (``decoder_input="previous"``).
        teacher_forcing : float
            Probability of reading the target rather than the model's own previous prediction.

        Returns
        -------
        outputs : Tensor of shape (B, n_steps, n_outputs)
            Values, or logits over the ``n_tokens`` ids for token outputs.
        weights : Tensor of shape (B, n_steps, K) or None
        """
        batch = code.shape[0]
        state = self.initial_state(code)
        if self.decoder_input != "previous":
            rnn_out, _ = self.rnn(self._static_inputs(batch, n_steps, code), state)
            return self._readout(rnn_out, memory, memory_mask)
        start = self.start_inputs(batch, code)
        if target is not None and teacher_forcing >= 1.0:
            previous = torch.cat([start, target[:, :-1]], dim=1)
            rnn_out, _ = self.rnn(self._step_input(previous), state)
            return self._readout(rnn_out, memory, memory_mask)
        return self._generate(start, state, memory, memory_mask, n_steps, target, teacher_forcing)

    def _generate(self, previous, state, memory, memory_mask, n_steps, target, teacher_forcing):
        """Step-by-step decoding feeding back predictions (mixed with the target when given)."""
        outputs, weights = [], []
        for t in range(n_steps):
            rnn_out, state = self.rnn(self._step_input(previous), state)
            out, w = self._readout(rnn_out, memory, memory_mask)
            outputs.append(out)
            if w is not None:
                weights.append(w)
            previous = self._feedback(out).detach()
            if target is not None and teacher_forcing > 0.0:
                shape = (out.shape[0],) + (1,) * (previous.dim() - 1)
                use_target = torch.rand(shape, device=out.device) < teacher_forcing
                previous = torch.where(use_target, target[:, t : t + 1], previous)
        return torch.cat(outputs, dim=1), (torch.cat(weights, dim=1) if weights else None)

    def select_states(self, state, index: torch.Tensor):
        """The recurrent state (an LSTM's ``(h, c)`` pair alike) of the batch rows ``index``."""
        return tuple(s[:, index] for s in state) if self.is_lstm else state[:, index]

    def step(self, previous: torch.Tensor, state, memory: torch.Tensor, memory_mask: torch.Tensor | None):
        """One generation step from the previous outputs (B, 1, n_outputs) or token ids (B, 1).

        Returns
        -------
        outputs : Tensor of shape (B, n_outputs)
            Values, or logits over the ids for token outputs.
        weights : Tensor of shape (B, K) or None
            This step's attention weights.
        state
            The recurrent state after the step.
        """
        rnn_out, state = self.rnn(self._step_input(previous), state)
        out, weights = self._readout(rnn_out, memory, memory_mask)
        return out[:, 0], (None if weights is None else weights[:, 0]), state

    def search(
        self,
        code: torch.Tensor,
        memory: torch.Tensor,
        memory_mask: torch.Tensor | None,
        max_steps: int,
        beam_width: int = 1,
        length_normalization: float = 1.0,
        return_attention: bool = False,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Generate token ids by beam search (``beam_width=1`` is greedy decoding); see
        :func:`~sklearn_seq2seq._nn.search.beam_search`."""
        if self.embed is None:
            raise RuntimeError("search() generates tokens; this decoder outputs numbers.")
        return beam_search(self, code, memory, memory_mask, max_steps, beam_width, length_normalization,
                           return_attention=return_attention)
