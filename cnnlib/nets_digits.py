"""The digits CNN of notebook 05 with a selectable downsampling (Zhang 2019), and the experiment that trains it.

Part of :mod:`cnnlib.nets` (its names are re-exported there, so write
``cl.nets.digits_cnn(...)``); kept apart so each file stays short.
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import check_choice, check_int, check_key, check_positive_int, check_real, describe
from .conv import conv2d
from .nets_model import MAX_WIDTH, Model, Params, _check_in_shape, _check_widths, _dense, as_nchw, count_params, init_conv, init_dense  # noqa: F401
from .nets_fit import accuracy, predict, train
from .pool import max_pool2d

__all__ = ["DOWNSAMPLINGS", "digits_cnn", "digits_shift_experiment"]

#: The downsampling choices of :func:`digits_cnn` (Zhang 2019, notebook 05).
DOWNSAMPLINGS = ("max", "maxblur", "strided", "strided_blur")


def _digits_cnn_forward(params: Params, x: jax.Array, use_max: bool, return_features: bool) -> Any:
    """conv 3x3 + ReLU, then [max 2x2 with stride 1], blur with ``params['blur']``, keep every 2nd sample; repeat."""
    from .aliasing import _blur_subsample

    blur = jax.lax.stop_gradient(params["blur"])  # (7,), fixed: not learned
    x = as_nchw(x)  # (N, C, H, W)
    maps = []
    convs = params["convs"]
    for i, layer in enumerate(convs):
        x = jax.nn.relu(conv2d(x, layer["w"], padding="same") + layer["b"][:, None, None])  # (N, C_i, H_i, W_i)
        if i == len(convs) - 1:
            break
        if use_max:  # max over 2x2 windows, stride 1; the -inf row/column at the end keeps the size
            x = max_pool2d(x, 2, stride=1, padding=((0, 1), (0, 1)))
        x = _blur_subsample(x, blur, stride=(2, 2), boundary="reflect")  # (N, C_i, H_i / 2, W_i / 2)
        maps.append(x)
    if return_features:
        return maps
    return _dense(params["head"], x.mean(axis=(-2, -1)))  # global average pool (N, C), then (N, n_classes)


@partial(jax.jit, static_argnames=("widths", "n_classes"))
def _digits_cnn_init(key: jax.Array, widths: tuple[int, ...], n_classes: int) -> tuple[list[dict[str, jax.Array]], dict[str, jax.Array]]:
    """He-initialised 3x3 convs ``widths[i] -> widths[i + 1]`` and the dense head; one compilation instead of one per shape."""
    keys = jax.random.split(key, len(widths))
    convs = [init_conv(kk, a, b, 3) for kk, a, b in zip(keys, widths[:-1], widths[1:])]
    return convs, init_dense(keys[-1], widths[-1], n_classes)


def _max_family_apply(params: Params, x: jax.Array, return_features: bool = False) -> Any:
    return _digits_cnn_forward(params, x, True, return_features)


def _conv_family_apply(params: Params, x: jax.Array, return_features: bool = False) -> Any:
    return _digits_cnn_forward(params, x, False, return_features)


def digits_cnn(
    downsampling: str = "max",
    filter_size: int = 3,
    *,
    in_shape: Sequence[int] = (1, 24, 24),
    channels: Sequence[int] = (8, 16, 32),
    n_classes: int = 10,
) -> Model:
    """A small all-convolutional digits classifier whose downsampling is selectable (Zhang 2019).

    ``len(channels) - 1`` blocks of 3x3 conv ('same', zero padding) + ReLU +
    a factor-2 downsampling, one more 3x3 conv + ReLU, global average
    pooling and a dense read-out. The downsampling is one of

    * ``'max'``: ``max_pool2d(size=2)``, the baseline;
    * ``'maxblur'``: MaxBlurPool, max over 2x2 windows with stride 1, a
      binomial blur of ``filter_size`` taps, every second sample
      (``filter_size=1`` is the baseline again);
    * ``'strided'``: a stride-2 conv (computed as the stride-1 conv followed
      by keeping every second sample, which is the same thing);
    * ``'strided_blur'``: stride-1 conv, ReLU, then ``blur_pool2d(filter_size=k)``.

    The blur filter is stored in ``params['blur']`` (7 taps, zero-padded;
    its gradient is stopped, so training leaves it fixed). All 'max' and
    'maxblur' models share one ``apply`` function, and so do the two strided
    ones: training every variant compiles only two training steps.

    Parameters
    ----------
    downsampling : {'max', 'maxblur', 'strided', 'strided_blur'}
    filter_size : int
        Taps of the binomial blur, 1 to 7 (ignored by 'max' and 'strided').
    in_shape : (H, W) or (C, H, W)
        Shape of one example.
    channels : sequence of int
        Output channels of each conv layer (at least 2 layers).
    n_classes : int

    Returns
    -------
    Model
        ``apply(params, x, return_features=False)``; with ``return_features=True``
        it returns the list of maps after each downsampling (for
        :func:`cnnlib.aliasing.shift_equivariance_errors`).

    Examples
    --------
    >>> model = digits_cnn("maxblur", 5, in_shape=(1, 8, 8), channels=(2, 3), n_classes=4)
    >>> model.name
    'MaxBlurPool-5'
    >>> params = model.init(jax.random.key(0))
    >>> params["blur"] * 16                          # [1, 4, 6, 4, 1] / 16 inside 7 taps
    Array([0., 1., 4., 6., 4., 1., 0.], dtype=float32)
    >>> count_params(params)                        # (9 + 1) * 2 + (2 * 9 + 1) * 3 + (3 + 1) * 4 + 7 fixed taps
    100
    >>> model.apply(params, jnp.zeros((5, 8, 8))).shape
    (5, 4)
    """
    from .aliasing import _check_filter_size, _padded_filter

    check_choice(downsampling, DOWNSAMPLINGS, "downsampling")
    k = _check_filter_size(filter_size)
    if downsampling in ("max", "strided"):
        k = 1
    c, h, w = _check_in_shape(in_shape)
    channels = _check_widths(channels, "channels")
    if len(channels) < 2:
        raise ValueError(f"`channels` must list at least 2 conv layers; got {tuple(channels)}.")
    n_classes = check_int(n_classes, "n_classes", minimum=1, maximum=MAX_WIDTH)
    n_down = len(channels) - 1
    if min(h, w) < 2 ** (n_down + 1):
        raise ValueError(f"`in_shape` {tuple(in_shape)} is too small for {n_down} factor-2 downsamplings.")
    widths = [c, *channels]
    blur = jnp.asarray(_padded_filter(k))

    def init(key: jax.Array) -> Params:
        convs, head = _digits_cnn_init(check_key(key), tuple(widths), n_classes)  # compiled once per widths, for every variant
        return {"convs": convs, "head": head, "blur": blur}

    names = {"max": "MaxPool", "maxblur": f"MaxBlurPool-{k}", "strided": "strided conv", "strided_blur": f"strided conv + Blur-{k}"}
    apply = _max_family_apply if downsampling in ("max", "maxblur") else _conv_family_apply
    return Model(names[downsampling], init, apply, (c, h, w))


def digits_shift_experiment(
    variants: Sequence[tuple[str, int]],
    *,
    seeds: int | Sequence[int] = 3,
    epochs: int = 10,
    lr: float = 1e-2,
    batch_size: int = 32,
    n_pairs: int = 5,
    max_shift: int = 2,
    canvas: int = 16,
    channels: Sequence[int] = (8, 16, 32),
) -> dict[str, Any]:
    """A small reproduction of Zhang (2019) on digits: accuracy and shift consistency of :func:`digits_cnn` variants.

    For every seed ``i``, ``jax.random.split(jax.random.key(1000 + i), 6)``
    draws, in this order: the train/test split of the 1797 digits (3/4 for
    training), the random places of the training digits and of the test
    digits on a ``canvas x canvas`` canvas, the initial weights (the same for
    every variant of a seed), the batch order, and the shift pairs of the
    consistency measure. Every variant then trains with :func:`train` (Adam,
    softmax cross-entropy) on that seed's data, and is scored on the seed's
    test digits with :func:`accuracy` and
    :func:`cnnlib.aliasing.shift_consistency` (``n_pairs`` pairs of circular
    shifts per test image, each of up to ``max_shift`` pixels along each
    axis). Notebook 05 and ``scripts/zhang_reproduction.py`` both call this,
    with different settings.

    Parameters
    ----------
    variants : sequence of (downsampling, filter_size)
        As in :func:`digits_cnn`, e.g. ``[("max", 1), ("maxblur", 3)]``.
    seeds : int or sequence of int
        The seeds, or their number ``s`` for ``0 .. s-1``.
    epochs, batch_size, lr
        Passed to :func:`train`.
    n_pairs, max_shift
        Passed to :func:`cnnlib.aliasing.shift_consistency`.
    canvas : int
        Side of the canvas the 8x8 digits are placed on.
    channels : sequence of int
        Passed to :func:`digits_cnn`.

    Returns
    -------
    dict
        ``"settings"``: every setting above, plus ``"n_train"``, ``"n_test"``
        and ``"optimiser"``; ``"results"``: one dict per variant with
        ``"name"``, ``"downsampling"``, ``"filter_size"``, and
        ``"accuracy"`` and ``"consistency"``, lists with one value per seed;
        ``"trained"``: ``{name: (model, [params of each seed])}``.
    """
    from . import data
    from .aliasing import _check_filter_size, shift_consistency

    if not isinstance(variants, (list, tuple)):
        raise TypeError(f"`variants` must be a list of (downsampling, filter_size) pairs; got {describe(variants)}.")
    variants = list(variants)
    if not variants:
        raise ValueError("`variants` must list at least one (downsampling, filter_size) pair; got none.")
    for v in variants:
        if not (isinstance(v, (tuple, list)) and len(v) == 2):
            raise ValueError(f"`variants` must hold (downsampling, filter_size) pairs; got {v!r}.")
        check_choice(v[0], DOWNSAMPLINGS, "variants")
        _check_filter_size(v[1], "variants")
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, (bool, np.bool_)):
        seeds = list(range(check_int(seeds, "seeds", minimum=1, maximum=1000)))
    if not isinstance(seeds, (list, tuple, range, np.ndarray)):
        raise TypeError(f"`seeds` must be a number of seeds or a list of seeds; got {describe(seeds)}.")
    seeds = [check_int(s, "seeds", minimum=0) for s in seeds]
    if not seeds:
        raise ValueError("`seeds` must hold at least one seed; got none.")
    epochs = check_int(epochs, "epochs", minimum=0, maximum=10_000)
    batch_size = check_int(batch_size, "batch_size", minimum=1, maximum=10**5)
    lr = check_real(lr, "lr", minimum=0.0, min_inclusive=False)
    n_pairs = check_int(n_pairs, "n_pairs", minimum=1, maximum=1000)
    canvas = check_int(canvas, "canvas", minimum=8, maximum=256)
    max_shift = check_int(max_shift, "max_shift", minimum=0, maximum=canvas - 1)
    channels = tuple(_check_widths(channels, "channels"))
    if len(channels) < 2:
        raise ValueError(f"`channels` must list at least 2 conv layers; got {channels}.")
    digits_cnn(variants[0][0], variants[0][1], in_shape=(1, canvas, canvas), channels=channels)  # refuses sizes up front

    images, labels = data.load_digits()
    models = [digits_cnn(d, k, in_shape=(1, canvas, canvas), channels=channels) for d, k in variants]
    results = [
        {"name": m.name, "downsampling": d, "filter_size": int(k) if d in ("maxblur", "strided_blur") else 1, "accuracy": [], "consistency": []}
        for m, (d, k) in zip(models, variants)
    ]
    trained: dict[str, tuple[Model, list[Params]]] = {m.name: (m, []) for m in models}
    sizes = set()
    for seed in seeds:
        k_split, k_train, k_test, k_init, k_order, k_pairs = jax.random.split(jax.random.key(1000 + seed), 6)
        train_idx, test_idx = data.train_test_split(k_split, len(labels))
        x_train, _, y_train = data.digits_on_canvas(k_train, images[train_idx], labels[train_idx], canvas=canvas)
        x_test, _, y_test = data.digits_on_canvas(k_test, images[test_idx], labels[test_idx], canvas=canvas)
        sizes.add((len(y_train), len(y_test)))
        for model, row in zip(models, results):
            params, _ = train(
                model, model.init(k_init), (x_train, y_train), key=k_order, epochs=epochs, batch_size=batch_size, lr=lr, progress=False
            )
            row["accuracy"].append(accuracy(model, params, x_test, y_test))
            row["consistency"].append(
                shift_consistency(
                    lambda b, m=model, p=params: predict(m, p, b), x_test, max_shift=max_shift, n_pairs=n_pairs, key=k_pairs
                )
            )
            trained[model.name][1].append(params)
    (n_train, n_test), = sizes
    settings = {
        "seeds": seeds,
        "epochs": epochs,
        "lr": lr,
        "batch_size": batch_size,
        "optimiser": "Adam",
        "n_train": n_train,
        "n_test": n_test,
        "canvas": canvas,
        "max_shift": max_shift,
        "pairs_per_image": n_pairs,
        "channels": list(channels),
    }
    return {"settings": settings, "results": results, "trained": trained}
