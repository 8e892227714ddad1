"""Seq2SeqClassifier: labels out, unlabelled sequences (-1) in, pretrained encoders, every input form."""

import joblib
import numpy as np
import pytest
import torch
from scipy.special import softmax
from sklearn.base import clone
from sklearn.ensemble import VotingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_class_weight

from sklearn_seq2seq import Seq2SeqClassifier, Seq2SeqRegressor, Seq2SeqTransformer, load, save
from sklearn_seq2seq import _inference as inference
from sklearn_seq2seq._nn.losses import view_label_loss, weighted_label_loss

FAST = dict(hidden_size=16, n_components=8, max_epochs=10, random_state=0)


@pytest.fixture(scope="module")
def chirps():
    """120 noisy sines, 24 steps: class 0 slow, class 1 fast, class 2 fast and decaying."""
    rng = np.random.RandomState(0)
    y = np.repeat([0, 1, 2], 40)
    t = np.arange(24)[None, :]
    freq = np.where(y == 0, 0.2, 0.6)[:, None]
    decay = np.where(y == 2, 0.9, 1.0)[:, None] ** t
    X = np.sin(freq * t + rng.uniform(0, 6, (120, 1))) * decay + 0.1 * rng.normal(size=(120, 24))
    order = rng.permutation(120)
    return X[order], y[order]


def test_it_learns_to_classify_held_out_sequences(chirps):
    X, y = chirps
    model = Seq2SeqClassifier(**FAST).fit(X[:90], y[:90])
    untrained = LogisticRegression().fit(X[:90], y[:90]).score(X[90:], y[90:])
    assert model.score(X[90:], y[90:]) >= 0.9 > untrained
    assert model.transform(X[:3]).shape == (3, 8)


def test_probabilities_labels_and_scores_agree(chirps):
    X, y = chirps
    names = np.array(["slow", "fast", "decaying"], dtype=object)[y]
    model = Seq2SeqClassifier(**FAST).fit(X[:90], names[:90])
    assert list(model.classes_) == ["decaying", "fast", "slow"]
    proba = model.predict_proba(X[90:])
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(model.predict_log_proba(X[90:]), np.log(proba), atol=1e-6)
    np.testing.assert_array_equal(model.predict(X[90:]), model.classes_[proba.argmax(axis=1)])
    assert model.decision_function(X[90:]).shape == (30, 3)
    binary = Seq2SeqClassifier(kernel_bank=False, **FAST).fit(X[:90], y[:90] > 0)
    scores = binary.decision_function(X[90:])
    np.testing.assert_array_equal(binary.predict(X[90:]), scores > 0)


def test_label_losses_count_labelled_samples_with_their_weights_and_confident_pseudo_labels():
    logits = torch.tensor([[2.0, 0.0], [0.0, 3.0], [5.0, -5.0], [0.1, 0.0]])
    labels = torch.tensor([0, 1, -1, -1])
    weights = torch.tensor([1.0, 3.0, 0.0, 0.0])
    expected = (torch.nn.functional.cross_entropy(logits[:1], labels[:1])
                + 3 * torch.nn.functional.cross_entropy(logits[1:2], labels[1:2])) / 2
    assert torch.isclose(weighted_label_loss(logits, labels, weights), expected)
    changed = logits.clone()
    changed[2:] = torch.tensor([[-9.0, 9.0], [4.0, 4.0]])  # unlabelled rows do not count
    assert torch.isclose(weighted_label_loss(changed, labels, weights), expected)
    # views: labelled rows toward their labels, row 2 (p=1.0) toward its pseudo-label 0, row 3 (p=0.52) not
    views = torch.tensor([[0.0, 1.0], [1.0, 0.0], [0.0, 2.0], [3.0, 0.0]])
    ce = torch.nn.functional.cross_entropy(views, torch.tensor([0, 1, 0, 0]), reduction="none")
    loss = view_label_loss(logits, views, labels, weights, threshold=0.8)
    assert torch.isclose(loss, (ce[0] + 3 * ce[1] + ce[2]) / 4)


