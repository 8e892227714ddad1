"""Torch modules of the encoder-decoder: encoder, readouts (the code), attention, decoder, full model.

They live in the package (never in ``__main__``) so that fitted estimators pickle and run in worker
processes. Nothing here knows about scikit-learn or skorch.
"""

from .model import Seq2SeqModule

__all__ = ["Seq2SeqModule"]
