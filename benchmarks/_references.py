"""The simple references the real-data benchmarks compare against: raw values, flattened, and ridge."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.preprocessing import StandardScaler


def flatten(X) -> np.ndarray:
    """Fixed-length series (n, steps[, channels]) as one row of raw values each."""
    return np.asarray(X, dtype=float).reshape(len(X), -1)


def ridge_steps() -> list:
    """Standardisation then ``RidgeCV`` over 13 alphas from 1e-3 to 1e3: the regression sets' linear head."""
    return [StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13))]
