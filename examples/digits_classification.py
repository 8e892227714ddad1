"""
Digits as sequences: encodings + a linear classifier
====================================================

Each 8x8 digit image is read as a sequence of 8 timesteps with 8 features (its rows).
:class:`~sklearn_seq2seq.Seq2SeqTransformer` learns a 32-number encoding of each sequence as an
autoencoder (it never sees the labels), and a logistic regression classifies the encodings.
The same split is scored with raw pixels and PCA for reference.
"""

import time

from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_seq2seq import Seq2SeqTransformer

X, y = load_digits(return_X_y=True)
X = X.reshape(-1, 8, 8)  # (n_samples, n_timesteps, n_features)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def evaluate(name, first_step, n_train=None, flatten=False):
    """Fit ``first_step -> StandardScaler -> LogisticRegression`` and print the test accuracy."""
    shape = (-1, 64) if flatten else (-1, 8, 8)
    X_fit, y_fit = X_train[:n_train].reshape(shape), y_train[:n_train]
    pipe = make_pipeline(first_step, StandardScaler(), LogisticRegression(max_iter=5000))
    start = time.perf_counter()
    pipe.fit(X_fit, y_fit)
    seconds = time.perf_counter() - start
    accuracy = pipe.score(X_test.reshape(shape), y_test)
    print(f"{name:<52s} accuracy {accuracy:.3f}   fit {seconds:6.1f} s")
    return accuracy


print(f"digits: {len(X_train)} training and {len(X_test)} test sequences of 8 steps x 8 features\n")
evaluate("raw 64 pixels", "passthrough", flatten=True)
evaluate("PCA(32)", PCA(32, random_state=0), flatten=True)
evaluate("Seq2SeqTransformer(n_components=32)", Seq2SeqTransformer(n_components=32, random_state=0))
print()
evaluate("raw 64 pixels, first 60 training digits", "passthrough", n_train=60, flatten=True)
evaluate(
    "Seq2SeqTransformer, first 60 training digits",
    Seq2SeqTransformer(n_components=32, random_state=0),
    n_train=60,
)
