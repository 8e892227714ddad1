"""
Tuning with GridSearchCV
========================

The estimators are ordinary scikit-learn estimators, so a pipeline of encodings and a classifier is
tuned like any other: here the size of the encoding and the readout that computes it, scored by
3-fold cross-validated accuracy on digits. ``n_jobs=2`` runs the fits in two processes.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_seq2seq import Seq2SeqTransformer

X, y = load_digits(return_X_y=True)
X, y = X[:600].reshape(-1, 8, 8), y[:600]

pipe = make_pipeline(Seq2SeqTransformer(max_epochs=40, random_state=0), StandardScaler(),
                     LogisticRegression(max_iter=2000))
grid = {"seq2seqtransformer__n_components": [8, 16, 32], "seq2seqtransformer__readout": ["pool", "last"]}
search = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
print(f"best: {search.best_params_}, accuracy {search.best_score_:.3f}")

scores = search.cv_results_["mean_test_score"].reshape(len(grid["seq2seqtransformer__n_components"]), -1)
fig, ax = plt.subplots(figsize=(6, 4))
for j, readout in enumerate(grid["seq2seqtransformer__readout"]):
    ax.plot(grid["seq2seqtransformer__n_components"], scores[:, j], marker="o", label=f'readout="{readout}"')
ax.set_xscale("log", base=2)
ax.set_xticks(grid["seq2seqtransformer__n_components"], labels=[str(c) for c in grid["seq2seqtransformer__n_components"]])
ax.set_xlabel("n_components")
ax.set_ylabel("cross-validated accuracy")
ax.legend()
ax.set_title("GridSearchCV over a Seq2SeqTransformer pipeline")
fig.tight_layout()
