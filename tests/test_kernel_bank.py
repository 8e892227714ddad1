"""The kernel bank (``kernel_bank``): fixed random dilated kernels whose proportions of positive values
feed the code."""

import math

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA
from sklearn.linear_model import LinearRegression, LogisticRegression

from sklearn_seq2seq import Seq2SeqClassifier, Seq2SeqRegressor, Seq2SeqTransformer
from sklearn_seq2seq._nn.encoder import RecurrentEncoder
from sklearn_seq2seq._nn.frames import to_frames
from sklearn_seq2seq._nn.kernel_bank import (COARSE_WEIGHT, LENGTH_WEIGHT, MAX_CHANNELS, MAX_STEPS, QUANTILES,
                                             ZERO_OUTPUT, KernelBank, between_outputs, count_true, counts_above, dilations,
                                             levels_for_raw_outputs, read_as_zero)
from sklearn_seq2seq._nn.principal import whitened_directions
from sklearn_seq2seq._layout import BANK_VIEW_MIN_CROP, VIEW_MIN_CROP
from sklearn_seq2seq import _inference, _training
from sklearn_seq2seq import _base as base_module
from sklearn_seq2seq._nn import model as model_module
from sklearn_seq2seq._training import (AUTO_STEPS, BANK_AUTO_MAX_EPOCHS, BANK_AUTO_STEPS, BANK_MAP_LR_SCALE,
                                        RECURRENT_LR_SCALE, VIEW_POOL_SIZE)
from sklearn_seq2seq.classifier import _Pretraining

FAST = dict(hidden_size=8, n_components=4, random_state=0)


def fitted_bank(n_features: int, n_steps: int, x: torch.Tensor, lengths: torch.Tensor,
                per_sequence: bool = False, length: bool = False, coarse: bool = False) -> KernelBank:
    bank = KernelBank(n_features, n_steps, per_sequence, length, coarse)
    bank.fit(x, lengths, torch.Generator().manual_seed(0))
    return bank


