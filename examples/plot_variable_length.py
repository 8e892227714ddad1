"""
Classifying sequences of different lengths
==========================================

Waves of three shapes (sine, square, sawtooth) with lengths from 20 to 120 steps are given as a list
of ``(T_i, 1)`` arrays. The encoder packs each batch so that padding never enters the recurrence,
and the encodings of the whole variable-length sequences feed a logistic regression. Cutting every
sequence to the shortest length, the only option for fixed-length tools, is the reference. The figure
shows a few inputs and the accuracy of both.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sklearn_seq2seq import Seq2SeqTransformer

rng = np.random.RandomState(0)
shapes = [np.sin, lambda a: np.sign(np.sin(a)), lambda a: 2 * ((a / (2 * np.pi)) % 1) - 1]
X, y = [], []
for _ in range(450):
    label, length = rng.randint(3), rng.randint(20, 121)
    angle = rng.uniform(0.15, 0.5) * np.arange(length) + rng.uniform(0, 2 * np.pi)
    X.append((shapes[label](angle) + 0.3 * rng.normal(size=length))[:, None])
    y.append(label)
y = np.array(y)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


def accuracy(train, test):
    pipe = make_pipeline(Seq2SeqTransformer(n_components=16, max_epochs=30, random_state=0),
                         LogisticRegression(max_iter=2000))
    return pipe.fit(train, y_train).score(test, y_test)


ragged = accuracy(X_train, X_test)
shortest = min(len(x) for x in X)
truncated = accuracy(np.stack([x[:shortest] for x in X_train]), np.stack([x[:shortest] for x in X_test]))
print(f"ragged input: {ragged:.3f}; cut to {shortest} steps: {truncated:.3f}")

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5), gridspec_kw={"width_ratios": [2, 1]})
for i in range(4):
    left.plot(X[i][:, 0] + 3 * i, lw=1)
left.set_xlabel("step")
left.set_yticks([])
left.set_title("four inputs (offset), each its own length")
right.bar(["ragged", f"cut to {shortest}"], [ragged, truncated], color=["tab:green", "tab:gray"])
right.set_ylim(0, 1)
right.set_ylabel("test accuracy")
fig.tight_layout()
