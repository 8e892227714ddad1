"""Shared fixtures: small seeded data sets."""

import numpy as np
import pytest
from sklearn.datasets import load_digits


@pytest.fixture(scope="session")
def digits():
    """Digits read as 8 timesteps x 8 features, with labels."""
    X, y = load_digits(return_X_y=True)
    return X.reshape(-1, 8, 8), y


@pytest.fixture(scope="session")
def waves():
    """200 noisy sine waves of random frequency and phase, 30 steps, 2 features (sin, cos)."""
    rng = np.random.RandomState(0)
    t = np.arange(30)[None, :]
    freq = rng.uniform(0.1, 0.4, size=(200, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(200, 1))
    X = np.stack([np.sin(freq * t + phase), np.cos(freq * t + phase)], axis=2)
    return X + 0.05 * rng.normal(size=X.shape)
