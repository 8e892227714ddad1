"""Conversion of model files of format version 1 (sklearn_seq2seq 0.1) to the current format.

Version 1 stored the estimator's private attributes as tagged JSON values and the weights as a torch
pickle. :func:`convert_v1` reads the attributes it knows through the same allow-list as the current
format (anything else is refused), maps them onto the fitted layout, reads the weights with
``torch.load(weights_only=True)`` (torch >= 2.6, whose restricted unpickler has no known way to run
code) and writes a current file.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from typing import Any

import numpy as np
import torch

from ._tokens import END, PAD, START


class _V1FormatError(ValueError):
    pass


def _plain(value: Any) -> Any:
    """A version 1 tagged JSON value as plain Python values (arrays as lists)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"ndarray", "dtype"}:
            if np.dtype(value["dtype"]).kind not in "biufUO":
                raise _V1FormatError(f"arrays of dtype {value['dtype']} are not part of the format")
            return _plain(value["ndarray"])
        if set(value) == {"tuple"}:
            return [_plain(v) for v in value["tuple"]]
        if set(value) == {"dict"} and isinstance(value["dict"], dict):
            return {str(k): _plain(v) for k, v in value["dict"].items()}
        if set(value) == {"vocabulary", "form"}:
            return {"tokens": _plain(value["vocabulary"]), "form": value["form"]}
        if set(value) == {"same_as"} and value["same_as"] == "vocabulary_":
            return "vocabulary"
    raise _V1FormatError(f"{str(value)[:80]!r} is not a value of format version 1")


#: The version 1 attributes that are read; any other is refused.
_V1_STATE = {
    "_input_form", "vocabulary_", "target_vocabulary_", "n_features_in_", "feature_names_in_", "_fit_ndim",
    "_n_channels", "_targets_from", "_n_target_steps", "_y_mean", "_y_scale", "decoder_input_", "_target_form",
    "_n_outputs", "_lengths_follow_input", "_x_mean", "_x_scale", "_seed", "_module_kwargs", "_n_fit_samples",
    "n_iter_",
}


def upgrade_metadata(metadata: dict) -> dict:
    """The current format's metadata for version 1 ``metadata``.

    Version 1 did not record whether every target had the same length; the layout says they did not
    (``fixed_target_length=False``), which matters only for ``inverse_transform`` with
    ``reverse_target=True``, then refused instead of possibly wrong.
    """
    state = metadata["state"]
    unknown = set(state) - _V1_STATE
    if unknown:
        raise _V1FormatError(f"unknown attributes {sorted(unknown)}")
    s = {key: _plain(value) for key, value in state.items()}
    tokens_in = s.get("_input_form") is not None
    target_vocabulary = s.get("target_vocabulary_")
    module_kwargs = s["_module_kwargs"]
    if tokens_in or target_vocabulary is not None:
        module_kwargs = {**module_kwargs, "pad_id": PAD, "start_id": START, "end_id": END}
    target_ndim, target_is_list = s["_target_form"] if "_target_form" in s else (0, False)

    def row(values):
        return None if values is None else [list(values)]

    layout = {
        "targets_from": s["_targets_from"], "input_form": s.get("_input_form"),
        "input_ndim": 0 if tokens_in else s["_fit_ndim"], "n_channels": 1 if tokens_in else s["_n_channels"],
        "vocabulary": s.get("vocabulary_"), "target_vocabulary": target_vocabulary,
        "target_ndim": target_ndim, "target_is_list": bool(target_is_list),
        "n_target_steps": s["_n_target_steps"], "fixed_target_length": False, "n_outputs": s["_n_outputs"],
        "lengths_follow_input": s["_lengths_follow_input"], "x_mean": s.get("_x_mean"),
        "x_scale": s.get("_x_scale"), "y_mean": row(s.get("_y_mean")), "y_scale": row(s.get("_y_scale")),
        "decoder_input": s["decoder_input_"], "module_kwargs": module_kwargs,
        "n_fit_samples": s["_n_fit_samples"], "seed": s["_seed"],
    }
    fitted = {"n_features_in_": s.get("n_features_in_"), "feature_names_in_": s.get("feature_names_in_"),
              "n_iter_": s["n_iter_"]}
    return {"class": metadata["class"], "params": metadata["params"], "layout": layout, "fitted": fitted,
            "history": _plain(metadata["history"])}


def read_v1(path: str | os.PathLike) -> tuple[dict, dict[str, torch.Tensor]]:
    """The upgraded metadata and the weights of a version 1 file."""
    with zipfile.ZipFile(path) as archive:
        if set(archive.namelist()) != {"metadata.json", "weights.pt"}:
            raise _V1FormatError("not a format version 1 file (it must hold metadata.json and weights.pt)")
        metadata = json.loads(archive.read("metadata.json"))
        raw_weights = archive.read("weights.pt")
    if not isinstance(metadata, dict) or metadata.get("format_version") != 1:
        raise _V1FormatError("the metadata does not say format version 1")
    try:
        weights = torch.load(io.BytesIO(raw_weights), map_location="cpu", weights_only=True)
    except Exception as exc:  # the restricted unpickler refuses anything but tensors
        raise _V1FormatError(f"the weights cannot be read safely: {exc}") from None
    if not isinstance(weights, dict) or not all(isinstance(v, torch.Tensor) for v in weights.values()):
        raise _V1FormatError("the weights are not a dict of tensors")
    return upgrade_metadata(metadata), weights
