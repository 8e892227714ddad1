"""The safe model format: save/load round trips, and foreign or tampered files refused without running them."""

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from scipy.special import softmax
from sklearn.exceptions import NotFittedError
from skorch.callbacks import EpochTimer

from sklearn_seq2seq import ModelFileError, Seq2SeqClassifier, Seq2SeqRegressor, Seq2SeqTransformer, load, save
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
        "regressor one number (value head)": (Seq2SeqRegressor(**FAST).fit(X, X[:, -1, 0]), X),
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


def test_file_is_json_plus_safetensors_and_smaller_than_joblib(tmp_path):
    import joblib
    from safetensors.torch import load as load_tensors

    model = Seq2SeqTransformer(**FAST).fit(X)
    save(model, tmp_path / "m.s2s")
    joblib.dump(model, tmp_path / "m.joblib")
    with zipfile.ZipFile(tmp_path / "m.s2s") as archive:
        assert set(archive.namelist()) == {"metadata.json", "weights.safetensors"}
        metadata = json.loads(archive.read("metadata.json"))
        weights = load_tensors(archive.read("weights.safetensors"))
    assert metadata["format"] == "sklearn_seq2seq" and metadata["format_version"] == FORMAT_VERSION == 2
    assert set(metadata) == {"format", "format_version", "package_version", "class", "params", "layout",
                             "fitted", "history"}
    assert metadata["class"] == "Seq2SeqTransformer" and metadata["params"]["hidden_size"] == 8
    assert metadata["layout"]["targets_from"] == "X" and metadata["fitted"]["n_iter_"] == 2
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
    with pytest.raises(TypeError, match="stores Seq2SeqClassifier, Seq2SeqRegressor, Seq2SeqTransformer models"):
        save(object(), tmp_path / "m.s2s")

    class MyTransformer(Seq2SeqTransformer):
        pass

    with pytest.raises(TypeError, match="got MyTransformer, a subclass, which would load as another class"):
        save(MyTransformer(**FAST).fit(X), tmp_path / "m.s2s")
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


def _saved_contents(model, path):
    """Save ``model`` to ``path``; the file's metadata (parsed JSON) and weights (tensors by name)."""
    save(model, path)
    with zipfile.ZipFile(path) as archive:
        return json.loads(archive.read("metadata.json")), load_tensors(archive.read("weights.safetensors"))


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "good.s2s"
    metadata, _ = _saved_contents(Seq2SeqTransformer(**FAST).fit(X), path)
    return path, metadata


def test_tampered_weights_are_refused_without_running_code(saved, tmp_path):
    path, _ = saved
    sentinel = tmp_path / "pwned"
    evil = io.BytesIO()
    torch.save({"encoder.rnn.weight_ih_l0": _Payload(str(sentinel))}, evil)  # a pickle with a code payload
    _rewrite(path, tmp_path / "evil.s2s", **{"weights.safetensors": evil.getvalue()})
    with pytest.raises(ModelFileError, match="not a safetensors file"):
        load(tmp_path / "evil.s2s")
    assert not sentinel.exists()
    _rewrite(path, tmp_path / "pickle.s2s", **{"weights.safetensors": pickle.dumps(_Payload(str(sentinel)), protocol=2)})
    with pytest.raises(ModelFileError):
        load(tmp_path / "pickle.s2s")
    assert not sentinel.exists()


def test_weights_of_another_shape_are_refused(saved, tmp_path):
    from safetensors.torch import save as save_tensors

    path, _ = saved
    other = Seq2SeqTransformer(**{**FAST, "hidden_size": 9}).fit(X)
    tensors = {k: v.contiguous() for k, v in other.net_.module_.state_dict().items()}
    _rewrite(path, tmp_path / "other.s2s", **{"weights.safetensors": save_tensors(tensors)})
    with pytest.raises(ModelFileError, match="weights or layout do not make"):
        load(tmp_path / "other.s2s")


