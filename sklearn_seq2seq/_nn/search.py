"""Beam search over a token decoder, with backpointers (greedy decoding is a beam of one)."""

from __future__ import annotations

from typing import Any

import torch


def beam_search(
    decoder: Any,
    code: torch.Tensor,
    memory: torch.Tensor,
    memory_mask: torch.Tensor | None,
    max_steps: int,
    beam_width: int = 1,
    length_normalization: float = 1.0,
    *,
    return_attention: bool = False,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Generate token ids by beam search.

    Every sequence keeps its ``beam_width`` best partial hypotheses by total log-probability; a
    hypothesis ends at the end symbol and then only continues with padding at no cost. Decoding stops
    when every hypothesis has ended, or after ``max_steps``. The hypothesis returned has the best
    log-probability divided by ``length ** length_normalization`` (its length counting the end symbol),
    so 0 compares total log-probabilities and 1 per-token averages. Padding and the start symbol are
    never generated.

    Each step keeps only the chosen tokens and their backpointers (which hypothesis of the previous
    step each one extends); the best hypothesis is read back through them at the end. Attention
    weights are kept only with ``return_attention``, each step's row taken from the hypothesis that
    produced the token.

    Parameters
    ----------
    decoder : AttentionDecoder
        A decoder of token outputs (``n_tokens``, ``pad_id``, ``start_id``, ``end_id``, ``step``,
        ``select_states``, ``initial_state``, ``start_inputs``).
    code : Tensor of shape (B, n_components)
    memory : Tensor of shape (B, K, hidden_size)
    memory_mask : Tensor of shape (B, K) or None
    max_steps : int
    beam_width : int, default=1
    length_normalization : float, default=1.0
    return_attention : bool, default=False

    Returns
    -------
    ids : Tensor of shape (B, max_steps), dtype long
        The best hypothesis of each sequence, the end symbol included, padded with ``pad_id``.
    weights : Tensor of shape (B, max_steps, K) or None
        Its attention weights (zeros after it ended), with ``return_attention`` and attention only.
    """
    batch, width, n_ids = code.shape[0], beam_width, decoder.n_tokens
    device = code.device
    flat = torch.arange(batch, device=device).repeat_interleave(width)
    state = decoder.select_states(decoder.initial_state(code), flat)
    memory = memory[flat]
    memory_mask = None if memory_mask is None else memory_mask[flat]
    scores = code.new_full((batch, width), float("-inf"))
    scores[:, 0] = 0.0  # one live hypothesis to start with; the others fill in at the first step
    finished = torch.zeros(batch, width, dtype=torch.bool, device=device)
    lengths = torch.zeros(batch, width, device=device)
    ended_row = code.new_full((n_ids,), float("-inf"))
    ended_row[decoder.pad_id] = 0.0
    never = torch.tensor([decoder.pad_id, decoder.start_id], device=device)
    row_base = torch.arange(batch, device=device).unsqueeze(1) * width
    tokens: list[torch.Tensor] = []  # (B, W) per step: the token each hypothesis ends with
    origins: list[torch.Tensor] = []  # (B, W) per step: the hypothesis of the step before it extends
    step_weights: list[torch.Tensor] = []  # (B, W, K) per step, with return_attention only
    previous = decoder.start_inputs(batch * width, code)
    for _ in range(max_steps):
        logits, weights, state = decoder.step(previous, state, memory, memory_mask)
        log_p = torch.log_softmax(logits.float(), dim=-1).view(batch, width, n_ids)
        log_p[:, :, never] = float("-inf")
        log_p = torch.where(finished.unsqueeze(-1), ended_row, log_p)
        top, index = (scores.unsqueeze(-1) + log_p).view(batch, -1).topk(width, dim=-1)
        origin, token = index // n_ids, index % n_ids
        rows = (row_base + origin).view(-1)  # the flat rows the new hypotheses come from
        state = decoder.select_states(state, rows)
        was_finished = finished.gather(1, origin)
        tokens.append(token)
        origins.append(origin)
        if return_attention and weights is not None:
            produced_by = weights[rows].view(batch, width, -1)  # the rows that scored these tokens
            step_weights.append(torch.where(was_finished.unsqueeze(-1), 0.0, produced_by))
        lengths = lengths.gather(1, origin) + (~was_finished).float()
        finished = was_finished | (token == decoder.end_id)
        scores = top
        if bool(finished.all()):
            break
        previous = token.view(-1, 1)
    best = (scores / lengths.clamp_min(1.0) ** length_normalization).argmax(dim=1)
    return _backtrack(best, tokens, origins, step_weights, max_steps, decoder.pad_id, memory.shape[1])


def _backtrack(
    best: torch.Tensor,
    tokens: list[torch.Tensor],
    origins: list[torch.Tensor],
    step_weights: list[torch.Tensor],
    max_steps: int,
    pad_id: int,
    n_memory: int,
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Read the hypotheses ``best`` (B,) back through the backpointers: ids and attention rows."""
    batch = best.shape[0]
    ids = torch.full((batch, max_steps), pad_id, dtype=torch.long, device=best.device)
    weights = step_weights[0].new_zeros((batch, max_steps, n_memory)) if step_weights else None
    pick = torch.arange(batch, device=best.device)
    beam = best
    for t in range(len(tokens) - 1, -1, -1):
        ids[:, t] = tokens[t][pick, beam]
        if weights is not None:
            weights[:, t] = step_weights[t][pick, beam]
        beam = origins[t][pick, beam]
    return ids, weights