def test_dilations_span_the_series_and_long_series_are_averaged_down():
    assert dilations(8) == (1,) and dilations(9) == (1,) and dilations(17) == (1, 2) and dilations(427) == (1, 2, 4, 8, 16, 32)
    bank = KernelBank(1, 1460)  # averaged over windows of 3 steps: 487 steps
    assert bank.pool == 3 and bank.dilations == dilations(487) and -(-1460 // 3) <= MAX_STEPS
    assert bank.output_size == len(bank.dilations) * 84 * len(QUANTILES)
    coarse = KernelBank(1, 1460, coarse=True)  # and over windows of 6: 244 steps
    assert coarse.readings == ((3, dilations(487)), (6, dilations(244))) and coarse.pool == 3
    assert coarse.dilations == dilations(487) + dilations(244)
    assert coarse.output_size == len(coarse.dilations) * 84 * len(QUANTILES)


@pytest.mark.parametrize("length", [False, True])
def test_the_coarse_reading_adds_the_series_averaged_over_windows_twice_as_long_after_the_first(length):
    rng = torch.Generator().manual_seed(3)
    x = torch.randn(10, 40, 2, generator=rng).cumsum(1)
    lengths = torch.tensor([40, 33, 40, 21, 40, 12, 40, 39, 40, 27])
    plain = fitted_bank(2, 40, x, lengths, length=length)
    coarse = fitted_bank(2, 40, x, lengths, length=length, coarse=True)
    assert coarse.readings == ((1, dilations(40)), (2, dilations(20)))
    first, second = (len(dilations(n)) * 2 * 84 * len(QUANTILES) for n in (40, 20))
    assert coarse.output_size == first + second + length
    features = coarse.proportions(x, lengths)
    # the first reading is the plain bank's, number for number (its biases are drawn first)
    assert torch.equal(coarse.bias[: len(dilations(40))], plain.bias)
    assert torch.equal(features[:, :first], plain.proportions(x, lengths)[:, :first])
    if length:
        assert torch.equal(features[:, -1], plain.proportions(x, lengths)[:, -1])
    # the second is a bank for 20 steps, with the coarse reading's biases, reading the means of
    # each two steps (a last window of one real step: that step)
    halves = KernelBank(2, 20)
    halves.bias.copy_(coarse.bias[len(dilations(40)):])
    means = torch.zeros(10, 20, 2)
    for row, n in enumerate(lengths.tolist()):
        for j in range(-(-n // 2)):
            means[row, j] = x[row, 2 * j: min(2 * j + 2, n)].mean(0)
    torch.testing.assert_close(features[:, first: first + second], halves.proportions(means, (lengths + 1) // 2))
    # the coarse features weigh a quarter in the principal start of the bank's map
    weights = coarse.principal_weights()
    assert torch.equal(weights[:first], torch.ones(first))
    assert torch.all(weights[first: first + second] == COARSE_WEIGHT)
    assert torch.equal(weights[first + second:], torch.ones(int(length)))
    assert torch.equal(plain.principal_weights(), torch.ones(plain.output_size))


@pytest.mark.parametrize("per_sequence, length", [(False, False), (True, False), (True, True)])
@pytest.mark.parametrize("n_steps", [40, 1100])  # without and with averaging down
def test_a_sequences_features_do_not_depend_on_its_padding_or_batch(n_steps, per_sequence, length):
    rng = torch.Generator().manual_seed(1)
    x = torch.randn(6, n_steps, 2, generator=rng).cumsum(1)
    lengths = torch.tensor([n_steps, n_steps - 7, n_steps // 2, 30, 12, n_steps])
    bank = fitted_bank(2, n_steps, x, lengths, per_sequence, length)
    features = bank(x, lengths)
    padded = x.clone()
    for row, length in enumerate(lengths.tolist()):
        padded[row, length:] = float("nan") if row % 2 else 99.0
    torch.testing.assert_close(bank(padded, lengths), features)
    for row in (1, 3, 4):
        alone = bank(x[row : row + 1, : lengths[row]], lengths[row : row + 1])
        torch.testing.assert_close(alone[0], features[row])
    if n_steps % 5 == 0:  # split into frames, as exported graphs give it
        torch.testing.assert_close(bank(x.unflatten(1, (-1, 5)), lengths), features)


def test_the_length_feature_is_the_weighted_log_of_each_series_real_steps_after_the_proportions():
    rng = torch.Generator().manual_seed(2)
    x = torch.randn(8, 1100, 1, generator=rng).cumsum(1)  # averaged over windows of 3 steps
    lengths = torch.tensor([1100, 1000, 700, 400, 200, 101, 50, 1100])
    plain, with_length = fitted_bank(1, 1100, x, lengths), fitted_bank(1, 1100, x, lengths, length=True)
    assert with_length.output_size == plain.output_size + 1
    proportions = with_length.proportions(x, lengths)
    torch.testing.assert_close(proportions[:, :-1], plain.proportions(x, lengths))
    torch.testing.assert_close(proportions[:, -1], LENGTH_WEIGHT * torch.log(lengths.float()))  # real steps, not windows
    features = with_length(x, lengths)[:, -1]  # standardised over the training series like the others
    torch.testing.assert_close(features.mean(), torch.tensor(0.0), atol=1e-5, rtol=0)
    torch.testing.assert_close(features.std(correction=0), torch.tensor(1.0))


def test_counts_of_steps_above_a_bias_are_exact_for_series_of_any_length():
    above = torch.zeros(2, 3, 40_000, dtype=torch.bool)  # longer than an int16 count holds
    above[0, :, :35_000] = True
    above[1, 1, ::7] = True
    counts = count_true(above)
    assert counts.tolist() == [[35_000] * 3, [0, 5_715, 0]]
    short = above[..., :MAX_STEPS]
    assert torch.equal(count_true(short).long(), short.sum(-1))
    # lengths that are not whole 8-byte words, and around one sum's limit of 255 words (2,040 steps)
    generator = torch.Generator().manual_seed(0)
    for n_steps in (1, 7, 9, 2_039, 2_040, 2_041, 4_100):
        above = torch.rand(3, 5, n_steps, generator=generator) > 0.3
        assert torch.equal(count_true(above).long(), above.sum(-1)), n_steps
        all_true = torch.ones(2, n_steps, dtype=torch.bool)  # every byte of a sum at its largest
        assert count_true(all_true).tolist() == [n_steps, n_steps]


def test_counts_above_each_level_are_exact_for_steps_that_are_not_whole_words():
    # the comparisons are written into a buffer padded to whole 8-byte words: its padding must count as
    # below every level, whatever the level (here also below the padding's place: -inf)
    generator = torch.Generator().manual_seed(0)
    for n_steps in (1, 7, 8, 9, 427, 2_041):
        outputs = torch.randn(3, 5, n_steps, generator=generator)
        levels = torch.cat([torch.randn(5, 6, generator=generator), torch.full((5, 1), float("-inf"))], 1)
        expected = (outputs.unsqueeze(2) > levels.unsqueeze(-1)).sum(-1)
        assert torch.equal(counts_above(outputs, levels).long(), expected), n_steps
        assert counts_above(outputs, levels)[..., -1].eq(n_steps).all()


def test_outputs_zero_in_exact_arithmetic_read_as_zero_whatever_the_rounding():
    # a kernel's weights sum to 0: over every real step of a short series standardised by itself under
    # one weight, its output is 0 in exact arithmetic, and rounding noise of either sign in floats
    rng = torch.Generator().manual_seed(4)
    x = torch.randn(40, 8, 2, generator=rng)
    lengths = 3 + torch.arange(40) % 6  # 3 to 8 steps, within one kernel's span
    bank = KernelBank(2, 8, per_sequence=True)
    bank.fit(x, lengths, torch.Generator().manual_seed(0))
    features = bank.proportions(x, lengths)
    assert torch.equal(bank.double().proportions(x.double(), lengths).float(), features)  # other rounding


def test_no_training_output_lies_on_a_bias():
    # eighths: positions 1 to 7 of 9 ordered outputs (0 0 0 0 1 2 3 3 3), each moved half-way to the next
    # larger output (1 above the largest)
    values = torch.tensor([[3.0, 0, 0, 2, 0, 1, 3, 0, 3], [5.0] * 9])
    expected = torch.tensor([[0.5, 0.5, 0.5, 1.5, 2.5, 4.0, 4.0], [6.0] * 7])
    torch.testing.assert_close(between_outputs(values), expected)


def test_biases_are_quantiles_of_the_training_outputs_and_features_are_standardised():
    x = torch.randn(40, 100, 1, generator=torch.Generator().manual_seed(2))
    lengths = torch.full((40,), 100)
    bank = fitted_bank(1, 100, x, lengths)
    proportions = bank.proportions(x, lengths).view(40, len(bank.dilations), 84, len(QUANTILES))
    # over all training series, each kernel exceeds its biases on about 7/8, 6/8, ..., 1/8 of steps
    np.testing.assert_allclose(proportions.mean((0, 1, 2)).numpy(), 1 - np.array(QUANTILES), atol=0.02)
    features = bank(x, lengths)
    assert features.mean(0).abs().max() < 1e-4 and abs(features.std(0, correction=0).mean() - 1) < 0.05


def test_a_series_amplitude_is_read_against_the_training_series_and_its_level_only_at_its_ends():
    x = torch.randn(8, 200, 1, generator=torch.Generator().manual_seed(3))
    lengths = torch.full((8,), 200)
    bank = fitted_bank(1, 200, x, lengths)
    original = bank.proportions(x, lengths)
    # the kernels sum to zero: a shifted series changes only outputs whose span reaches past its ends
    # (zero padding), at most 4 * dilation steps at each end
    moved = bank.proportions(x + 5, lengths).view(8, len(bank.dilations), -1)
    for i, dilation in enumerate(bank.dilations):
        change = (moved[:, i] - original.view(8, len(bank.dilations), -1)[:, i]).abs().max()
        assert change <= 8 * dilation / 200 + 1e-6
    # a louder series of the same shape is read as louder: most kernels exceed more of their biases
    louder = bank.proportions(3 * x, lengths)
    assert ((louder - original).abs() > 0.05).float().mean() > 0.3


def test_each_series_read_by_itself_beside_the_global_values_ignores_its_level_and_amplitude():
    x = torch.randn(8, 200, 1, generator=torch.Generator().manual_seed(3)).cumsum(1)
    lengths = torch.full((8,), 200)
    bank = fitted_bank(1, 200, x, lengths, per_sequence=True)
    assert bank.output_size == 2 * len(bank.dilations) * 84 * len(QUANTILES)
    # per dilation: the global reading's kernels, then the per-series reading's
    readings = lambda series: bank.proportions(series, lengths).view(8, len(bank.dilations), 2, -1)
    original = readings(x)
    rescaled = readings(3 * x + 5)  # every series louder and moved: only the global reading sees it
    torch.testing.assert_close(rescaled[:, :, 1], original[:, :, 1])
    assert ((rescaled[:, :, 0] - original[:, :, 0]).abs() > 0.05).float().mean() > 0.3
    torch.testing.assert_close(original[:, :, 0], fitted_bank(1, 200, x, lengths).proportions(x, lengths)
                               .view(8, len(bank.dilations), -1))  # the global reading as without the other


@pytest.mark.parametrize("per_sequence", [False, True])
def test_many_features_are_mixed_into_a_few_random_combinations(per_sequence):
    x = torch.randn(10, 30, 12, generator=torch.Generator().manual_seed(4))
    bank = fitted_bank(12, 30, x, torch.full((10,), 30), per_sequence)
    assert bank.mixing.shape == (12, MAX_CHANNELS) and bank.mixing.abs().sum() > 0
    readings = 2 if per_sequence else 1
    assert bank.output_size == readings * len(bank.dilations) * 84 * MAX_CHANNELS * len(QUANTILES)


def test_bank_features_separate_series_by_local_shape_that_their_values_do_not():
    # spikes or dips at random places in a random walk: a linear model of the values cannot tell them
    # apart, one of the bank's features can
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 150)).cumsum(1) * 0.1
    y = np.arange(200) % 2
    for i in range(200):
        places = rng.choice(140, size=4, replace=False) + 5
        X[i, places] += np.where(y[i], 3.0, -3.0)
    x, lengths = torch.tensor(X[:, :, None], dtype=torch.float32), torch.full((200,), 150)
    bank = fitted_bank(1, 150, x[:100], lengths[:100])
    features = bank(x, lengths).numpy()
    on_bank = LogisticRegression(max_iter=2000).fit(features[:100], y[:100]).score(features[100:], y[100:])
    on_values = LogisticRegression(max_iter=2000).fit(X[:100], y[:100]).score(X[100:], y[100:])
    assert on_bank > 0.95 and on_values < 0.75


def test_encodings_of_series_of_different_lengths_read_each_ones_length_and_keep_it_as_fitted():
    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 1)) for n in rng.randint(20, 120, size=60)]  # white noise: only lengths differ
    held_out = [rng.normal(size=(n, 1)) for n in rng.randint(20, 120, size=60)]
    model = Seq2SeqTransformer(max_epochs=3, **FAST).fit(X)
    assert model.layout_.module_kwargs["kernel_bank_length"] and model.net_.module_.kernel_bank.length
    log_steps = np.log([len(x) for x in held_out])
    fit = LinearRegression().fit(model.transform(X), np.log([len(x) for x in X]))
    # 4 numbers: R^2 0.84 (0.96 before the coarse reading shared the code); without the length: 0.61
    assert fit.score(model.transform(held_out), log_steps) > 0.75
    model.partial_fit(rng.normal(size=(8, 50, 1)))  # a batch of one length: the bank stays as fitted
    assert model.net_.module_.kernel_bank.length
    fixed = Seq2SeqTransformer(max_epochs=1, **FAST).fit(rng.normal(size=(16, 30, 1)))
    assert "kernel_bank_length" not in fixed.layout_.module_kwargs and not fixed.net_.module_.kernel_bank.length
    labels = np.arange(60) % 2  # classifiers and the autoencoders they pretrain: not measured, not read
    classifier = Seq2SeqClassifier(max_epochs=1, **FAST).fit(X, labels)
    assert "kernel_bank_length" not in classifier.layout_.module_kwargs
    assert "kernel_bank_length" not in _Pretraining(max_epochs=1, **FAST).fit(X).layout_.module_kwargs


def test_auto_reads_a_bank_for_numeric_encodings_and_classifiers_only():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(16, 12, 2))
    labels = np.arange(16) % 2
    one = dict(max_epochs=1, **FAST)
    model = Seq2SeqTransformer(**one).fit(X)
    assert model.net_.module_.kernel_bank is not None and model.layout_.module_kwargs["kernel_bank_steps"] == 12
    assert model.net_.module_.kernel_bank.per_sequence  # global values and each series by itself
    assert len(model.net_.module_.kernel_bank.readings) == 2  # the encodings' bank also reads coarser windows
    assert Seq2SeqTransformer(kernel_bank=False, **one).fit(X).net_.module_.kernel_bank is None
    assert Seq2SeqTransformer(**one).fit(X, X[:, :3]).net_.module_.kernel_bank is None  # a target y
    assert Seq2SeqTransformer(**one).fit(["ab", "cde"] * 8).net_.module_.kernel_bank is None  # tokens
    assert Seq2SeqTransformer(**one).fit(X[:, :8]).net_.module_.kernel_bank is None  # shorter than a kernel
    regressor = Seq2SeqRegressor(**one).fit(X, X[:, 0, 0])  # one number: its bank has a head of its own
    assert regressor.net_.module_.kernel_bank is not None and regressor.net_.module_.bank_head is not None
    assert len(regressor.net_.module_.kernel_bank.readings) == 1  # measured on the encodings only
    assert Seq2SeqRegressor(**one).fit(X, X[:, :4, 0]).net_.module_.kernel_bank is None  # a forecast
    assert Seq2SeqRegressor(kernel_bank=True, **one).fit(X, X[:, :4, 0]).net_.module_.kernel_bank is not None
    classifier = Seq2SeqClassifier(**one).fit(X, labels)
    assert classifier.net_.module_.kernel_bank is not None and classifier.net_.module_.kernel_bank.per_sequence
    assert len(classifier.net_.module_.kernel_bank.readings) == 1
    pretraining = Seq2SeqClassifier(**one).pretrain_autoencoder(X)  # the autoencoder a classifier starts from
    assert pretraining.net_.module_.kernel_bank is not None and len(pretraining.net_.module_.kernel_bank.readings) == 1
    started = Seq2SeqClassifier(pretrained=model, **one).fit(X, labels)  # reads the bank of the model it starts from
    assert len(started.net_.module_.kernel_bank.readings) == 2
    assert Seq2SeqClassifier(**one).fit(X[:, :8], labels).net_.module_.kernel_bank is None
    assert Seq2SeqClassifier(**one).fit(["ab", "cde"] * 8, labels).net_.module_.kernel_bank is None
    assert Seq2SeqClassifier(kernel_bank=False, **one).fit(X, labels).net_.module_.kernel_bank is None


def test_bank_map_is_trained_and_the_decoder_still_reads_only_the_code():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(32, 20, 1)).cumsum(1)
    untrained = Seq2SeqTransformer(max_epochs=1, lr=1e-12, **FAST).fit(X)
    model = Seq2SeqTransformer(max_epochs=5, **FAST).fit(X)
    before = untrained.net_.module_.kernel_bank_proj.weight
    assert not torch.allclose(model.net_.module_.kernel_bank_proj.weight, before)
    codes = model.transform(X)
    np.testing.assert_allclose(model.inverse_transform(codes), model.predict(X), atol=1e-5)


