"""``standardize="per_sequence"``: each sequence also read at its own level and scale, with both beside."""

import numpy as np
import torch

from sklearn_seq2seq import Seq2SeqClassifier
from sklearn_seq2seq._nn.sequence_stats import EPS, with_sequence_stats


def test_each_sequence_is_standardised_over_its_real_steps_with_its_statistics_beside():
    rng = np.random.RandomState(0)
    x = torch.tensor(rng.normal(size=(3, 9, 2)) * [[[1e-3, 10.0]]] + [[[5.0, -2.0]]], dtype=torch.float64)
    lengths = torch.tensor([9, 4, 1])
    out = with_sequence_stats(x, lengths)
    assert out.shape == (3, 9, 8)
    for i, n in enumerate(lengths.tolist()):
        real = x[i, :n].numpy()
        scale = real.std(axis=0) + EPS
        np.testing.assert_array_equal(out[i, :n, :2], real)
        np.testing.assert_allclose(out[i, :n, 2:4], (real - real.mean(axis=0)) / scale, atol=1e-12)
        np.testing.assert_allclose(out[i, :n, 4:6], np.broadcast_to(real.mean(axis=0), (n, 2)), atol=1e-12)
        np.testing.assert_allclose(out[i, :n, 6:], np.broadcast_to(np.log(scale), (n, 2)), atol=1e-12)
        assert not out[i, n:].any()  # padded steps are zero
    padded = x.clone()
    padded[1, 4:] = float("nan")  # what sits past a length (NaN in exported graphs) changes nothing
    padded[2, 1:] = 1e6
    torch.testing.assert_close(with_sequence_stats(padded, lengths), out)
    framed = with_sequence_stats(x.view(3, 3, 3, 2), lengths)  # as exported graphs give frames
    torch.testing.assert_close(framed.flatten(1, 2), out)


def test_per_sequence_standardisation_reads_shapes_whose_amplitudes_span_six_orders_of_magnitude():
    rng = np.random.RandomState(0)
    n, t = 160, 24
    y = rng.randint(0, 2, n)
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    wave = np.sin(np.arange(t) / 2 + phase)
    shapes = np.where(y[:, None] == 1, np.sign(wave), wave)  # square or sine waves
    X = shapes * 10.0 ** rng.uniform(-3, 3, (n, 1))
    train, test = slice(0, 120), slice(120, None)
    common = dict(n_components=8, hidden_size=32, max_epochs=60, random_state=0)
    scores = {standardize: Seq2SeqClassifier(standardize=standardize, **common).fit(X[train], y[train])
              .score(X[test], y[test]) for standardize in (True, "per_sequence")}
    assert scores["per_sequence"] >= 0.95
    assert scores[True] < 0.8  # most sequences are flat at the scale of the largest ones
