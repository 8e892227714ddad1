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
    with pytest.raises(KeyboardInterrupt, match="interrupted after [23] complete epoch"):
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
        checkpoint = Checkpoint(dirname=str(tmp_path), monitor=None)  # every epoch
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


def test_fits_in_threads_at_once_give_the_results_of_fits_one_after_another():
    from joblib import Parallel, delayed

    data = [X, X[:, ::-1], X * 2]
    alone = [Seq2SeqTransformer(max_epochs=3, **FAST).fit(x).transform(x) for x in data]
    # before each fit shuffled from torch's global stream, so threads drew from each other's
    together = Parallel(n_jobs=3, backend="threading")(
        delayed(lambda x: Seq2SeqTransformer(max_epochs=3, **FAST).fit(x).transform(x))(x) for x in data)
    # Drawing from one shared stream moved encodings by up to 0.097. What remains is float rounding that
    # depends on where each thread's buffers lie (oneDNN/MKL kernels): up to 0.0012 after 3 epochs in CI.
    for a, b in zip(alone, together):
        np.testing.assert_allclose(a, b, atol=1e-2)


def test_keyboard_interrupt_in_a_grid_search_stops_the_search():
    from sklearn.model_selection import GridSearchCV

    fits = []

    class _Counting(_InterruptAt):
        def on_train_begin(self, net, **kwargs):
            fits.append(1)

    search = GridSearchCV(Seq2SeqTransformer(max_epochs=5, callbacks=[_Counting(2)], **FAST),
                          {"hidden_size": [4, 8]}, cv=2, error_score="raise")
    with pytest.raises(KeyboardInterrupt):
        search.fit(X)
    assert len(fits) == 1  # the first interrupted fit ended the search: no other fit started


def test_early_stopping_is_no_interrupt():
    model = Seq2SeqRegressor(max_epochs=200, early_stopping=True, n_iter_no_change=2, lr=0.3, **FAST)
    model.fit(X, X[:, 0, 0])  # a high learning rate: the validation loss stops improving early
    assert model.n_iter_ < 200


def test_wide_linear_layers_compute_each_row_alike_in_any_batch_in_evaluation():
    import torch

    from sklearn_seq2seq._nn.rowwise_linear import RowwiseLinear

    torch.manual_seed(0)
    layer = RowwiseLinear(7056, 32)  # as wide as a univariate series' kernel bank features
    rows = torch.randn(256, 7056)
    with torch.no_grad():
        trained = torch.nn.functional.linear(rows, layer.weight, layer.bias)
        assert torch.equal(layer(rows), trained)  # training: a plain linear layer
        layer.eval()
        together = layer(rows)
        for size in (1, 5, 16, 17, 32, 100):  # on some CPUs a plain product of 16 rows sums in another order
            assert torch.equal(layer(rows[:size].clone()), together[:size])
        torch.testing.assert_close(together, trained, rtol=1e-5, atol=1e-5)


def test_inference_runs_rows_alike_in_any_batch_and_leaves_thread_settings_alone():
    import threading

    import torch

    # rows are padded to whole blocks, so a sequence's outputs do not depend on how many others were
    # passed with it: bit for bit (ragged sequences agree within rounding: test_variable_length.py)
    data = np.random.RandomState(1).normal(size=(700, 10, 2))
    model = Seq2SeqTransformer(max_epochs=2, **FAST).fit(data)
    threads = torch.get_num_threads()
    Z, Y = model.transform(data), model.predict(data)  # 3 inference batches of up to 256 rows
    np.testing.assert_array_equal(np.vstack([model.transform(data[i : i + 1]) for i in range(0, 700, 97)]), Z[::97])
    np.testing.assert_array_equal(np.vstack([model.predict(data[i : i + 1]) for i in range(0, 700, 97)]), Y[::97])
    np.testing.assert_array_equal(model.transform(data[5:38]), Z[5:38])
    # the caller's torch thread count stays, and so does the count a new thread starts with
    assert torch.get_num_threads() == threads
    seen = []
    thread = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    thread.start()
    thread.join()
    assert seen == [threads]


def test_inference_batches_are_copies_also_of_read_only_float32_input():
    from sklearn_seq2seq._training import batch_tensor

    data = np.random.RandomState(3).normal(size=(40, 10, 2)).astype(np.float32)
    data.setflags(write=False)
    batch = batch_tensor(data, slice(0, 16))  # inference takes consecutive slices
    assert batch.numpy().flags.writeable and not np.shares_memory(batch.numpy(), data)
    np.testing.assert_array_equal(batch.numpy(), data[:16])
