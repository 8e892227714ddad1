"""
Multi-step forecasting with Seq2SeqRegressor
============================================

A :class:`~sklearn_seq2seq.Seq2SeqRegressor` reads the last 48 steps of a noisy two-tone series and
predicts the next 24 at once: the target ``y`` has shape ``(n_samples, 24)``, and ``predict`` returns
that shape. The score is R² over all forecast steps; a seasonal-naive forecast (repeat the last 24
steps) is the reference. The figure shows three held-out series, their truth and the forecast.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import r2_score

from sklearn_seq2seq import Seq2SeqRegressor

rng = np.random.RandomState(0)
n, history, horizon = 1200, 48, 24
t = np.arange(history + horizon)[None, :]
f1, f2 = rng.uniform(0.05, 0.2, size=(n, 1)), rng.uniform(0.2, 0.4, size=(n, 1))
phase = rng.uniform(0, 2 * np.pi, size=(n, 2))
series = np.sin(f1 * t + phase[:, :1]) + 0.5 * np.sin(f2 * t + phase[:, 1:]) + 0.05 * rng.normal(size=(n, t.shape[1]))
X, y = series[:, :history], series[:, history:]  # X: (n, 48) univariate sequences, y: (n, 24)
X_train, X_test, y_train, y_test = X[:1000], X[1000:], y[:1000], y[1000:]

model = Seq2SeqRegressor(max_epochs=40, random_state=0).fit(X_train, y_train)
forecast = model.predict(X_test)
print(f"R^2 of the 24-step forecast: {model.score(X_test, y_test):.3f}")
print(f"R^2 of repeating the last 24 steps: {r2_score(y_test, X_test[:, -horizon:]):.3f}")

fig, axes = plt.subplots(3, 1, figsize=(8, 6), sharex=True)
for ax, i in zip(axes, range(3)):
    ax.plot(np.arange(history), X_test[i], color="0.4", label="input")
    ax.plot(np.arange(history, history + horizon), y_test[i], color="black", label="truth")
    ax.plot(np.arange(history, history + horizon), forecast[i], color="tab:orange", ls="--", label="forecast")
axes[0].legend(loc="upper left", ncol=3)
axes[-1].set_xlabel("step")
fig.suptitle("Seq2SeqRegressor: 24-step forecasts of held-out series")
fig.tight_layout()
