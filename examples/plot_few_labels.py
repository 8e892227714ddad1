"""
Classifying with few labels: unlabelled sequences help
======================================================

Labels are often the scarce part: many recordings, few of them annotated. A
:class:`~sklearn_seq2seq.Seq2SeqClassifier` takes every training sequence: it first trains an
autoencoder on all of them (``pretrain="auto"``, as a ``Seq2SeqTransformer`` would) and starts from
it, and then keeps learning to reconstruct them while the labelled ones (any label but ``-1``, the
convention of :mod:`sklearn.semi_supervised`) also train its classification head, and confidently
classified unlabelled ones train it through pseudo-labels. Here the digits are read as 8 steps of 8 pixels, a
growing fraction of the training labels is kept, and the classifier is compared with references that
see only the labelled images (a logistic regression and 1-nearest-neighbour on the pixels) and with
:class:`~sklearn.semi_supervised.LabelSpreading`, which uses the unlabelled images too.
Figures on the real series of the development suite are in ``benchmarks/README.md``.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.semi_supervised import LabelSpreading

from sklearn_seq2seq import Seq2SeqClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
sequences_train, sequences_test = X_train.reshape(-1, 8, 8), X_test.reshape(-1, 8, 8)

counts = [30, 60, 135, 1347]  # labelled training images, out of 1,347
scores = {"Seq2SeqClassifier (all images, few labelled)": [], "LabelSpreading (all images)": [],
          "1-NN (labelled only)": [], "LogisticRegression (labelled only)": []}
for n_labels in counts:
    y_few = np.where(np.arange(len(y_train)) < n_labels, y_train, -1)
    start = time.perf_counter()
    model = Seq2SeqClassifier(random_state=0).fit(sequences_train, y_few)
    seconds = time.perf_counter() - start
    scores["Seq2SeqClassifier (all images, few labelled)"].append(model.score(sequences_test, y_test))
    spreading = make_pipeline(StandardScaler(), LabelSpreading(kernel="knn", n_neighbors=7)).fit(X_train, y_few)
    scores["LabelSpreading (all images)"].append(spreading.score(X_test, y_test))
    labelled = slice(0, n_labels)
    scores["1-NN (labelled only)"].append(
        KNeighborsClassifier(1).fit(X_train[labelled], y_train[labelled]).score(X_test, y_test))
    scores["LogisticRegression (labelled only)"].append(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
        .fit(X_train[labelled], y_train[labelled]).score(X_test, y_test))
    print(f"{n_labels:5d} labels: " + ", ".join(f"{name.split(' ')[0]} {values[-1]:.3f}"
                                                 for name, values in scores.items()) + f" (our fit {seconds:.0f} s)")

fig, ax = plt.subplots(figsize=(6.5, 4))
for (name, values), marker in zip(scores.items(), "osv^"):
    ax.plot(counts, values, marker=marker, label=name)
ax.set_xscale("log")
ax.set_xticks(counts, [f"{n}\n({n / len(y_train):.0%})" for n in counts])
ax.set_xlabel("labelled training images (fraction of 1,347)")
ax.set_ylabel("test accuracy")
ax.set_title("Digits: accuracy against the labels given")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
