"""LeNet from cnnlib's own parts, its training loop written out, and what notebook 06 measures on it.

The network (LeCun et al. 1998, with ReLU and a choice of pooling)::

    x (N, 1, 28, 28)
    conv 5x5, 6 filters   + ReLU  -> (N, 6, 24, 24)     cl.conv2d
    pool 2                        -> (N, 6, 12, 12)     cl.max_pool2d or cl.max_blur_pool2d
    conv 5x5, 16 filters  + ReLU  -> (N, 16, 8, 8)
    pool 2                        -> (N, 16, 4, 4)
    flatten, dense 256 -> 120 + ReLU, dense 120 -> 10 (logits)

:func:`lenet` returns a :class:`cnnlib.nets.Model`, so ``cl.nets.accuracy``
and ``cl.nets.predict`` work with it. :func:`train` is the training of notebook
06: Adam (optax) on softmax cross-entropy with a cosine step size, through
:func:`cnnlib.training.fit_epochs` (fixed batch shapes, one compiled step),
the loss of every batch and the test accuracy of every epoch recorded.
The measurements (:func:`probability_change`, :func:`first_layer_equivariance`,
:func:`gradient_support`, ...) live in :mod:`cnnlib.lenet_measures` and are
re-exported here.

This module imports optax (through :mod:`cnnlib.nets`), so import it as
``from cnnlib import lenet`` or use it through ``cl.widgets.lenet_explorer``.
"""
from __future__ import annotations

from .lenet_model import (  # noqa: F401
    _accuracy,
    _APPLY,
    _apply_blur,
    _apply_max,
    _apply_of,
    _check_digits,
    _check_params,
    _correct,
    _cosine,
    _digits,
    _features,
    _forward,
    _kind,
    _pool,
    accuracy,
    features,
    layer_summary,
    LAYERS,
    lenet,
    Params,
    POOLS,
    train,
)
from .lenet_measures import first_layer_equivariance, gradient_support, probabilities, probability_change  # noqa: F401
from .training import _step  # noqa: F401  (the one compiled Adam step, which the tests count)

__all__ = [
    "POOLS",
    "LAYERS",
    "lenet",
    "features",
    "layer_summary",
    "train",
    "accuracy",
    "probabilities",
    "first_layer_equivariance",
    "probability_change",
    "gradient_support",
]
