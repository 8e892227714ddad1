"""scikit-learn estimators built on an attention encoder-decoder in PyTorch, trained through skorch."""

from ._version import __version__
from .persistence import ModelFileError, convert_v1, load, save
from .plotting import plot_attention
from .classifier import Seq2SeqClassifier
from ._skl2onnx import register_onnx_converters
from .export import to_onnx, to_onnx_input
from .preprocessing import SequenceScaler
from .regressor import Seq2SeqRegressor
from .transformer import Seq2SeqTransformer

__all__ = [
    "ModelFileError",
    "Seq2SeqClassifier",
    "Seq2SeqRegressor",
    "Seq2SeqTransformer",
    "SequenceScaler",
    "__version__",
    "convert_v1",
    "load",
    "plot_attention",
    "register_onnx_converters",
    "save",
    "to_onnx",
    "to_onnx_input",
]
