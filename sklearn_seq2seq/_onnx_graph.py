"""Edits of exported ONNX graphs: what the torch exporter cannot write itself.

- :func:`split_into_frames`: models that read ``frame_length`` steps at a time are exported for inputs
  split into frames (``torch.export`` cannot round a symbolic length up to whole frames); this puts a
  ``Pad`` (with NaN, which the graph reads as padding) and a ``Reshape`` in front, so the graph takes
  whole sequences of any length.
- :func:`name_dynamic_axes`: the input's symbolic axes become ``batch`` and ``steps``.
- :func:`gather_labels`: a classifier's class index becomes its label, from a constant of the classes.
- :func:`fill_omitted_rnn_lengths`: RNN nodes get their omitted ``sequence_lens`` as a computed input,
  for graph builders that cannot order nodes with empty input names (skl2onnx).
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def split_into_frames(model: onnx.ModelProto, frame_length: int, input_name: str) -> onnx.ModelProto:
    """Give a graph exported for inputs split into frames, (B, n_frames, frame_length[, F]), an input
    ``input_name`` of whole sequences (B, T[, F]) of any length: it is padded with NaN to whole frames
    (which the graph reads as padding), then split."""
    graph = model.graph
    framed = graph.input[0]
    dims = framed.type.tensor_type.shape.dim
    element = framed.type.tensor_type.elem_type
    features = [dim.dim_value for dim in dims[3:]]  # [F], or [] for univariate inputs
    source, whole = framed.name, input_name
    constants = {
        "frames_zero": np.zeros(1, dtype=np.int64),
        "frame_length": np.array([frame_length], dtype=np.int64),
        # Pad's pads are every axis's begin, then every axis's end: the missing steps go at the end of axis 1
        "frames_pads_before": np.zeros(2 + len(features) + 1, dtype=np.int64),
        "frames_pads_after": np.zeros(len(features), dtype=np.int64),
        "frames_nan": np.array(np.nan, dtype=np.float32),
        "frames_shape": np.array([0, -1, frame_length, *features], dtype=np.int64),
    }
    graph.initializer.extend(numpy_helper.from_array(value, key) for key, value in constants.items())
    nodes = [
        helper.make_node("Shape", [whole], ["frames_steps"], start=1, end=2),
        helper.make_node("Sub", ["frames_zero", "frames_steps"], ["frames_minus_steps"]),
        helper.make_node("Mod", ["frames_minus_steps", "frame_length"], ["frames_missing"]),  # (-T) mod k
        helper.make_node("Concat", ["frames_pads_before", "frames_missing", "frames_pads_after"], ["frames_pads"],
                         axis=0),
        helper.make_node("Pad", [whole, "frames_pads", "frames_nan"], ["frames_padded"], mode="constant"),
        helper.make_node("Reshape", ["frames_padded", "frames_shape"], [source]),
    ]
    for node in reversed(nodes):
        graph.node.insert(0, node)
    graph.input.remove(framed)
    graph.input.insert(0, helper.make_tensor_value_info(whole, element, [dims[0].dim_param, "steps", *features]))
    return model


def name_dynamic_axes(model: onnx.ModelProto) -> onnx.ModelProto:
    """Name the input's first two axes ``batch`` and ``steps`` (the exporter numbers them) in the
    graph's inputs and outputs, and drop the intermediate shapes; raises if the exporter made either
    axis fixed."""
    dims = model.graph.input[0].type.tensor_type.shape.dim
    symbols = [dim.dim_param for dim in dims[:2]]
    if not all(symbols):
        raise RuntimeError(f"The exporter fixed the input's shape to {[d.dim_value for d in dims[:2]]}; "
                           "please report this model's parameters.")
    names = dict(zip(symbols, ("batch", "steps")))
    graph = model.graph
    # The exporter's intermediate shapes may hold the traced example's sizes (its RNN outputs do);
    # onnxruntime infers its own.
    del graph.value_info[:]
    for info in [*graph.input, *graph.output]:
        for dim in info.type.tensor_type.shape.dim:
            if dim.dim_param in names:
                dim.dim_param = names[dim.dim_param]
            elif any(symbol in dim.dim_param for symbol in symbols):
                dim.dim_param = ""  # an expression of the renamed symbols (frames): left unnamed
    return model


def gather_labels(model: onnx.ModelProto, index_output: str, classes: np.ndarray) -> onnx.ModelProto:
    """Turn the output ``index_output`` (class indices) into the labels ``classes[index]``, same name."""
    graph = model.graph
    index_name = f"{index_output}_index"
    for node in graph.node:
        node.output[:] = [index_name if out == index_output else out for out in node.output]
    values = np.asarray(classes)
    if values.dtype.kind in "USO":
        values = values.astype(str).astype(object)
    graph.initializer.append(numpy_helper.from_array(values, "classes"))
    graph.node.append(helper.make_node("Gather", ["classes", index_name], [index_output], axis=0))
    element = TensorProto.STRING if values.dtype == object else helper.np_dtype_to_tensor_dtype(values.dtype)
    position = [out.name for out in graph.output].index(index_output)
    graph.output.remove(graph.output[position])
    graph.output.insert(position, helper.make_tensor_value_info(index_output, element, ["batch"]))
    return model


def fill_omitted_rnn_lengths(model: onnx.ModelProto) -> onnx.ModelProto:
    """Give every GRU and LSTM node that omits its optional ``sequence_lens`` (an empty input name before
    ``initial_h``) the lengths it means, all steps of every row, computed from its input: graph
    builders such as skl2onnx's cannot order nodes with empty input names."""
    graph = model.graph
    nodes = []
    for i, node in enumerate(graph.node):
        if node.op_type in ("GRU", "LSTM") and len(node.input) > 5 and node.input[4] == "":
            lengths = f"{node.output[0] or node.name}_sequence_lens_{i}"
            steps, batch, steps32 = (f"{lengths}_{part}" for part in ("steps", "batch", "steps32"))
            nodes += [  # the input is (steps, batch, features)
                helper.make_node("Shape", [node.input[0]], [steps], start=0, end=1),
                helper.make_node("Shape", [node.input[0]], [batch], start=1, end=2),
                helper.make_node("Cast", [steps], [steps32], to=TensorProto.INT32),
                helper.make_node("Expand", [steps32, batch], [lengths]),
            ]
            node.input[4] = lengths
        elif any(name == "" for name in node.input[:-1]):
            raise RuntimeError(f"The exported graph's {node.op_type} node omits an input that is not last.")
        nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    return model
