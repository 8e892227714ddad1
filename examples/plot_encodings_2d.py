"""
Encodings in two dimensions
===========================

The 32-number encodings that a :class:`~sklearn_seq2seq.Seq2SeqTransformer` learns from digits (read
as 8 steps x 8 features, without the labels) are projected to two dimensions with t-SNE and
coloured by digit. Classes that form separate clusters are easy for a downstream classifier; the
same projection of an untrained model shows what training added.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.manifold import TSNE

from sklearn_seq2seq import Seq2SeqTransformer

X, y = load_digits(return_X_y=True)
X, y = X[:800].reshape(-1, 8, 8), y[:800]

trained = Seq2SeqTransformer(random_state=0).fit(X)
untrained = Seq2SeqTransformer(max_epochs=1, lr=1e-12, random_state=0).fit(X)  # weights as initialised

fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
for ax, (name, model) in zip(axes, [("trained encoder", trained), ("untrained encoder", untrained)]):
    points = TSNE(n_components=2, random_state=0, init="pca").fit_transform(model.transform(X))
    scatter = ax.scatter(points[:, 0], points[:, 1], c=y, cmap="tab10", s=8)
    ax.set_title(name)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("t-SNE of the 32-number encodings of 800 digits")
fig.colorbar(scatter, ax=axes, label="digit")
