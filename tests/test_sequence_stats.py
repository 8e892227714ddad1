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
    # without the kernel bank, so that only the encoder's reading of the values is compared
    common = dict(n_components=8, hidden_size=32, lr=1e-2, max_epochs=30, kernel_bank=False, random_state=0)
    scores = {standardize: Seq2SeqClassifier(standardize=standardize, **common).fit(X[train], y[train])
              .score(X[test], y[test]) for standardize in (True, "per_sequence")}
    assert scores["per_sequence"] >= 0.95  # measured: 1.0 (0.7 with the overall scale)
    assert scores[True] < 0.8  # most sequences are flat at the scale of the largest ones


def test_view_noise_follows_each_sequences_own_scale_for_autoencoders_and_the_overall_scale_for_classifiers():
    from sklearn_seq2seq import Seq2SeqTransformer
    from sklearn_seq2seq._nn import Seq2SeqModule

    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 16, 1)) * np.where(np.arange(20) % 2, 1e-3, 1.0)[:, None, None]  # faint and loud
    y = np.arange(20) % 2
    common = dict(n_components=4, hidden_size=8, max_epochs=1, random_state=0)
    assert Seq2SeqTransformer(**common).fit(X).net_.module_.view_noise == "sequence"
    assert Seq2SeqClassifier(**common).fit(X, y).net_.module_.view_noise == "global"
    x, lengths = torch.tensor(X, dtype=torch.float32), torch.full((20,), 16)
    for view_noise in ("sequence", "global"):
        module = Seq2SeqModule(1, 1, 4, view_strength=0.1, x_mean=[0.0], x_scale=[0.7], per_sequence=True,
                               view_noise=view_noise)
        module.random_generator = torch.Generator().manual_seed(0)
        view, view_lengths = module.random_view(x, lengths)
        # how much wider each view is than its sequence: noise of 0.1 of its own scale barely widens it
        ratio = np.array([view[i, :view_lengths[i]].std().item() / X[i].std() for i in range(20)])
        assert np.all(ratio[::2] < 1.5)  # loud series: their own scale is the overall one
        if view_noise == "sequence":
            assert np.all(ratio[1::2] < 1.5)
        else:  # noise of 0.1 of the overall scale (0.07) drowns series of scale 1e-3
            assert np.all(ratio[1::2] > 20)