def rates(model) -> dict:
    """Each parameter's learning rate in a fitted model's optimizer, by name."""
    names = {id(p): name for name, p in model.net_.module_.named_parameters()}
    return {names[id(p)]: group["lr"] for group in model.net_.optimizer_.param_groups for p in group["params"]}


def test_bank_map_trains_at_its_fraction_of_the_learning_rate_also_when_training_continues():
    X = np.random.RandomState(0).normal(size=(16, 20, 1)).cumsum(1)
    model = Seq2SeqTransformer(max_epochs=1, warm_start=True, **FAST).fit(X)
    learned = rates(model)
    assert learned["kernel_bank_proj.weight"] == learned["kernel_bank_proj.bias"] == pytest.approx(3e-3 * BANK_MAP_LR_SCALE)
    assert {rate for name, rate in learned.items() if not name.startswith(("kernel_bank_proj", *RECURRENT))} == {3e-3}
    model.set_params(lr=1e-3, weight_decay=0.01).fit(X)  # continued with the optimizer's state, at the new settings
    assert rates(model)["kernel_bank_proj.weight"] == pytest.approx(1e-3 * BANK_MAP_LR_SCALE)
    assert rates(model)["encoder.rnn.weight_hh_l0"] == pytest.approx(1e-3 * RECURRENT_LR_SCALE)
    assert rates(model)["decoder.rnn.weight_hh_l0"] == 1e-3
    assert {group["weight_decay"] for group in model.net_.optimizer_.param_groups} == {0.01}
    moment = model.net_.optimizer_.state[model.net_.module_.kernel_bank_proj.weight]["exp_avg_sq"]
    assert model.n_iter_ == 2 and torch.count_nonzero(moment) > 0


