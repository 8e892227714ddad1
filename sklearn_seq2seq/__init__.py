"""scikit-learn estimators built on an attention encoder-decoder in PyTorch, trained through skorch."""

from .plotting import plot_attention
from .preprocessing import SequenceScaler
from .regressor import Seq2SeqRegressor
from .transformer import Seq2SeqTransformer

__version__ = "0.1.0"

__all__ = ["Seq2SeqRegressor", "Seq2SeqTransformer", "SequenceScaler", "plot_attention", "__version__"]
