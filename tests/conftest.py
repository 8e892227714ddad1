"""Shared fixtures: small seeded data sets."""

import numpy as np
import pytest
import torch
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


@pytest.fixture(scope="session")
def padding_atol():
    """Tolerance for "the same sequence alone or beside longer ones": float32 kernels only. cuDNN runs
    packed and unpacked batches with different kernels (measured on an H100: up to 7e-5 apart); a
    leak of padding into an encoding would differ by far more."""
    return 1e-4 if torch.cuda.is_available() else 1e-5