RECURRENT = ("front.", "encoder.", "readout.")


def test_the_encodings_recurrent_branch_trains_slower_only_beside_a_bank():
    X = np.random.RandomState(0).normal(size=(16, 20, 1)).cumsum(1)
    learned = rates(Seq2SeqTransformer(max_epochs=1, **FAST).fit(X))
    recurrent = {rate for name, rate in learned.items() if name.startswith(RECURRENT)}
    assert {name.split(".")[0] for name in learned if name.startswith(RECURRENT)} == {"front", "encoder", "readout"}
    assert len(recurrent) == 1 and recurrent.pop() == pytest.approx(3e-3 * RECURRENT_LR_SCALE)
    assert learned["decoder.rnn.weight_hh_l0"] == learned["memory_proj.weight"] == 3e-3
    # without a bank the recurrent branch is the whole code; the classifier's pretraining and the
    # regressor keep its full rate (docs/defaults.md)
    short = rates(Seq2SeqTransformer(max_epochs=1, **FAST).fit(X[:, :5]))
    assert set(short.values()) == {3e-3}
    for model in (_Pretraining(max_epochs=1, **FAST).fit(X), Seq2SeqRegressor(max_epochs=1, **FAST).fit(X, X[:, -1, 0])):
        learned = rates(model)
        assert model.net_.module_.kernel_bank is not None
        assert {rate for name, rate in learned.items() if not name.startswith("kernel_bank_proj")} == {3e-3}