@pytest.mark.parametrize("change, match", [
    (lambda m: m.update(format="something else"), "does not describe a sklearn_seq2seq model"),
    (lambda m: m.update(format_version=FORMAT_VERSION + 1), "format version 3.*Upgrade"),
    (lambda m: m.update({"class": "os.system"}), "only .* can be loaded"),
    (lambda m: m["params"].update(hidden_size=-3), "hyper-parameters are not valid"),
    (lambda m: m["params"].update(__class__="x"), "not those of Seq2SeqTransformer.*__class__"),
    (lambda m: m["params"].update(optimizer={"torch.optim": "load"}), "not a torch.optim optimizer"),
    (lambda m: m["layout"]["module_kwargs"].update(hidden_size=9), "weights or layout do not make"),
    (lambda m: m["layout"]["module_kwargs"].update(__init__=9), "module arguments must be"),
    (lambda m: m["layout"].update(x_scale={"__reduce__": "os.system"}), "layout field 'x_scale'"),
    (lambda m: m["layout"].update(net_="x"), "unknown: \\['net_'\\]"),
    (lambda m: m["layout"].update(targets_from="os"), "layout field 'targets_from'"),
    (lambda m: m["fitted"].update(predict="x"), "fitted attributes are not"),
    (lambda m: m.update(extra=1), "has the sections"),
    (lambda m: m.pop("history"), "has the sections"),
], ids=["format", "version", "class", "bad param", "unknown param", "optimizer", "shape mismatch",
        "unknown module argument", "unknown form", "unknown layout key", "bad choice", "unknown attribute",
        "extra section", "missing section"])
def test_altered_metadata_is_a_clear_error(saved, tmp_path, change, match):
    path, metadata = saved
    change(metadata)
    _rewrite(path, tmp_path / "altered.s2s", **{"metadata.json": json.dumps(metadata).encode()})
    with pytest.raises(ModelFileError, match=match):
        load(tmp_path / "altered.s2s")


def test_version_1_files_say_how_to_convert_them(saved, tmp_path):
    path, _ = saved
    with zipfile.ZipFile(tmp_path / "v1.s2s", "w") as archive:
        archive.writestr("metadata.json", json.dumps({"format": "sklearn_seq2seq", "format_version": 1}))
        archive.writestr("weights.pt", b"")
    with pytest.raises(ModelFileError, match="format version 1.*convert_v1"):
        load(tmp_path / "v1.s2s")


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


@pytest.mark.parametrize("name", ["regressor", "tokens"])
def test_version_1_files_convert_and_give_the_outputs_they_gave(name, tmp_path):
    """The files in tests/data were written by sklearn_seq2seq 0.1 (format version 1), with its outputs."""
    from sklearn_seq2seq.persistence import convert_v1

    data = os.path.join(os.path.dirname(__file__), "data")
    expected = np.load(os.path.join(data, "v1_outputs.npz"))
    convert_v1(os.path.join(data, f"{name}_v1.s2s"), tmp_path / "v2.s2s")
    model = load(tmp_path / "v2.s2s", device="cpu")  # the expected outputs were computed on a CPU
    inputs = expected["X"] if name == "regressor" else ["abc", "cab", "ba", "c"]
    # the same weights give the same numbers up to the last bit or two of float32, which depends on the
    # CPU's vector instructions (an AVX-512 machine differs from the one that wrote them by 6e-8); a
    # conversion error would change them by far more
    same = dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.transform(inputs), expected[f"{name[:3]}_transform"], **same)
    predicted = model.predict(inputs)
    if name == "tokens":
        assert list(predicted) == list(expected["tok_predict"])
    else:
        np.testing.assert_allclose(predicted, expected["reg_predict"], **same)


def test_a_tampered_version_1_file_is_refused_by_the_converter(tmp_path):
    from sklearn_seq2seq.persistence import convert_v1

    sentinel = tmp_path / "pwned"
    with zipfile.ZipFile(tmp_path / "evil_v1.s2s", "w") as archive:
        archive.writestr("metadata.json", json.dumps({"format": "sklearn_seq2seq", "format_version": 1}))
        archive.writestr("weights.pt", pickle.dumps(_Payload(str(sentinel)), protocol=2))
    with pytest.raises(ModelFileError, match="not a valid format version 1"):
        convert_v1(tmp_path / "evil_v1.s2s", tmp_path / "out.s2s")
    assert not sentinel.exists()


