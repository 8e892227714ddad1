"""Faults and concurrency: interrupted fits, divergence, several threads predicting at once."""

import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from skorch.callbacks import Callback

from sklearn_seq2seq import Seq2SeqRegressor, Seq2SeqTransformer

FAST = dict(hidden_size=8, n_components=4, random_state=0)
X = np.random.RandomState(0).normal(size=(64, 10, 2))


class _InterruptAt(Callback):
    """Raises KeyboardInterrupt (as Ctrl-C would) at a given epoch, after a given number of batches."""

    def __init__(self, epoch, after_batches=None):
        self.epoch = epoch
        self.after_batches = after_batches

    def on_epoch_end(self, net, **kwargs):
        if self.after_batches is None and len(net.history) == self.epoch:
            raise KeyboardInterrupt

    def on_batch_end(self, net, **kwargs):
        if self.after_batches is not None and len(net.history) == self.epoch \
                and len(net.history[-1]["batches"]) == self.after_batches:
            raise KeyboardInterrupt


@pytest.mark.parametrize("after_batches", [None, 1], ids=["between epochs", "mid-epoch"])
def test_keyboard_interrupt_leaves_a_usable_model_with_its_history(after_batches):
    model = Seq2SeqTransformer(max_epochs=10, callbacks=[_InterruptAt(3, after_batches)], **FAST)
    with pytest.warns(UserWarning, match="interrupted.*after [23] complete epoch"):
        model.fit(X)
    assert model.n_iter_ == (3 if after_batches is None else 2)
    assert len(model.history_[:, "train_loss"]) == model.n_iter_
    assert model.transform(X).shape == (64, 4) and np.isfinite(model.transform(X)).all()


def test_diverging_fit_names_the_cause_and_keeps_the_fitted_model():
    model = Seq2SeqRegressor(max_epochs=3, **FAST).fit(X, X[:, :, 0].sum(axis=1))
    before = model.predict(X)
    huge = X * 1e30
    with pytest.raises(FloatingPointError, match="diverged.*Lower `lr`"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy overflow while standardising 1e30s
            model.set_params(standardize=False, lr=1e3, clip_grad_norm=None).fit(huge, huge[:, :, 0].sum(axis=1))
    np.testing.assert_array_equal(model.predict(X), before)


def test_threads_predicting_at_once_give_the_sequential_outputs():
    model = Seq2SeqTransformer(max_epochs=3, **FAST).fit(X)
    inputs = [X[i::4] for i in range(4)] * 3
    sequential = [(model.transform(x), model.predict(x)) for x in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda x: (model.transform(x), model.predict(x)), inputs))
    for (z1, p1), (z2, p2) in zip(sequential, parallel):
        np.testing.assert_array_equal(z1, z2)
        np.testing.assert_array_equal(p1, p2)


def test_threads_generating_strings_at_once_give_the_sequential_outputs():
    words = ["abc", "cab", "bca", "aab", "ccb"] * 20
    model = Seq2SeqTransformer(attend_over="encoder", max_epochs=3, beam_width=3, **FAST).fit(words, words)
    chunks = [words[i::5] for i in range(5)] * 2
    sequential = [model.predict(c) for c in chunks]
    with ThreadPoolExecutor(max_workers=5) as pool:
        parallel = list(pool.map(model.predict, chunks))
    for a, b in zip(sequential, parallel):
        np.testing.assert_array_equal(a, b)


def test_checkpoints_of_parallel_fits_do_not_collide_and_a_fit_resumes_from_its_own(tmp_path):
    from joblib import Parallel, delayed
    from skorch.callbacks import Checkpoint, LoadInitState

    def make(max_epochs):
        checkpoint = Checkpoint(dirname=str(tmp_path), monitor="train_loss_best")
        return Seq2SeqTransformer(max_epochs=max_epochs, callbacks=[checkpoint, LoadInitState(checkpoint)], **FAST)

    data = [X, X[:, ::-1], X * 2]  # three fits at once, all given the same checkpoint dirname
    Parallel(n_jobs=3, backend="threading")(delayed(make(4).fit)(x) for x in data)
    folders = sorted(p.name for p in tmp_path.iterdir())
    assert len(folders) == 3 and all((tmp_path / f / "params.pt").exists() for f in folders)
    # the same parameters and data find their checkpoint and continue from its weights and history
    resumed = make(4).fit(X)
    assert len(resumed.history_) == 8 and resumed.n_iter_ == 8
    fresh = Seq2SeqTransformer(max_epochs=4, **FAST).fit(X)
    assert resumed.history_[4, "train_loss"] < fresh.history_[0, "train_loss"]


def test_concurrent_inference_batches_match_one_at_a_time_and_leave_thread_settings_alone(monkeypatch):
    import threading

    import torch

    import sklearn_seq2seq._net as net

    ragged = [x[: 3 + i % 8] for i, x in enumerate(np.random.RandomState(1).normal(size=(700, 10, 2)))]
    model = Seq2SeqTransformer(max_epochs=2, **FAST).fit(ragged)
    threads = torch.get_num_threads()
    used = []
    concurrent = net._map_concurrently
    monkeypatch.setattr(net, "_map_concurrently", lambda *a: used.append(1) or concurrent(*a))
    Z, Y = model.transform(ragged), model.predict(ragged)  # 3 inference batches
    assert used
    monkeypatch.setattr(net, "_map_concurrently", lambda fn, items, device: map(fn, items))
    np.testing.assert_array_equal(Z, model.transform(ragged))
    assert all(np.array_equal(a, b) for a, b in zip(Y, model.predict(ragged)))
    # the caller's torch thread count stays, and so does the count a new thread starts with
    assert torch.get_num_threads() == threads
    seen = []
    thread = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    thread.start()
    thread.join()
    assert seen == [threads]


def test_concurrent_batches_are_bounded_and_use_one_torch_thread_each(monkeypatch):
    import threading

    import torch

    import sklearn_seq2seq._net as net

    model = Seq2SeqTransformer(max_epochs=1, **FAST).fit(X)
    data = np.random.RandomState(2).normal(size=(1100, 10, 2))  # 5 inference batches
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(4)
        monkeypatch.setattr(net, "MAX_CONCURRENT_BATCHES", 2)
        seen = set()
        concurrent = net._map_concurrently
        monkeypatch.setattr(net, "_map_concurrently", lambda fn, items, device: concurrent(
            lambda i: seen.add((threading.current_thread().name, torch.get_num_threads())) or fn(i), items, device))
        Z = model.transform(data)
        assert {n for _, n in seen} == {1} and len(seen) == 2  # 2 threads with 1 torch thread each
        assert torch.get_num_threads() == 4
        # one sequence at a time is computed in the pool too, so with the same thread count
        np.testing.assert_array_equal(np.vstack([model.transform(data[i : i + 1]) for i in range(0, 1100, 97)]),
                                      Z[::97])
    finally:
        torch.set_num_threads(threads)
