"""
Encodings of real sensor series (Trace)
=======================================

Trace is a public time-series set of simulated nuclear-plant instrument signals: 275 steps each, 4
classes, 100 training and 100 test series (the copy that ``tslearn`` ships, read here from its file, so
nothing is downloaded). A :class:`~sklearn_seq2seq.Seq2SeqTransformer` with its defaults learns
32-number encodings from the training series alone (no labels); a logistic regression on them is
compared with the same classifier on the raw values. The figure shows the training series by class and
the test encodings projected to two dimensions with PCA. Figures for the whole development suite,
beside MiniRocket, are in ``docs/defaults.md``.
"""

import os
import time
from importlib.util import find_spec

import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_seq2seq import Seq2SeqTransformer

data = np.load(os.path.join(os.path.dirname(find_spec("tslearn").origin), ".cached_datasets", "Trace.npz"))
X_train, y_train, X_test, y_test = (data[k] for k in ("X_train", "y_train", "X_test", "y_test"))
print("training series:", X_train.shape)  # (100, 275, 1)

encoder = Seq2SeqTransformer(n_components=32, random_state=0)
pipe = make_pipeline(encoder, StandardScaler(), LogisticRegression(max_iter=5000))
start = time.perf_counter()
pipe.fit(X_train, y_train)
print(f"encodings: accuracy {pipe.score(X_test, y_test):.3f}, fit {time.perf_counter() - start:.1f} s "
      f"({encoder.frame_length_} steps per frame)")
raw = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(X_train[:, :, 0], y_train)
print(f"raw values: accuracy {raw.score(X_test[:, :, 0], y_test):.3f}")

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
colors = plt.cm.tab10(np.arange(4))
for label, color in zip(np.unique(y_train), colors):
    axes[0].plot(X_train[y_train == label, :, 0].T, color=color, alpha=0.3, lw=0.8)
axes[0].set_title("training series, coloured by class")
axes[0].set_xlabel("step")
points = PCA(n_components=2).fit_transform(encoder.transform(X_test))
for label, color in zip(np.unique(y_test), colors):
    axes[1].scatter(*points[y_test == label].T, color=color, s=12, label=f"class {label}")
axes[1].set_title("test encodings (PCA of 32 numbers)")
axes[1].legend(loc="best", fontsize=8)
fig.tight_layout()
plt.show()
