"""The safe model format: save/load round trips, and foreign or tampered files refused without running them."""

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from skorch.callbacks import EpochTimer

from sklearn_seq2seq import ModelFileError, Seq2SeqRegressor, Seq2SeqTransformer, load, save
from sklearn_seq2seq.persistence import FORMAT_VERSION

FAST = dict(hidden_size=8, n_components=4, max_epochs=2, random_state=0)
rng = np.random.RandomState(0)
X = rng.normal(size=(40, 10, 2))
RAGGED = [rng.normal(size=(n, 2)) for n in rng.randint(3, 12, size=30)]
WORDS = ["abc", "cab", "", "é🙂"] * 10


def _cases():
    return {
        "transformer 3-D": (Seq2SeqTransformer(**FAST).fit(X), X),
        "regressor vector target": (Seq2SeqRegressor(**FAST).fit(X, X[:, :3, 0]), X),
        "ragged autoencoder": (Seq2SeqTransformer(**FAST).fit(RAGGED), RAGGED),
        "strings to strings, beam": (
            Seq2SeqTransformer(attend_over="encoder", beam_width=3, **FAST).fit(WORDS, [w[::-1] for w in WORDS]), WORDS),
        "strings to numbers": (Seq2SeqRegressor(**FAST).fit(WORDS, np.arange(40.0)), WORDS),
    }


@pytest.mark.parametrize("case", list(_cases()))
def test_round_trip_gives_identical_outputs(case, tmp_path):
    model, data = _cases()[case]
    path = tmp_path / "model.s2s"
    save(model, path)
    loaded = load(path)
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.transform(data), model.transform(data))
    for got, expected in zip(loaded.predict(data), model.predict(data)):
        np.testing.assert_array_equal(got, expected)
    assert loaded.n_iter_ == model.n_iter_ and loaded.history_[:, "train_loss"] == model.history_[:, "train_loss"]


def test_file_is_json_plus_tensors_and_smaller_than_joblib(tmp_path):
    import joblib

    model = Seq2SeqTransformer(**FAST).fit(X)
    save(model, tmp_path / "m.s2s")
    joblib.dump(model, tmp_path / "m.joblib")
    with zipfile.ZipFile(tmp_path / "m.s2s") as archive:
        metadata = json.loads(archive.read("metadata.json"))
        weights = torch.load(io.BytesIO(archive.read("weights.pt")), weights_only=True)
    assert metadata["format"] == "sklearn_seq2seq" and metadata["format_version"] == FORMAT_VERSION
    assert metadata["class"] == "Seq2SeqTransformer" and metadata["params"]["hidden_size"] == 8
    assert set(weights) == set(model.net_.module_.state_dict())
    # no optimizer state: about a third of the joblib file (which pickles the whole skorch net)
    assert os.path.getsize(tmp_path / "m.s2s") < os.path.getsize(tmp_path / "m.joblib")


def test_a_loaded_model_trains_on(tmp_path):
    model = Seq2SeqRegressor(**FAST).fit(X, X[:, :3, 0])
    save(model, tmp_path / "m.s2s")
    loaded = load(tmp_path / "m.s2s").partial_fit(X, X[:, :3, 0])
    assert loaded.n_iter_ == 3 and np.isfinite(loaded.predict(X)).all()


def test_what_cannot_be_saved_is_said(tmp_path):
    with pytest.raises(NotFittedError):
        save(Seq2SeqTransformer(), tmp_path / "m.s2s")
    with pytest.raises(TypeError, match="stores Seq2SeqTransformer and Seq2SeqRegressor"):
        save(object(), tmp_path / "m.s2s")
    with pytest.warns(UserWarning, match="callbacks parameter is not saved"):
        save(Seq2SeqTransformer(callbacks=[EpochTimer()], **FAST).fit(X), tmp_path / "m.s2s")
    assert load(tmp_path / "m.s2s").callbacks is None

    class MyAdam(torch.optim.Adam):
        pass

    with pytest.raises(TypeError, match="not a torch.optim class"):
        save(Seq2SeqTransformer(optimizer=MyAdam, **FAST).fit(X), tmp_path / "m.s2s")
    save(Seq2SeqTransformer(optimizer=torch.optim.AdamW, **FAST).fit(X), tmp_path / "m.s2s")
    assert load(tmp_path / "m.s2s").optimizer is torch.optim.AdamW


