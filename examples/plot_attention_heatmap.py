"""
Attention you can see: a heatmap for one sequence
=================================================

A :class:`~sklearn_seq2seq.Seq2SeqRegressor` learns to output, at every step of a variable-length
input, the input's value three steps earlier (a delay line). Its decoder attends over the input
timesteps (``attend_over="encoder"``), so the attention weights show where it looks: a diagonal a
few steps behind the output step (the decoder's recurrent state can carry a step itself, so the
attention need not sit exactly three steps back; 120 epochs put it four back on most steps). The
figure is saved as ``attention_heatmap.png``.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sklearn_seq2seq import Seq2SeqRegressor, plot_attention

rng = np.random.RandomState(0)
X = [rng.normal(size=(rng.randint(15, 30), 1)) for _ in range(400)]
Y = [np.vstack([np.zeros((3, 1)), x[:-3]]) for x in X]  # y[t] = x[t - 3]

model = Seq2SeqRegressor(attend_over="encoder", attention="general", max_epochs=120, random_state=0).fit(X[:300], Y[:300])
print(f"R^2 on held-out sequences: {model.score(X[300:], Y[300:]):.3f}")

x = X[300]
weights = model.attention_weights([x])[0]  # (output steps, input steps) of this sequence only
lag = np.arange(len(x)) - weights.argmax(axis=1)
typical = int(np.median(lag))
share = np.mean(lag == typical)
print(f"sequence of {len(x)} steps; output step t looks most at input step t - {typical} "
      f"({share:.0%} of the output steps)")
ax = plot_attention(weights, memory_name="input step", title="Delay line: attention of each output step")
plt.tight_layout()
plt.savefig("attention_heatmap.png", dpi=100)  # the figure stays open for the documentation gallery
print("saved attention_heatmap.png")