def test_the_encodings_views_crop_deeper_only_beside_a_bank_and_as_fitted_when_training_continues():
    X = np.random.RandomState(0).normal(size=(16, 20, 1)).cumsum(1)
    model = Seq2SeqTransformer(max_epochs=1, warm_start=True, **FAST).fit(X)
    module = model.net_.module_
    assert module.view_min_crop == BANK_VIEW_MIN_CROP < VIEW_MIN_CROP
    module.random_generator = torch.Generator().manual_seed(0)
    _, crops = module.random_view(torch.zeros(500, 20, 1), torch.full((500,), 20))
    assert 20 * BANK_VIEW_MIN_CROP <= crops.min() < 10 and crops.max() == 20  # below half a series
    model.fit(X)  # training continues with the crops it was fitted with
    assert model.n_iter_ == 2 and model.net_.module_.view_min_crop == BANK_VIEW_MIN_CROP
    # a model saved before the crops were chosen per fit cropped to half, and continues so
    del model.layout_.module_kwargs["view_min_crop"]
    assert model.fit(X).net_.module_.view_min_crop == VIEW_MIN_CROP
    # without a bank, and for classifiers and the autoencoders they pretrain, views crop to half
    y = np.array([0, 1, -1, -1] * 4)
    for other in (Seq2SeqTransformer(max_epochs=1, **FAST).fit(X[:, :5]), _Pretraining(max_epochs=1, **FAST).fit(X),
                  Seq2SeqClassifier(max_epochs=1, **FAST).fit(X, y)):
        assert other.net_.module_.view_min_crop == VIEW_MIN_CROP


