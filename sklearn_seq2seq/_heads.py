"""Linear heads set in closed form on the trained codes: the value head of fits to one number per
sample (a ridge regression), the folding of the codes' standardisation into a head's weights, and
the averaging of two heads' models, which it shares with the classifier's refitted heads."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.preprocessing import StandardScaler
from torch import nn

from . import _inference as inference
from ._training import Seq2SeqNet

#: The penalties RidgeCV chooses among (by efficient leave-one-out error): 1e-3 to 1e3.
RIDGE_ALPHAS = np.logspace(-3, 3, 13)


def set_head(head: nn.Linear, scaler: StandardScaler, coef: np.ndarray, intercept: np.ndarray) -> None:
    """Copy a linear model fitted on ``scaler``-standardised codes into ``head``, which reads the raw
    codes: the standardisation is folded into the weights (``coef`` (n_out, n_components), ``intercept``
    (n_out,))."""
    weight = coef / scaler.scale_
    bias = intercept - weight @ scaler.mean_
    with torch.no_grad():
        head.weight.copy_(torch.as_tensor(weight, dtype=head.weight.dtype))
        head.bias.copy_(torch.as_tensor(bias, dtype=head.bias.dtype))


def set_mean_of_heads(fits: list[tuple[nn.Linear, np.ndarray, Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]]]
                      ) -> None:
    """Set each head of ``fits`` to ``1 / len(fits)`` of a linear model of its inputs, so that the heads'
    summed outputs are the models' mean.

    Each entry is ``(head, inputs, fit)``: ``inputs`` (n, n_inputs) are what the head reads,
    ``fit`` takes them standardised and returns the model's ``coef`` (n_out, n_inputs) and
    ``intercept`` (n_out,); the standardisation is folded into the head's weights (:func:`set_head`).
    """
    for head, inputs, fit in fits:
        inputs = np.asarray(inputs, dtype=np.float64)
        scaler = StandardScaler().fit(inputs)
        coef, intercept = fit(scaler.transform(inputs))
        set_head(head, scaler, coef / len(fits), intercept / len(fits))


def fit_value_head(net: Seq2SeqNet, x: np.ndarray, lengths: np.ndarray, target: np.ndarray,
                   bank_features: np.ndarray | None = None) -> None:
    """Set the module's ``value_head`` to a ridge regression of ``target`` on the codes of ``x``, and
    with a kernel bank its ``bank_head`` to one on the bank's features: the values are their mean.

    The decoder's gradient steps leave its one-step outputs short of the best linear read of the
    codes it trained (docs/defaults.md), so after training the head is fitted in closed form: the codes
    are standardised, :class:`~sklearn.linear_model.RidgeCV` picks the penalty among
    :data:`RIDGE_ALPHAS` (a plain ``Ridge(alpha=1)`` below three samples, where leave-one-out has
    nothing to choose with), and the standardisation is folded into the head's weights. The bank's
    thousands of features, of which the code holds a learned 32-number map, are read the same way by
    a second regression (docs/defaults.md), and each regression is halved into its head.

    Parameters
    ----------
    net : Seq2SeqNet
        The trained net; its module has a ``value_head``.
    x, lengths : ndarray
        The training inputs, as the net reads them.
    target : ndarray of shape (n_samples, 1, n_outputs)
        Their standardised one-step targets.
    bank_features : ndarray of shape (n_samples, bank size), default=None
        Their kernel bank's features when computed beforehand (with a ``bank_head``; None computes
        them).
    """
    module = net.module_
    values = np.asarray(target, dtype=np.float64)[:, 0, :]
    if module.bank_head is not None and bank_features is None:
        bank_features = inference.bank_features(net, x, lengths)  # one pass for the code and the bank's head

    def ridge(inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        model = (RidgeCV(alphas=RIDGE_ALPHAS) if len(inputs) >= 3 else Ridge(alpha=1.0)).fit(inputs, values)
        return model.coef_.reshape(values.shape[1], -1), np.reshape(model.intercept_, -1)

    fits = [(module.value_head, inference.encode(net, x, lengths, bank_features), ridge)]
    if module.bank_head is not None:
        fits.append((module.bank_head, bank_features, ridge))
    set_mean_of_heads(fits)