def test_files_of_version_0_2_without_the_newer_parameters_load_as_they_were_built(tmp_path):
    # 0.2.0 wrote no encoder/frame_length/contrastive/n_threads: such a file is a recurrent model read a
    # step at a time and trained without the contrastive term
    model = Seq2SeqTransformer(encoder="recurrent", frame_length=1, contrastive=0.0, kernel_bank=False, **FAST).fit(X)
    path = tmp_path / "new.s2s"
    metadata, _ = _saved_contents(model, path)
    for name in ("encoder", "frame_length", "contrastive", "n_threads", "kernel_bank"):
        del metadata["params"][name]
    for name in ("encoder", "frame_length", "contrastive"):
        del metadata["layout"]["module_kwargs"][name]
    _rewrite(path, tmp_path / "old.s2s", **{"metadata.json": json.dumps(metadata).encode()})
    loaded = load(tmp_path / "old.s2s")
    assert loaded.get_params()["frame_length"] == 1 and loaded.frame_length_ == 1
    assert loaded.get_params()["encoder"] == "recurrent" and loaded.encoder_ == "recurrent"
    np.testing.assert_allclose(loaded.transform(X), model.transform(X), atol=1e-6)


def test_files_written_before_the_kernel_bank_load_without_one(tmp_path):
    model = Seq2SeqTransformer(kernel_bank=False, **FAST).fit(X)
    path = tmp_path / "new.s2s"
    metadata, _ = _saved_contents(model, path)
    assert "kernel_bank_steps" not in metadata["layout"]["module_kwargs"]
    del metadata["params"]["kernel_bank"]
    _rewrite(path, tmp_path / "old.s2s", **{"metadata.json": json.dumps(metadata).encode()})
    loaded = load(tmp_path / "old.s2s")
    assert loaded.get_params()["kernel_bank"] is False and loaded.net_.module_.kernel_bank is None
    np.testing.assert_allclose(loaded.transform(X), model.transform(X), atol=1e-6)
    assert load(path).get_params()["kernel_bank"] is False  # the file as written keeps its value


def test_files_written_before_the_bank_read_each_series_by_itself_load_with_the_global_reading(tmp_path):
    model = Seq2SeqTransformer(**FAST).fit(X)
    bank = model.net_.module_.kernel_bank
    assert bank.per_sequence
    path = tmp_path / "new.s2s"
    metadata, weights = _saved_contents(model, path)
    del metadata["layout"]["module_kwargs"]["kernel_bank_per_sequence"]
    # an old file holds the global reading's half of the bank: per dilation, its kernels come first
    kernels = bank.weight.shape[0] // 2
    features = torch.arange(bank.output_size).view(len(bank.dilations), 2, -1)[:, 0].flatten()
    old = {**weights, "kernel_bank.weight": weights["kernel_bank.weight"][:kernels],
           "kernel_bank.bias": weights["kernel_bank.bias"][:, :kernels],
           "kernel_bank.feature_mean": weights["kernel_bank.feature_mean"][features],
           "kernel_bank.feature_scale": weights["kernel_bank.feature_scale"][features],
           "kernel_bank_proj.weight": weights["kernel_bank_proj.weight"][:, features]}
    _rewrite(path, tmp_path / "old.s2s", **{"metadata.json": json.dumps(metadata).encode(),
                                            "weights.safetensors": save_tensors({k: v.contiguous() for k, v in old.items()})})
    loaded = load(tmp_path / "old.s2s")
    assert not loaded.net_.module_.kernel_bank.per_sequence
    assert loaded.net_.module_.kernel_bank.output_size == bank.output_size // 2
    per_series = torch.ones(bank.output_size, dtype=torch.bool)
    per_series[features] = False
    with torch.no_grad():  # the new model without its per-series reading is the old one
        model.net_.module_.kernel_bank_proj.weight[:, per_series] = 0
    np.testing.assert_allclose(loaded.transform(X), model.transform(X), atol=1e-5)