def test_the_encodings_train_beside_a_bank_on_views_drawn_once_per_fit_and_half_as_long(monkeypatch):
    X = np.random.RandomState(0).normal(size=(16, 20, 1)).cumsum(1)
    bank_calls = []
    forward = KernelBank.forward
    monkeypatch.setattr(KernelBank, "forward", lambda self, x, lengths: bank_calls.append(len(x)) or forward(self, x, lengths))

    def fit_counting_bank_calls(model):
        bank_calls.clear()
        model.fit(X)
        return len(bank_calls)

    # the views' bank features are computed once per fit, not at each training step
    assert (fit_counting_bank_calls(Seq2SeqTransformer(max_epochs=5, **FAST))
            == fit_counting_bank_calls(Seq2SeqTransformer(max_epochs=1, **FAST)))
    model = Seq2SeqTransformer(max_epochs=1, **FAST).fit(X)
    net = model.net_
    training_data = _inference.with_bank_features(net, {"x": X, "lengths": np.full(16, 20)})
    data = _inference.with_view_pool(net, training_data, VIEW_POOL_SIZE, seed=0)
    views, lengths, features = data["views"], data["view_lengths"], data["view_bank_features"]
    assert views.shape == (16, VIEW_POOL_SIZE, 20, 1) and features.shape == (16, VIEW_POOL_SIZE, net.module_.kernel_bank.output_size)
    assert lengths.min() >= 20 * BANK_VIEW_MIN_CROP and len(np.unique(lengths)) > 1  # random crops
    assert not np.allclose(views[:, 0], views[:, 1])  # views of a series differ
    np.testing.assert_allclose(features[:, 3], _inference.bank_features(net, views[:, 3], lengths[:, 3]), atol=1e-5)
    # classifiers' pretraining draws a fresh view at each step
    assert (fit_counting_bank_calls(_Pretraining(max_epochs=5, **FAST))
            == fit_counting_bank_calls(_Pretraining(max_epochs=1, **FAST)) + 4)
    # max_epochs="auto" aims at half the steps beside a bank with views, as many without; the encodings
    # train at most BANK_AUTO_MAX_EPOCHS passes (one step an epoch on 16 series; 7 on 200)
    params = dict(model.get_params(), max_epochs="auto")
    without_bank = Seq2SeqTransformer(max_epochs=1, **FAST).fit(X[:, :5])
    without_views = Seq2SeqTransformer(contrastive=0, max_epochs=1, **FAST).fit(X)
    pretraining = _Pretraining(max_epochs=1, **FAST).fit(X)
    for estimator, steps, epochs in [(model, BANK_AUTO_STEPS, BANK_AUTO_MAX_EPOCHS), (without_bank, AUTO_STEPS, None),
                                     (without_views, AUTO_STEPS, None), (pretraining, BANK_AUTO_STEPS, None)]:
        for n_samples, n_batches in ((16, 1), (200, 7)):
            auto = estimator._make_net(params, estimator.layout_, n_samples=n_samples, device="cpu", seed=0)
            expected = max(math.ceil(steps / n_batches), 20)
            assert auto.max_epochs == (expected if epochs is None else min(expected, epochs))
    assert BANK_AUTO_MAX_EPOCHS < BANK_AUTO_STEPS  # the bound binds on 16 series
    # a pool too large to hold: fresh views at each step
    monkeypatch.setattr(_inference, "BANK_FEATURES_CACHED", 16 * VIEW_POOL_SIZE * 20)  # too large a pool
    assert _inference.with_view_pool(net, training_data, VIEW_POOL_SIZE, seed=0) is training_data


def test_a_training_step_encodes_the_sequences_and_their_pooled_views_as_one_batch(monkeypatch):
    X = np.random.RandomState(0).normal(size=(16, 20, 1)).cumsum(1)
    encoded = []  # (rows, training) of each encoder call
    forward = RecurrentEncoder.forward
    monkeypatch.setattr(RecurrentEncoder, "forward", lambda self, x, lengths: encoded.append((len(x), self.training))
                        or forward(self, x, lengths))
    model = Seq2SeqTransformer(max_epochs=3, batch_size=8, **FAST).fit(X)
    # each of the 6 training steps encodes its 8 sequences and a pooled view of each in one call
    assert [rows for rows, training in encoded if training] == [16] * 6
    # which gives each row the code it has encoded alone (the view, a crop, with its own length)
    module = model.net_.module_.train()
    data = _inference.with_view_pool(model.net_, _inference.with_bank_features(
        model.net_, {"x": X, "lengths": np.full(16, 20)}), VIEW_POOL_SIZE, seed=0)
    x, lengths = torch.as_tensor(X[:4], dtype=torch.float32), torch.full((4,), 20)
    views, view_lengths = torch.as_tensor(data["views"][:4, 0]), torch.as_tensor(data["view_lengths"][:4, 0])
    features, view_features = (torch.as_tensor(data[name][:4]) for name in ("bank_features", "view_bank_features"))
    together = module.encode(torch.cat([x, views]), torch.cat([lengths, view_lengths]),
                             torch.cat([features, view_features[:, 0]]))[0]
    assert view_lengths.min() < 20  # the views are shorter than their sequences
    torch.testing.assert_close(together[:4], module.encode(x, lengths, features)[0], atol=1e-5, rtol=0)
    torch.testing.assert_close(together[4:], module.encode(views, view_lengths, view_features[:, 0])[0], atol=1e-5,
                               rtol=0)


def test_a_fit_convolves_each_training_series_once_and_its_views_in_groups_cut_to_their_length(monkeypatch):
    X = np.random.RandomState(0).normal(size=(16, 40, 1)).cumsum(1)
    convolved, trained_on = [], []  # (rows, width) of each call of the bank's convolutions; the data trained on
    outputs, fit = KernelBank._outputs, KernelBank.fit
    monkeypatch.setattr(KernelBank, "_outputs", lambda self, x, lengths: convolved.append(tuple(x.shape[:2]))
                        or outputs(self, x, lengths))
    monkeypatch.setattr(base_module, "train", lambda net, data, **kwargs: trained_on.append(data))
    monkeypatch.setattr(model_module, "BANK_GROUP_ROWS", 16)
    model = Seq2SeqTransformer(**FAST).fit(X)
    # the bank's fit convolves the 16 series once, training reads their features from it (no pass of
    # their own), and the pool's 64 views are convolved in four groups
    assert convolved[0] == (16, 40) and len(convolved) == 5
    # the views' groups are of similar lengths, each cut to its longest
    widths = [width for rows, width in convolved[1:]]
    assert [rows for rows, _ in convolved[1:]] == [16] * 4 and widths == sorted(widths) and widths[0] < 40
    lengths = np.full(16, 40)
    np.testing.assert_allclose(trained_on[0]["bank_features"], _inference.bank_features(model.net_, X, lengths), atol=1e-6)
    # more series than the bank is fitted from: their features are computed for training
    convolved.clear()
    monkeypatch.setattr(_training, "KERNEL_BANK_SEQUENCES", 8)
    Seq2SeqTransformer(**FAST).fit(X)
    assert convolved[0] == (8, 40) and convolved[1] == (16, 40)
    # a classifier started from a pretrained model takes its fitted bank: its own is not fitted
    fits = []
    monkeypatch.setattr(KernelBank, "fit", lambda self, *args: fits.append(1) or fit(self, *args))
    classifier = Seq2SeqClassifier(pretrained=model, max_epochs=1, **FAST).fit(X, np.array([0, 1] * 8))
    assert not fits
    assert torch.equal(classifier.net_.module_.kernel_bank.bias, model.net_.module_.kernel_bank.bias)