def test_minus_one_marks_unlabelled_samples_unless_it_is_one_of_two_classes(chirps):
    X, y = chirps
    few = np.where(np.arange(120) < 30, y, -1)
    model = Seq2SeqClassifier(**FAST).fit(X, few)
    assert list(model.classes_) == [0, 1, 2]
    assert list(Seq2SeqClassifier(**FAST).fit(X, np.where(y > 0, 1, -1)).classes_) == [-1, 1]
    strings = np.array(["a", "b", "c"], dtype=object)[y]
    strings[30:] = -1
    assert list(Seq2SeqClassifier(**FAST).fit(X, strings).classes_) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="only one class is present"):
        Seq2SeqClassifier(**FAST).fit(X, np.full(120, 2))
    with pytest.raises(ValueError, match="no labelled sequences"):
        Seq2SeqClassifier(**FAST).fit(X, np.full(120, -1))
    with pytest.raises(ValueError, match="Unknown label type"):
        Seq2SeqClassifier(**FAST).fit(X, y + 0.5)


def test_unlabelled_sequences_improve_a_classifier_with_few_labels(digits):
    X, y = digits
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    X_train, y_train = X_train[:500], y_train[:500]
    few = np.where(np.arange(len(y_train)) < 50, y_train, -1)
    # the same optimiser steps in both fits (pretraining and training alike): 16 batches x 20 epochs = 2 x 160
    semi = Seq2SeqClassifier(max_epochs=20, random_state=0).fit(X_train, few)  # pretrained on all 500 images
    alone = Seq2SeqClassifier(max_epochs=160, random_state=0).fit(X_train[:50], y_train[:50])
    # measured: 0.884 against 0.760 (Intel Xeon, AVX-512)
    assert semi.score(X_test, y_test) > alone.score(X_test, y_test) + 0.05


def test_class_weight_balanced_and_dict(chirps):
    X, y = chirps
    yb = np.where(np.arange(120) < 100, 0, y)
    model = Seq2SeqClassifier(class_weight="balanced", **FAST)
    _, data = model._read_labels(yb, model._read_input(X), None)
    expected = compute_class_weight("balanced", classes=np.unique(yb), y=yb)[yb]
    np.testing.assert_allclose(data["label_weights"], expected, rtol=1e-6)
    # through the code's head alone: a kernel bank's head separates these training sequences whatever
    # the weights (the weights reaching it: test_with_a_kernel_bank_the_logits_are_two_logistic_regressions)
    heavy = Seq2SeqClassifier(class_weight={0: 100.0, 1: 0.01, 2: 0.01}, kernel_bank=False, **FAST).fit(X, y)
    plain = Seq2SeqClassifier(kernel_bank=False, **FAST).fit(X, y)
    # the weighted class gains probability on the other classes' sequences, and predictions
    heavy_share, plain_share = heavy.predict_proba(X)[y != 0, 0].mean(), plain.predict_proba(X)[y != 0, 0].mean()
    assert heavy_share > 0.5 and heavy_share > 10 * plain_share  # measured: 0.82 against 0.004
    assert (heavy.predict(X) == 0).mean() > (plain.predict(X) == 0).mean()


def test_with_a_kernel_bank_the_logits_are_two_logistic_regressions(chirps):
    X, y = chirps
    weights = {0: 3.0, 1: 1.0, 2: 0.5}
    model = Seq2SeqClassifier(class_weight=weights, **FAST).fit(X, y)
    assert model.net_.module_.bank_head is not None  # 24 steps: kernel_bank="auto" reads a bank
    seqs = model._check_X(X)
    sample_weight = np.vectorize(weights.get)(y)
    logits = []
    for inputs in (model.transform(X), inference.bank_features(model.net_, seqs.values, seqs.lengths)):
        inputs = StandardScaler().fit_transform(inputs.astype(np.float64))
        logits.append(LogisticRegression(max_iter=5000).fit(inputs, y, sample_weight=sample_weight)
                      .decision_function(inputs))
    # the normalised geometric mean of the two models' probabilities
    expected = softmax((logits[0] + logits[1]) / 2, axis=1)
    np.testing.assert_allclose(model.predict_proba(X), expected, atol=2e-4)


def test_the_bank_head_reads_the_labelled_sequences_alone(chirps):
    X, y = chirps
    y_few = np.where(np.arange(len(y)) < 30, y, -1)
    model = Seq2SeqClassifier(**FAST).fit(X, y_few)
    seqs = model._check_X(X)
    features = inference.bank_features(model.net_, seqs.values, seqs.lengths).astype(np.float64)  # as the refit reads them
    labelled = StandardScaler().fit(features[:30])
    expected = LogisticRegression(max_iter=5000).fit(labelled.transform(features[:30]), y[:30], sample_weight=np.ones(30))
    bank_logits = model.net_.module_.bank_head(torch.as_tensor(features, dtype=torch.float32)).detach().numpy()
    np.testing.assert_allclose(bank_logits, expected.decision_function(labelled.transform(features)) / 2, atol=1e-4)
    # (float32 weights: 8e-7 apart measured), and far from a fit on every sequence
    every = StandardScaler().fit(features)
    on_all = LogisticRegression(max_iter=5000).fit(every.transform(features), y).decision_function(every.transform(features))
    assert np.abs(bank_logits - on_all / 2).max() > 0.2


