"""Attention heatmaps (needs matplotlib: ``pip install sklearn_seq2seq[plot]``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def plot_attention(
    weights: np.ndarray,
    *,
    output_labels: Sequence[str] | None = None,
    memory_labels: Sequence[str] | None = None,
    memory_name: str = "memory",
    ax: Any = None,
    title: str | None = None,
    cmap: str = "viridis",
):
    """Draw one sequence's attention weights as a heatmap.

    Parameters
    ----------
    weights : ndarray of shape (n_output_steps, n_memory)
        One entry of :meth:`Seq2SeqTransformer.attention_weights`; rows are output steps.
    output_labels, memory_labels : sequence of str, optional
        Tick labels of the rows (output steps) and columns (memory entries: input steps or latent
        slots); by default their indices.
    memory_name : str, default="memory"
        Label of the horizontal axis, e.g. ``"input step"`` or ``"latent slot"``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    title : str, optional
        Title of the plot.
    cmap : str, default="viridis"
        Colour map.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plot_attention needs matplotlib: pip install 'sklearn_seq2seq[plot]'.") from exc
    weights = np.asarray(weights)
    if weights.ndim != 2:
        raise ValueError(f"weights must be 2-D (n_output_steps, n_memory); got shape {weights.shape}.")
    n_out, n_mem = weights.shape
    for labels, n, what in ((output_labels, n_out, "output_labels"), (memory_labels, n_mem, "memory_labels")):
        if labels is not None and len(labels) != n:
            raise ValueError(f"{what} has {len(labels)} entries for {n} rows/columns of weights.")
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.3 * n_mem + 2), max(3.0, 0.25 * n_out + 1.5)))
    image = ax.imshow(weights, aspect="auto", cmap=cmap, vmin=0.0, vmax=float(max(weights.max(), 1e-12)))
    ax.figure.colorbar(image, ax=ax, label="attention weight")
    ax.set_xlabel(memory_name)
    ax.set_ylabel("output step")
    step_x = max(1, n_mem // 20)
    step_y = max(1, n_out // 20)
    ax.set_xticks(np.arange(0, n_mem, step_x))
    ax.set_yticks(np.arange(0, n_out, step_y))
    if memory_labels is not None:
        ax.set_xticklabels([memory_labels[i] for i in range(0, n_mem, step_x)], rotation=90)
    if output_labels is not None:
        ax.set_yticklabels([output_labels[i] for i in range(0, n_out, step_y)])
    if title:
        ax.set_title(title)
    return ax