def test_training_continues_from_an_optimizer_grouped_as_before_the_bank_map_had_its_own_rate():
    X = np.random.RandomState(0).normal(size=(16, 20, 1)).cumsum(1)
    model = Seq2SeqTransformer(max_epochs=1, warm_start=True, **FAST).fit(X)
    optimizer = model.net_.optimizer_
    everything = [p for group in optimizer.param_groups for p in group["params"]]
    model.net_.optimizer_ = type(optimizer)(everything, lr=3e-3)  # one group, as fitted by earlier versions
    before = model.transform(X)
    model.fit(X)
    assert model.n_iter_ == 2 and rates(model)["kernel_bank_proj.weight"] == pytest.approx(3e-3 * BANK_MAP_LR_SCALE)
    assert not np.allclose(model.transform(X), before)


def test_bank_is_refused_for_tokens_and_kept_as_fitted_when_training_continues():
    with pytest.raises(ValueError, match="kernel_bank=True reads numeric sequences"):
        Seq2SeqTransformer(kernel_bank=True, max_epochs=1, **FAST).fit(["ab", "cde"] * 8)
    X = np.random.RandomState(0).normal(size=(16, 12, 1))
    model = Seq2SeqTransformer(max_epochs=1, warm_start=True, **FAST).fit(X)
    bias = model.net_.module_.kernel_bank.bias.clone()
    model.fit(X)  # continues: the bank stays as fitted
    assert model.n_iter_ == 2 and torch.equal(model.net_.module_.kernel_bank.bias, bias)
    with pytest.raises(ValueError, match="fitted with a kernel bank"):
        model.set_params(kernel_bank=False).fit(X)
    assert model.n_iter_ == 2  # the failed call left the model as it was


def test_long_ragged_series_encode_alone_as_in_any_batch():
    X = [np.random.RandomState(i).normal(size=(300 + 150 * i, 1)).cumsum(0) for i in range(6)]
    model = Seq2SeqTransformer(max_epochs=1, **FAST).fit(X)
    assert model.net_.module_.kernel_bank.pool == 3  # 1,050 steps, averaged over 3 steps at a time
    together = model.transform(X)
    for i in (0, 3, 5):
        np.testing.assert_allclose(model.transform([X[i]])[0], together[i], atol=1e-5)


@pytest.mark.parametrize("n_features, n_steps", [(3, 50), (1, 700)])  # with averaging down too
def test_a_rows_bank_features_are_bit_identical_in_a_batch_of_any_size(n_features, n_steps):
    # what lets inference compute them on a batch's real rows, before the padding to whole row blocks
    rng = torch.Generator().manual_seed(3)
    x = torch.randn(120, n_steps, n_features, generator=rng).cumsum(1)
    lengths = torch.full((120,), n_steps)
    lengths[::3] = n_steps // 2  # tails of zeros, as padded batches give them
    bank = fitted_bank(n_features, n_steps, x, lengths, per_sequence=True, length=True)
    together = bank(x, lengths)
    for size in (1, 2, 15, 16, 17, 100):
        assert torch.equal(bank(x[:size].clone(), lengths[:size]), together[:size])


def test_inference_computes_the_bank_features_of_real_rows_only(monkeypatch):
    X = np.random.RandomState(0).normal(size=(40, 30, 2))
    classifier = Seq2SeqClassifier(max_epochs=1, pretrain=False, **FAST).fit(X, np.arange(40) % 2)
    regressor = Seq2SeqRegressor(max_epochs=1, **FAST).fit(X, X[:, -1, 0])
    rows_read = []
    original = KernelBank.forward
    monkeypatch.setattr(KernelBank, "forward", lambda bank, x, lengths: rows_read.append(len(x)) or original(bank, x, lengths))
    for model in (classifier, regressor):
        model.predict(X[:1])
    classifier.transform(X[:3])
    classifier.predict_proba(X[:17])
    assert rows_read == [1, 1, 3, 17]  # not the 16 or 32 rows each batch is padded to


