"""Tiny functional networks: a model is two plain functions (pure JAX).

A model is a pair of plain functions bundled in a :class:`Model`::

    params = model.init(key)            # a pytree of arrays (dicts of "w", "b")
    logits = model.apply(params, x)     # x (N, H, W) or (N, C, H, W) -> (N, n_classes)

Every builder below (:func:`dense_net`, :func:`conv_net`,
:func:`locally_connected_net`) returns such a model, and :func:`train` and
:func:`accuracy` work with any of them. To add a model of your own, write the
two functions, reuse the layer initialisers (:func:`init_dense`,
:func:`init_conv`, :func:`init_local`) and wrap them::

    def my_net(in_shape=(1, 24, 24)):
        def init(key):
            ...
        def apply(params, x):
            x = as_nchw(x)                 # (N, C, H, W)
            ...
        return Model("my net", init, apply)

Training (:func:`train`, :func:`predict`, :func:`accuracy`) lives in
:mod:`cnnlib.nets_fit` and the Zhang (2019) digits CNN (:func:`digits_cnn`,
:func:`digits_shift_experiment`) in :mod:`cnnlib.nets_digits`; both are
re-exported here, so write ``cl.nets.train``. The Adam step itself is
:mod:`cnnlib.training`'s, shared by every trainer in cnnlib: it compiles once
per model and batch shape, so training the same model on several
training-set sizes or learning rates costs one compilation.

Loaded lazily as ``cl.nets`` (training imports optax on first use).
"""
from __future__ import annotations

from .nets_model import (  # noqa: F401
    _check_in_shape,
    _check_widths,
    _conv_like_net,
    _dense,
    as_nchw,
    conv_net,
    count_params,
    dense_net,
    init_conv,
    init_dense,
    init_local,
    locally_connected_net,
    MAX_WIDTH,
    Model,
    Params,
)
from .nets_fit import _check_data, _jitted_apply, accuracy, predict, train  # noqa: F401
from .nets_digits import DOWNSAMPLINGS, _digits_cnn_init, digits_cnn, digits_shift_experiment  # noqa: F401

__all__ = [
    "Model",
    "dense_net",
    "conv_net",
    "locally_connected_net",
    "init_dense",
    "init_conv",
    "init_local",
    "as_nchw",
    "count_params",
    "train",
    "accuracy",
    "predict",
    "digits_cnn",
    "digits_shift_experiment",
]