def test_every_input_form_ragged_padded_and_tokens():
    rng = np.random.RandomState(0)
    lengths = rng.randint(8, 25, size=80)
    y = rng.randint(0, 2, size=80)
    X = [np.sin((0.2 + 0.5 * label) * np.arange(n))[:, None] + 0.05 * rng.normal(size=(n, 1))
         for n, label in zip(lengths, y)]
    model = Seq2SeqClassifier(**FAST).fit(X, y)
    padded = np.full((80, 24, 1), np.nan)
    for i, x in enumerate(X):
        padded[i, : len(x)] = x
    np.testing.assert_allclose(model.predict_proba(padded), model.predict_proba(X), atol=1e-5)
    assert model.score(X, y) >= 0.9
    words = ["".join(rng.choice(list("abc" if label else "xyz"), size=n)) for n, label in zip(lengths, y)]
    tokens = Seq2SeqClassifier(**FAST).fit(words, np.array(["abc", "xyz"])[1 - y])
    assert tokens.predict(["abcabcabc", "zyxzyxzyx"]).tolist() == ["abc", "xyz"]


def test_a_pretrained_autoencoder_starts_the_classifier_and_stays_as_it_was(chirps):
    X, y = chirps
    pretrained = Seq2SeqTransformer(n_components=6, hidden_size=12, max_epochs=10, random_state=1).fit(X)
    weights = {k: v.clone() for k, v in pretrained.net_.module_.state_dict().items()}
    start = Seq2SeqClassifier(pretrained=pretrained, lr=1e-12, max_epochs=1, random_state=0).fit(X, y)
    np.testing.assert_allclose(start.transform(X), pretrained.transform(X), atol=1e-5)
    assert start.transform(X).shape[1] == 6 and len(start.get_feature_names_out()) == 6
    search = GridSearchCV(Seq2SeqClassifier(pretrained=FrozenEstimator(pretrained), max_epochs=10, random_state=0),
                          {"label_weight": [0.5, 2.0]}, cv=2).fit(X, y)
    assert search.best_score_ >= 0.7  # measured: 1.0 (chance: 0.33)
    assert all(torch.equal(weights[k], v) for k, v in pretrained.net_.module_.state_dict().items())
    with pytest.raises(ValueError, match="FrozenEstimator"):
        clone(Seq2SeqClassifier(pretrained=pretrained)).fit(X, y)
    regressor = Seq2SeqRegressor(max_epochs=1, **{k: v for k, v in FAST.items() if k != "max_epochs"}).fit(X, y)
    with pytest.raises(ValueError, match="must be an autoencoder"):
        Seq2SeqClassifier(pretrained=regressor).fit(X, y)