def test_training_reads_the_training_sequences_bank_features_computed_once_as_computing_them_per_batch(monkeypatch):
    import sklearn_seq2seq._inference as inference

    rng = np.random.RandomState(0)
    X = [rng.normal(size=(n, 2)).cumsum(0) for n in rng.randint(12, 40, size=24)]
    trained_with_features = []  # whether each fit's training data held the features

    def recording(net, data):
        data = original(net, data)
        trained_with_features.append("bank_features" in data)
        return data

    original = inference.with_bank_features
    monkeypatch.setattr(inference, "with_bank_features", recording)
    monkeypatch.setattr(Seq2SeqTransformer, "_view_pool", 0)  # fresh views at each step in both fits
    cached = Seq2SeqTransformer(max_epochs=3, **FAST).fit(X)
    assert trained_with_features == [True]
    assert "bank_features" in original(cached.net_, {"x": np.zeros((2, 12, 2)), "lengths": np.array([12, 5])})
    # too many to keep: every batch computes its own, also where the bank's fit computed them for all 24
    monkeypatch.setattr(inference, "BANK_FEATURES_CACHED", 0)
    per_batch = Seq2SeqTransformer(max_epochs=3, **FAST).fit(X)
    assert trained_with_features == [True, False]
    np.testing.assert_allclose(cached.history_[:, "train_loss"], per_batch.history_[:, "train_loss"], rtol=1e-5)
    np.testing.assert_allclose(cached.transform(X), per_batch.transform(X), rtol=1e-4, atol=1e-5)


def test_whitened_directions_are_principal_with_unit_variance_and_stop_at_the_features_rank():
    rng = np.random.RandomState(0)
    features = torch.tensor(rng.normal(size=(40, 3)) @ rng.normal(size=(3, 50)) + 5.0)
    directions = whitened_directions(features, 10)
    assert directions.shape == (3, 50)  # rank 3: no direction of rounding noise
    projections = ((features - features.mean(0)) @ directions.T).numpy()
    np.testing.assert_allclose(np.cov(projections.T, bias=True), np.eye(3), atol=1e-9)
    reference = PCA(3).fit(features.numpy())
    for mine, theirs in zip(directions.numpy(), reference.components_):
        assert abs(np.dot(mine / np.linalg.norm(mine), theirs)) == pytest.approx(1.0)
    assert len(whitened_directions(torch.tensor(rng.normal(size=(7, 50))), 10)) == 3  # one per two rows
    assert whitened_directions(torch.ones(4, 50), 10).shape == (0, 50)  # rows all alike: no direction


def test_bank_map_starts_at_the_whitened_principal_directions_of_the_training_series_proportions():
    X = np.random.RandomState(0).normal(size=(12, 30, 1)).cumsum(1)
    params = dict(FAST, n_components=8)
    module = Seq2SeqTransformer(max_epochs=1, lr=1e-12, **params).fit(X).net_.module_  # as started
    x, lengths = torch.tensor(X, dtype=torch.float32), torch.full((12,), 30)
    with torch.no_grad():
        outputs = module.kernel_bank_proj(module.bank_features(x, lengths)).numpy()
        proportions = module.kernel_bank.proportions(module._standardized(x), lengths).numpy()
    weights = module.kernel_bank.principal_weights().numpy()  # the coarse reading's a quarter
    assert set(weights) == {1.0, COARSE_WEIGHT}
    principal = PCA(6).fit_transform(proportions * weights)  # 12 series: at most 6 directions
    np.testing.assert_allclose(outputs[:, :6].mean(0), 0, atol=1e-4)
    np.testing.assert_allclose(np.cov(outputs[:, :6].T, bias=True), np.eye(6), atol=1e-3)
    for mine, theirs in zip(outputs[:, :6].T, principal.T):
        assert abs(np.corrcoef(mine, theirs)[0, 1]) == pytest.approx(1.0, abs=1e-4)
    rest = module.kernel_bank_proj.weight[6:]
    assert torch.count_nonzero(rest) == rest.numel()  # the rows beyond keep their random start


def test_raw_outputs_against_folded_levels_count_as_outputs_read_as_zero_against_the_biases():
    # the bank compares its raw outputs with levels_for_raw_outputs(bias) instead of zeroing the outputs
    # below ZERO_OUTPUT first: the same outputs must lie above, at every bias, near 0 and elsewhere
    zero = torch.tensor(ZERO_OUTPUT, dtype=torch.float32)
    below = torch.nextafter(zero, torch.tensor(0.0))
    edges = torch.stack([zero, below, torch.nextafter(zero, torch.tensor(1.0)), zero / 2, torch.tensor(0.0)])
    rng = torch.Generator().manual_seed(0)
    outputs = torch.cat([edges, -edges, torch.tensor([-0.0, 3e-6, -7e-6, 1.0, -1.0]),
                         torch.randn(200, generator=rng) * 2e-5])
    biases = torch.cat([edges, -edges, torch.tensor([5e-6, -5e-6, 0.5, -0.5]),
                        torch.randn(50, generator=rng) * 2e-5]).reshape(1, -1)
    expected = read_as_zero(outputs)[:, None] > biases
    folded = outputs[:, None] > levels_for_raw_outputs(biases)
    assert torch.equal(folded, expected)
    assert expected.any() and not expected.all()
    # zeroing the outputs changes the comparison with some of these biases: the fold is not the identity
    assert not torch.equal(outputs[:, None] > biases, expected)