class _Payload:
    """Unpickling this would create a file: the proof that code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _rewrite(src, dst, **replace):
    with zipfile.ZipFile(src) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries.update(replace)
    with zipfile.ZipFile(dst, "w") as archive:
        for name, data in entries.items():
            if data is not None:
                archive.writestr(name, data)


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "good.s2s"
    save(Seq2SeqTransformer(**FAST).fit(X), path)
    with zipfile.ZipFile(path) as archive:
        metadata = json.loads(archive.read("metadata.json"))
    return path, metadata


def test_tampered_weights_are_refused_without_running_code(saved, tmp_path):
    path, _ = saved
    sentinel = tmp_path / "pwned"
    evil = io.BytesIO()
    torch.save({"encoder.rnn.weight_ih_l0": _Payload(str(sentinel))}, evil)  # a pickle with a code payload
    _rewrite(path, tmp_path / "evil.s2s", **{"weights.pt": evil.getvalue()})
    with pytest.raises(ModelFileError, match="cannot be read safely"):
        load(tmp_path / "evil.s2s")
    assert not sentinel.exists()
    _rewrite(path, tmp_path / "pickle.s2s", **{"weights.pt": pickle.dumps(_Payload(str(sentinel)), protocol=2)})
    with pytest.raises(ModelFileError):
        load(tmp_path / "pickle.s2s")
    assert not sentinel.exists()


@pytest.mark.parametrize("change, match", [
    (lambda m: m.update(format="something else"), "does not describe a sklearn_seq2seq model"),
    (lambda m: m.update(format_version=FORMAT_VERSION + 1), "format version 2.*Upgrade"),
    (lambda m: m.update({"class": "os.system"}), "only .* can be loaded"),
    (lambda m: m["params"].update(hidden_size=-3), "hyper-parameters are not valid"),
    (lambda m: m["state"]["_module_kwargs"]["dict"].update(hidden_size=9), "weights or state do not make"),
    (lambda m: m["state"].update(_x_scale={"__reduce__": "os.system"}), "not a value of the format"),
    (lambda m: m["state"].update(not_state=1), "not fitted state"),
    (lambda m: m["state"].update(_x_mean={"ndarray": [1.0], "dtype": "|V8"}), "not part of the format"),
    (lambda m: m.pop("history"), "lacks 'history'"),
], ids=["format", "version", "class", "bad param", "shape mismatch", "unknown form", "not state", "dtype", "missing"])
def test_altered_metadata_is_a_clear_error(saved, tmp_path, change, match):
    path, metadata = saved
    change(metadata)
    _rewrite(path, tmp_path / "altered.s2s", **{"metadata.json": json.dumps(metadata).encode()})
    with pytest.raises(ModelFileError, match=match):
        load(tmp_path / "altered.s2s")


def test_foreign_files_are_a_clear_error(saved, tmp_path):
    path, _ = saved
    (tmp_path / "text.s2s").write_text("hello")
    with pytest.raises(ModelFileError, match="not a zip archive"):
        load(tmp_path / "text.s2s")
    _rewrite(path, tmp_path / "extra.s2s", **{"other.txt": b"x"})
    with pytest.raises(ModelFileError, match="not a sklearn_seq2seq model file"):
        load(tmp_path / "extra.s2s")
    _rewrite(path, tmp_path / "json.s2s", **{"metadata.json": b"{not json"})
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load(tmp_path / "json.s2s")
