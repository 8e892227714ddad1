"""Sequence classification data sets for measuring encodings: shipped (digits) or generated here."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def digits():
    """Digits, each 8x8 image read as 8 timesteps x 8 features (1,797 sequences, 10 classes)."""
    X, y = load_digits(return_X_y=True)
    return X.reshape(-1, 8, 8), y


def waveforms(n_samples: int = 800, n_timesteps: int = 150, seed: int = 0):
    """Long univariate series: sine, square, sawtooth or triangle wave (the class) of random frequency,
    phase and amplitude, with Gaussian noise; (n, 150, 1), 4 classes."""
    rng = np.random.RandomState(seed)
    y = rng.randint(4, size=n_samples)
    t = np.arange(n_timesteps)[None, :]
    cycles = rng.uniform(2, 6, size=(n_samples, 1)) * t / n_timesteps + rng.uniform(0, 1, size=(n_samples, 1))
    frac = cycles % 1.0
    shapes = np.stack([
        np.sin(2 * np.pi * cycles),
        np.where(frac < 0.5, 1.0, -1.0),
        2 * frac - 1,
        4 * np.abs(frac - 0.5) - 1,
    ])
    X = shapes[y, np.arange(n_samples)] * rng.uniform(0.5, 2.0, size=(n_samples, 1))
    X += 0.3 * rng.normal(size=X.shape)
    return X[:, :, None], y


def motion(n_samples: int = 800, n_timesteps: int = 60, n_channels: int = 6, seed: int = 0):
    """Multivariate 'motion' sequences: each class is a burst of activity on a class-specific pair of
    channels with a class-specific rhythm, at a random time, over noise; (n, 60, 6), 6 classes."""
    rng = np.random.RandomState(seed)
    y = rng.randint(6, size=n_samples)
    t = np.arange(n_timesteps)[None, :]
    X = 0.5 * rng.normal(size=(n_samples, n_timesteps, n_channels))
    centre = rng.uniform(15, 45, size=(n_samples, 1))
    envelope = np.exp(-0.5 * ((t - centre) / rng.uniform(5, 10, size=(n_samples, 1))) ** 2)
    for k in range(6):
        idx = y == k
        freq = 0.2 + 0.08 * k
        a, b = k % n_channels, (k + 2 + k // 3) % n_channels
        phase = rng.uniform(0, 2 * np.pi, size=(idx.sum(), 1))
        X[idx, :, a] += 2 * envelope[idx] * np.sin(freq * t + phase)
        X[idx, :, b] += 1.5 * envelope[idx] * np.cos(freq * t + phase)
    return X, y


def speech_like(n_samples: int = 800, n_timesteps: int = 25, n_channels: int = 12, seed: int = 0):
    """Short multivariate frames: 9 classes, each a class-specific smooth trajectory through a 12-D space
    (like cepstral frames of a spoken vowel), with speaker-like random offsets and noise; (n, 25, 12)."""
    rng = np.random.RandomState(seed)
    y = rng.randint(9, size=n_samples)
    protos = np.random.RandomState(100).normal(size=(9, 3, n_channels))
    s = np.linspace(0, 1, n_timesteps)[:, None]
    traj = protos[:, 0, None, :] * (1 - s) ** 2 + 2 * protos[:, 1, None, :] * s * (1 - s) + protos[:, 2, None, :] * s**2
    X = traj[y] + 0.6 * rng.normal(size=(n_samples, 1, n_channels)) + 0.4 * rng.normal(size=(n_samples, n_timesteps, n_channels))
    return X, y


DATASETS = {"digits": digits, "waveforms150": waveforms, "motion6": motion, "speech12": speech_like}


def split(name: str, n_train: int | None = None, seed: int = 0):
    """75/25 stratified split of a data set; ``n_train`` keeps only the first training sequences."""
    X, y = DATASETS[name]()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
    if n_train is not None:
        X_train, y_train = X_train[:n_train], y_train[:n_train]
    return X_train, X_test, y_train, y_test
