"""
Deploying without Python: a whole pipeline as one ONNX graph
=============================================================

A service, an app or a database that runs ONNX models needs neither PyTorch nor scikit-learn. Here a
pipeline of a :class:`~sklearn_seq2seq.Seq2SeqTransformer`, a ``StandardScaler`` and a
``LogisticRegression`` is fitted on the digits (read as 8 steps of 8 pixels), converted by skl2onnx
after :func:`~sklearn_seq2seq.register_onnx_converters`, and run in onnxruntime: on the full test
images and on the same images cut to different lengths (one NaN-padded array, see
:func:`~sklearn_seq2seq.to_onnx_input`). The figure compares the probabilities of both runtimes and
their one-image latency. Every export method and what cannot be exported are on the deployment page;
the latency of each estimator is in ``benchmarks/README.md``.
"""

import statistics
import timeit

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
import skl2onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_seq2seq import Seq2SeqTransformer, register_onnx_converters, to_onnx_input

X, y = load_digits(return_X_y=True)
X = X.reshape(-1, 8, 8).astype(np.float32)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
pipe = make_pipeline(Seq2SeqTransformer(n_components=32, max_epochs=20, random_state=0),
                     StandardScaler(), LogisticRegression(max_iter=2000))
pipe.fit(X_train, y_train)

# %%
# Convert the fitted pipeline: one call registers our estimators' converters with skl2onnx. The input
# type says that batch size and length are free (skl2onnx would fix the length of a sample array).
register_onnx_converters()
any_length = [("X", FloatTensorType([None, None, 8]))]
onx = skl2onnx.to_onnx(pipe, initial_types=any_length, options={"zipmap": False})
session = ort.InferenceSession(onx.SerializeToString())
name = session.get_inputs()[0].name

# Full images, and the same images cut to 3-6 steps: a ragged list, NaN-padded into one array.
rng = np.random.default_rng(0)
ragged = [x[:n] for x, n in zip(X_test, rng.integers(3, 7, len(X_test)))]
results = {}
for label, inputs in (("full images", X_test), ("cut to 3-6 steps", ragged)):
    onnx_labels, onnx_proba = session.run(None, {name: to_onnx_input(pipe[0], inputs)})
    proba = pipe.predict_proba(inputs)
    results[label] = (proba, onnx_proba)
    print(f"{label}: labels equal {np.mean(onnx_labels == pipe.predict(inputs)):.3f}, "
          f"largest probability difference {np.abs(onnx_proba - proba).max():.1e}, "
          f"accuracy {np.mean(onnx_labels == y_test):.3f}")


one = X_test[:1]
calls = {"pipeline.predict_proba": lambda: pipe.predict_proba(one),
         "onnxruntime": lambda: session.run(None, {name: one})}
latency = {key: 1e3 * statistics.median(timeit.repeat(call, number=1, repeat=100)) for key, call in calls.items()}
print(", ".join(f"{key}: {value:.2f} ms" for key, value in latency.items()), "for one image")

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
for label, (proba, onnx_proba) in results.items():
    left.scatter(proba.ravel(), onnx_proba.ravel(), s=6, alpha=0.5, label=label)
left.plot([0, 1], [0, 1], color="black", linewidth=0.8)
left.set(xlabel="scikit-learn pipeline (PyTorch inside)", ylabel="onnxruntime",
         title="class probabilities, every test image and class")
left.legend()
right.bar(list(latency), list(latency.values()), color=["tab:blue", "tab:orange"])
right.set(ylabel="ms per call (median of 100)", title="one image")
fig.tight_layout()
plt.show()