def test_fit_starts_from_an_autoencoder_of_every_sequence_unless_given_a_model_to_start_from(chirps, monkeypatch):
    X, y = chirps
    few = np.where(np.arange(120) < 30, y, -1)
    fits, models, original = [], [], Seq2SeqTransformer.fit

    def counted(self, X, y=None):
        fits.append(len(X))
        models.append(self)
        return original(self, X, y)

    monkeypatch.setattr(Seq2SeqTransformer, "fit", counted)
    still = dict(FAST, lr=1e-12, max_epochs=1)  # the classifier's own training leaves the weights as they start
    model = Seq2SeqClassifier(**still).fit(X, few)
    pretraining = models[0]
    alone = Seq2SeqTransformer(**still).fit(X)  # the same parameters and seed, fitted on every sequence
    assert fits == [120, 120] and model.encoder_ == pretraining.encoder_ == alone.encoder_ == "conv_recurrent"
    assert {**pretraining.get_params(), "frame_length": "auto"} == alone.get_params()  # frames resolved as ours
    np.testing.assert_allclose(model.transform(X), pretraining.transform(X), atol=1e-5)

    def scales(estimator):
        return [conv.dilation[0] for conv in estimator.net_.module_.front.convs]

    # the pretraining reads the classifier's wider scales, which a transformer's own encodings do not
    assert scales(model) == scales(pretraining) == [1, 4, 16] and scales(alone) == [1, 4]
    assert Seq2SeqClassifier(**still).fit(X, y).encoder_ == "conv_recurrent" and fits == [120] * 3  # all labelled
    assert Seq2SeqClassifier(pretrain=False, **still).fit(X, few).encoder_ == "conv" and len(fits) == 3
    assert Seq2SeqClassifier(pretrain=True, **still).fit(X, y).encoder_ == "conv_recurrent" and len(fits) == 4
    started = Seq2SeqClassifier(pretrained=FrozenEstimator(alone), **still).fit(X, few)
    assert len(fits) == 4 and scales(started) == [1, 4]  # a given model's architecture is kept
    np.testing.assert_allclose(started.transform(X), alone.transform(X), atol=1e-5)
    continued = Seq2SeqClassifier(warm_start=True, **still).fit(X, few)
    continued.fit(X, few)  # continues from its weights: no second pretraining
    assert len(fits) == 5
    with pytest.raises(ValueError, match="Unknown label type"):  # refused before pretraining
        Seq2SeqClassifier(**still).fit(X, np.linspace(0, 1, 120))
    assert len(fits) == 5
    with pytest.raises(ValueError, match="pretrain=True.*pretrained names one"):
        Seq2SeqClassifier(pretrain=True, pretrained=FrozenEstimator(alone)).fit(X, few)


def test_the_contrastive_term_is_off_when_every_sequence_is_labelled_and_on_for_its_pretraining(chirps, monkeypatch):
    X, y = chirps
    few = np.where(np.arange(120) < 30, y, -1)
    pretrainings, original = [], Seq2SeqTransformer.fit

    def kept(self, X, y=None):
        pretrainings.append(self)
        return original(self, X, y)

    monkeypatch.setattr(Seq2SeqTransformer, "fit", kept)
    quick = dict(FAST, max_epochs=1)

    def weight(model):
        assert model.net_.module_.contrastive == model.layout_.module_kwargs["contrastive"]
        return model.net_.module_.contrastive

    assert weight(Seq2SeqClassifier(**quick).fit(X, y)) == 0.0  # labels shape the encodings
    assert weight(pretrainings[-1]) == 1.0  # the autoencoder it starts from keeps the term
    assert weight(Seq2SeqClassifier(**quick).fit(X, few)) == 1.0  # unlabelled sequences learn from it
    assert weight(Seq2SeqClassifier(pretrain=False, **quick).fit(X, y)) == 0.0
    assert weight(Seq2SeqClassifier(pretrained=FrozenEstimator(pretrainings[-1]), **quick).fit(X, y)) == 0.0
    assert weight(Seq2SeqClassifier(contrastive=0.5, **quick).fit(X, y)) == 0.5  # a weight given is kept
    continued = Seq2SeqClassifier(warm_start=True, pretrain=False, **quick).fit(X, y)
    assert weight(continued.fit(X, few)) == 0.0  # "auto" stays as the fit resolved it
    assert weight(continued.set_params(contrastive=0.5).fit(X, few)) == 0.5


def test_one_pretraining_starts_classifiers_as_their_own_fits_would_and_saves_as_a_transformer(chirps, tmp_path):
    X, y = chirps
    classifier = Seq2SeqClassifier(**FAST)
    pretraining = classifier.pretrain_autoencoder(X)
    assert classifier.__dict__ == Seq2SeqClassifier(**FAST).__dict__  # the classifier is not changed
    assert isinstance(pretraining, Seq2SeqTransformer) and pretraining.transform(X).shape == (120, 8)
    own = Seq2SeqClassifier(**FAST).fit(X, y)
    started = Seq2SeqClassifier(pretrained=FrozenEstimator(pretraining), **FAST).fit(X, y)
    np.testing.assert_allclose(started.predict_proba(X), own.predict_proba(X), atol=1e-5)
    few = np.where(np.arange(120) < 30, y, -1)  # with unlabelled sequences too
    np.testing.assert_allclose(Seq2SeqClassifier(pretrained=FrozenEstimator(pretraining), **FAST).fit(X, few)
                               .predict_proba(X), Seq2SeqClassifier(**FAST).fit(X, few).predict_proba(X), atol=1e-5)
    save(pretraining, tmp_path / "pretraining.s2s")
    loaded = load(tmp_path / "pretraining.s2s")
    assert type(loaded) is Seq2SeqTransformer
    np.testing.assert_allclose(loaded.transform(X), pretraining.transform(X), atol=1e-6)  # the front end kept
    again = Seq2SeqClassifier(pretrained=FrozenEstimator(loaded), **FAST).fit(X, y)
    np.testing.assert_allclose(again.predict_proba(X), own.predict_proba(X), atol=1e-5)
    with pytest.raises(ValueError, match="n_components"):
        Seq2SeqClassifier(n_components=0).pretrain_autoencoder(X)


