"""skl2onnx converters for the estimators, so that pipelines holding them convert in one graph.

:func:`register_onnx_converters` registers, for each estimator, a shape calculator and a converter
with skl2onnx. The converter exports the fitted estimator with :func:`sklearn_seq2seq.to_onnx` and
copies that graph into the pipeline's, every name made unique in skl2onnx's scope. As skl2onnx does for
scikit-learn's own estimators, a ``Seq2SeqTransformer`` converts as ``transform``, a
``Seq2SeqRegressor`` as ``predict`` and a ``Seq2SeqClassifier`` as ``predict`` and ``predict_proba``
(outputs ``label`` and ``probabilities``, the latter a ZipMap unless the option ``zipmap=False``).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import is_classifier, is_regressor

from .classifier import Seq2SeqClassifier
from .export import default_methods, to_onnx
from .regressor import Seq2SeqRegressor
from .transformer import Seq2SeqTransformer


def register_onnx_converters() -> None:
    """Register converters for ``Seq2SeqTransformer``, ``Seq2SeqRegressor`` and ``Seq2SeqClassifier``
    with skl2onnx, so that ``skl2onnx.to_onnx`` converts pipelines holding them.

    Call it once per process before converting; calling it again does no harm. Each estimator converts
    as skl2onnx converts scikit-learn's: a transformer as ``transform``, a regressor as ``predict``, a
    classifier as ``predict`` and ``predict_proba`` (options ``zipmap`` and ``nocl`` as for scikit-learn
    classifiers). Numeric models take a float tensor (float64 is cast to float32 inside the graph),
    token models the ids of :func:`~sklearn_seq2seq.to_onnx_input`. The conversion's target opset must
    be 18 or newer. Pass skl2onnx the input type with ``None`` for the length, for example
    ``initial_types=[("X", FloatTensorType([None, None, n_features]))]``: from a sample array
    skl2onnx fixes the sample's length.

    Examples
    --------
    >>> import skl2onnx  # doctest: +SKIP
    >>> from skl2onnx.common.data_types import FloatTensorType  # doctest: +SKIP
    >>> register_onnx_converters()  # doctest: +SKIP
    >>> onx = skl2onnx.to_onnx(pipe, initial_types=[("X", FloatTensorType([None, None, 3]))])  # doctest: +SKIP

    Raises
    ------
    ImportError
        Without skl2onnx (``pip install 'sklearn_seq2seq[onnx]'``).
    """
    try:
        from skl2onnx import update_registered_converter
    except ImportError as exc:
        raise ImportError("Converting pipelines needs skl2onnx: pip install 'sklearn_seq2seq[onnx]'.") from exc
    for cls in (Seq2SeqTransformer, Seq2SeqRegressor):
        update_registered_converter(cls, f"SklearnSeq2Seq{cls.__name__}", _calculate_shapes, _convert)
    update_registered_converter(
        Seq2SeqClassifier, "SklearnSeq2SeqSeq2SeqClassifier", _calculate_shapes, _convert,
        options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
    )


def _calculate_shapes(operator) -> None:
    """The output types of one estimator's node in skl2onnx's graph."""
    from skl2onnx.common.data_types import (
        DoubleTensorType, FloatTensorType, Int64TensorType, StringTensorType,
    )

    estimator = operator.raw_operator
    input_type = operator.inputs[0].type
    tokens = estimator.layout_.input_form is not None
    accepted = (Int64TensorType,) if tokens else (FloatTensorType, DoubleTensorType)
    if not isinstance(input_type, accepted):
        what = "int64 token ids (sklearn_seq2seq.to_onnx_input)" if tokens else "a float32 or float64 tensor"
        raise TypeError(f"{type(estimator).__name__} takes {what} in a converted pipeline, not {input_type}.")
    n_rows = operator.inputs[0].get_first_dimension()
    if is_classifier(estimator):
        classes = np.asarray(estimator.classes_)
        label = StringTensorType if classes.dtype.kind in "USO" else Int64TensorType
        operator.outputs[0].type = label([n_rows])
        operator.outputs[1].type = FloatTensorType([n_rows, len(classes)])
    elif is_regressor(estimator):
        layout = estimator.layout_
        shape = {1: [n_rows], 2: [n_rows, layout.n_target_steps]}.get(layout.target_ndim,
                                                                       [n_rows, layout.n_target_steps, None])
        operator.outputs[0].type = FloatTensorType(shape)
    else:
        operator.outputs[0].type = FloatTensorType([n_rows, estimator._n_features_out])


def _convert(scope, operator, container) -> None:
    """Copy the estimator's exported graph into skl2onnx's container."""
    from onnx import TensorProto, helper, numpy_helper
    from skl2onnx.common.data_types import DoubleTensorType

    from ._onnx_graph import fill_omitted_rnn_lengths

    estimator = operator.raw_operator
    # to_onnx refuses a target opset older than the exporter writes
    model = fill_omitted_rnn_lengths(to_onnx(estimator, method=default_methods(estimator),
                                             target_opset=container.target_opset))
    graph = model.graph
    names = {graph.input[0].name: operator.inputs[0].full_name}
    if isinstance(operator.inputs[0].type, DoubleTensorType):
        as_float = scope.get_unique_variable_name("seq2seq_input_float")
        container.add_node("Cast", [operator.inputs[0].full_name], [as_float], to=TensorProto.FLOAT,
                           name=scope.get_unique_operator_name("Cast"))
        names[graph.input[0].name] = as_float
    for out, variable in zip(graph.output, operator.outputs):
        names[out.name] = variable.full_name

    def rename(name: str) -> str:
        if name and name not in names:
            names[name] = scope.get_unique_variable_name(name)
        return names.get(name, name)

    for tensor in graph.initializer:
        values = numpy_helper.to_array(tensor)
        if values.dtype == object:
            container.add_initializer(rename(tensor.name), TensorProto.STRING, list(values.shape),
                                      [str(v).encode() for v in values.ravel()])
        else:
            container.add_initializer(rename(tensor.name), tensor.data_type, list(values.shape),
                                      numpy_helper.from_array(values))
    versions = {entry.domain: entry.version for entry in model.opset_import}
    for node in graph.node:
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        container.add_node(node.op_type, [rename(n) for n in node.input], [rename(n) for n in node.output],
                           op_domain=node.domain, op_version=versions.get(node.domain),
                           name=scope.get_unique_operator_name(node.op_type), **attributes)