def test_files_written_before_the_bank_read_series_lengths_load_without_it(tmp_path):
    ragged = [x[:n] for x, n in zip(X, rng.randint(5, 11, len(X)))]
    model = Seq2SeqTransformer(**FAST).fit(ragged)
    assert model.net_.module_.kernel_bank.length
    path = tmp_path / "new.s2s"
    metadata, weights = _saved_contents(model, path)
    del metadata["layout"]["module_kwargs"]["kernel_bank_length"]
    old = {**weights, **{name: weights[name][..., :-1] for name in
                         ("kernel_bank.feature_mean", "kernel_bank.feature_scale", "kernel_bank_proj.weight")}}
    _rewrite(path, tmp_path / "old.s2s", **{"metadata.json": json.dumps(metadata).encode(),
                                            "weights.safetensors": save_tensors({k: v.contiguous() for k, v in old.items()})})
    loaded = load(tmp_path / "old.s2s")
    assert not loaded.net_.module_.kernel_bank.length
    with torch.no_grad():  # the new model without its length column is the old one
        model.net_.module_.kernel_bank_proj.weight[:, -1] = 0
    np.testing.assert_allclose(loaded.transform(ragged), model.transform(ragged), atol=1e-5)


def test_files_written_before_the_bank_read_coarser_windows_load_with_one_reading(tmp_path):
    model = Seq2SeqTransformer(**FAST).fit(X)
    bank = model.net_.module_.kernel_bank
    assert len(bank.readings) == 2
    path = tmp_path / "new.s2s"
    metadata, weights = _saved_contents(model, path)
    del metadata["layout"]["module_kwargs"]["kernel_bank_coarse"]
    n_first = len(bank.readings[0][1])  # an old file holds the first reading: its dilations come first
    first = n_first * bank.bias.shape[1] * bank.bias.shape[2]
    old = {**weights, "kernel_bank.bias": weights["kernel_bank.bias"][:n_first],
           **{name: weights[name][..., :first] for name in
              ("kernel_bank.feature_mean", "kernel_bank.feature_scale", "kernel_bank_proj.weight")}}
    _rewrite(path, tmp_path / "old.s2s", **{"metadata.json": json.dumps(metadata).encode(),
                                            "weights.safetensors": save_tensors({k: v.contiguous() for k, v in old.items()})})
    loaded = load(tmp_path / "old.s2s")
    assert len(loaded.net_.module_.kernel_bank.readings) == 1
    with torch.no_grad():  # the new model without its coarse reading is the old one
        model.net_.module_.kernel_bank_proj.weight[:, first:] = 0
    np.testing.assert_allclose(loaded.transform(X), model.transform(X), atol=1e-5)


def test_classifiers_written_before_bank_heads_load_and_classify_by_their_code(tmp_path):
    series = np.sin(np.arange(16)[None, :] * np.repeat([0.3, 1.2], 20)[:, None]) + 0.1 * rng.normal(size=(40, 16))
    y = np.repeat([0, 1], 20)
    model = Seq2SeqClassifier(**FAST).fit(series, y)
    assert model.net_.module_.bank_head is not None
    path = tmp_path / "new.s2s"
    metadata, weights = _saved_contents(model, path)
    del metadata["layout"]["module_kwargs"]["bank_head"]
    old_weights = save_tensors({name: value for name, value in weights.items() if not name.startswith("bank_head.")})
    _rewrite(path, tmp_path / "old.s2s", **{"metadata.json": json.dumps(metadata).encode(),
                                            "weights.safetensors": old_weights})
    loaded = load(tmp_path / "old.s2s")
    assert loaded.net_.module_.bank_head is None
    code_logits = model.net_.module_.head(torch.as_tensor(model.transform(series), dtype=torch.float32)).detach().numpy()
    np.testing.assert_allclose(loaded.predict_proba(series), softmax(code_logits, axis=1), atol=1e-5)