def test_fits_of_several_seeds_from_one_pretraining_average_in_a_soft_voting_classifier(chirps):
    # the documented way to trade fit time for accuracy (docs/user_guide/classification.md)
    X, y = chirps
    X3 = X[:, :, None]  # (n, T, F): VotingClassifier passes 3-D input through to the members
    pretraining = FrozenEstimator(Seq2SeqClassifier(**FAST).pretrain_autoencoder(X3[:90]))
    vote = VotingClassifier(
        [(f"seed{s}", Seq2SeqClassifier(pretrained=pretraining, **dict(FAST, random_state=s))) for s in (0, 1)],
        voting="soft").fit(X3[:90], y[:90])
    members = [member.predict_proba(X3[90:]) for member in vote.estimators_]
    # different seeds, different fits (their probabilities are near 0 or 1 here: compare the logits)
    scores = [member.decision_function(X3[90:]) for member in vote.estimators_]
    assert not np.allclose(scores[0], scores[1], atol=1e-2)
    np.testing.assert_allclose(vote.predict_proba(X3[90:]), np.mean(members, axis=0), atol=1e-6)
    assert vote.score(X3[90:], y[90:]) >= 0.9


def test_pipelines_persistence_and_continued_training(chirps, tmp_path):
    X, y = chirps
    names = np.array(["a", "b", "c"])[y]
    pipe = make_pipeline(Seq2SeqClassifier(class_weight={"a": 2.0}, **FAST)).fit(X, names)
    model = pipe[-1]
    save(model, tmp_path / "c.s2s")
    loaded = load(tmp_path / "c.s2s")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.class_weight == {"a": 2.0} and list(loaded.classes_) == ["a", "b", "c"]
    joblib.dump(model, tmp_path / "c.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "c.joblib").predict(X), model.predict(X))
    model.set_params(warm_start=True, max_epochs=2).fit(X, names)
    assert model.n_iter_ == FAST["max_epochs"] + 2
    before = model.predict_proba(X)
    with pytest.raises(ValueError, match="not fitted with"):
        model.fit(X, np.where(y == 0, "d", names))
    np.testing.assert_array_equal(model.predict_proba(X), before)


def test_the_head_is_a_converged_logistic_regression_on_the_encodings(chirps):
    X, y = chirps
    # the code's head alone (with a kernel bank: test_with_a_kernel_bank_the_logits_are_two_logistic_regressions)
    model = Seq2SeqClassifier(kernel_bank=False, **FAST).fit(X[:90], y[:90])
    codes = model.transform(X[:90]).astype(np.float64)
    reference = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(codes, y[:90])
    np.testing.assert_allclose(model.predict_proba(X[90:]), reference.predict_proba(model.transform(X[90:])),
                               atol=1e-4)
    binary = Seq2SeqClassifier(kernel_bank=False, **FAST).fit(X[:90], y[:90] > 0)
    reference = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(binary.transform(X[:90]),
                                                                                        y[:90] > 0)
    np.testing.assert_allclose(binary.predict_proba(X[90:]), reference.predict_proba(binary.transform(X[90:])),
                               atol=1e-4)


def test_max_epochs_auto_gives_classifiers_twice_the_steps_of_the_other_estimators(tmp_path):
    X = np.random.RandomState(0).normal(size=(200, 4, 1))  # 7 batches of 32
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    small = dict(hidden_size=4, n_components=2, random_state=0)
    assert len(Seq2SeqTransformer(**small).fit(X).history_) == 43  # ceil(300 / 7)
    classifier = Seq2SeqClassifier(**small).fit(X, y)
    assert len(classifier.history_) == 86  # ceil(600 / 7)
    save(classifier, tmp_path / "classifier.s2s")
    assert load(tmp_path / "classifier.s2s").net_.max_epochs == classifier.net_.max_epochs == 86  # as fitted
    classifier.set_params(warm_start=True).fit(X, y)  # a continuation counts the same way
    assert len(classifier.history_) == 172
