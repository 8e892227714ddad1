"""
Training curves from the estimator's history
============================================

Every fitted estimator keeps skorch's record of training in ``history_``. With
``early_stopping=True`` a tenth of the training sequences is held out, its loss is recorded every
epoch, and training stops when it has not improved for ``n_iter_no_change`` epochs, keeping the best
weights. The figure plots both losses per epoch.
"""

import matplotlib.pyplot as plt
import numpy as np

from sklearn_seq2seq import Seq2SeqTransformer

rng = np.random.RandomState(0)
t = np.arange(40)[None, :]
freq, phase = rng.uniform(0.1, 0.4, size=(600, 1)), rng.uniform(0, 2 * np.pi, size=(600, 1))
X = np.stack([np.sin(freq * t + phase), np.cos(freq * t + phase)], axis=2) + 0.1 * rng.normal(size=(600, 40, 2))

model = Seq2SeqTransformer(n_components=8, max_epochs=200, early_stopping=True, n_iter_no_change=8,
                           random_state=0).fit(X)
train_loss = model.history_[:, "train_loss"]
valid_loss = model.history_[:, "valid_loss"]
best = int(np.argmin(valid_loss))
print(f"stopped after {model.n_iter_} epochs; best validation loss {valid_loss[best]:.4f} at epoch {best + 1}")

fig, ax = plt.subplots(figsize=(7, 4))
epochs = np.arange(1, len(train_loss) + 1)
ax.plot(epochs, train_loss, label="training loss")
ax.plot(epochs, valid_loss, label="validation loss (held out)")
ax.axvline(best + 1, color="0.5", ls=":", label="best epoch (weights kept)")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("masked MSE (standardised units)")
ax.legend()
ax.set_title("history_ of an autoencoder with early stopping")
fig.tight_layout()
