"""What convolution's priors buy: k-NN against a translation-invariant CNN on digits that move.

Notebook ``04_curse_of_dimensionality`` ends with an experiment. The same
8x8 digits are pasted at random places on ever larger blank canvases, so the
input dimension grows (64 pixels on an 8x8 canvas, 1024 on a 32x32 one) while
the information stays what it was: a digit, somewhere. A nearest-neighbour
classifier compares whole canvases, pixel by pixel, and needs a training digit
of the same class at about the same place; a convolutional network with a
global max (:func:`global_max_net`) scores every window with the same filters
and keeps the best score, so the place does not matter.
:func:`canvas_experiment` measures both, for several canvas sizes and seeds.

The network is built from :mod:`cnnlib.nets` (``Model``, ``init_conv``,
``init_dense``, ``train``, ``accuracy``), which imports optax; it is imported
on call, so ``import cnnlib`` stays light.
"""
from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_finite, check_int, check_key, check_ndim, check_positive_int, check_real, check_size, describe
from .conv import conv2d
from .dimensionality import knn_accuracy

__all__ = ["global_max_net", "canvas_experiment"]


def _global_max_apply(params: Any, x: jax.Array) -> jax.Array:
    """Logits (N, n_classes) for canvases (N, H, W) or (N, 1, H, W) of any size H, W >= kernel."""
    if x.ndim == 3:
        x = x[:, None]  # (N, 1, H, W)
    conv = params["conv"]
    # 'full': every window that overlaps the canvas, so every window that overlaps the digit, wherever it sits.
    # im2col: of cl.conv2d's methods the fastest to train here ('auto' picks 'direct' for one input channel).
    s = conv2d(x, conv["w"], padding="full", method="im2col") + conv["b"][:, None, None]  # (N, C, H+k-1, W+k-1)
    z = jnp.max(jax.nn.relu(s), axis=(-2, -1))  # (N, C): the best score of each filter, anywhere
    return z @ params["head"]["w"] + params["head"]["b"]  # (N, n_classes)


@partial(jax.jit, static_argnames=("channels", "kernel", "n_classes"))
def _init(key: jax.Array, channels: int, kernel: int, n_classes: int) -> dict[str, Any]:
    """He-initialised conv (C, 1, k, k) and head (C, n_classes); one compilation instead of one per array."""
    from . import nets

    k_conv, k_head = jax.random.split(key)
    return {"conv": nets.init_conv(k_conv, 1, channels, kernel), "head": nets.init_dense(k_head, channels, n_classes)}


def global_max_net(channels: int = 16, kernel: int = 8, n_classes: int = 10):
    r"""One convolution, a global max over positions and a dense read-out: a position-blind classifier.

    .. math:: z_c = \max_{i, j}\, \mathrm{ReLU}\big((x \star w_c)_{ij} + b_c\big), \qquad
              \mathrm{logits} = V^\top z + a

    The convolution (stride 1, 'full' padding with zeros, so every window that
    overlaps the canvas is scored) is translation equivariant: move the digit
    and its map of scores moves with it. The maximum over all positions is
    translation invariant. On a blank (zero) canvas the zero padding looks like
    more blank canvas, so every window that overlaps the digit is scored
    wherever the digit sits: ``z``, the logits and the prediction do not depend
    on the digit's position, nor on the canvas size once the canvas is larger
    than the digit (then some window misses the digit and scores
    ``ReLU(b_c)``), up to float32 round-off. The same parameters apply to a
    canvas of any size.

    Parameters
    ----------
    channels : int
        Filters ``C`` of the convolution.
    kernel : int
        Their size ``k`` (square), e.g. 8 for the 8x8 digits.
    n_classes : int
        Outputs.

    Returns
    -------
    cnnlib.nets.Model
        ``init(key)`` gives ``{"conv": {"w": (C, 1, k, k), "b": (C,)}, "head":
        {"w": (C, n_classes), "b": (n_classes,)}}``; ``apply(params, x)`` takes
        ``x`` of shape ``(N, H, W)`` or ``(N, 1, H, W)`` and returns ``(N, n_classes)``.
        Train it with ``cl.nets.train``.

    See Also
    --------
    cnnlib.nets.conv_net : with ``global_pool=True``, a deeper relative for a fixed input size.
    canvas_experiment : where this net meets k-NN.

    Examples
    --------
    >>> model = global_max_net(channels=4, kernel=3, n_classes=2)
    >>> params = model.init(jax.random.key(0))
    >>> from cnnlib.nets import count_params
    >>> count_params(params)  # 4 * (3 * 3 + 1) + (4 + 1) * 2
    50
    >>> model.apply(params, jnp.zeros((5, 8, 8))).shape, model.apply(params, jnp.zeros((5, 20, 20))).shape
    ((5, 2), (5, 2))
    """
    from . import nets

    channels = check_int(channels, "channels", minimum=1, maximum=nets.MAX_WIDTH)
    kernel = check_int(kernel, "kernel", minimum=1, maximum=256)
    n_classes = check_int(n_classes, "n_classes", minimum=1, maximum=nets.MAX_WIDTH)
    check_size(channels * kernel * kernel, "channels` x `kernel", "the filters")

    def init(key: jax.Array) -> dict[str, Any]:
        return _init(check_key(key), channels, kernel, n_classes)

    return nets.Model(f"conv {kernel}x{kernel} + global max", init, _global_max_apply, (1, kernel, kernel))


def _indices(idx: Any, name: str, n: int) -> np.ndarray:
    if idx is None or isinstance(idx, (str, bytes)):
        raise ValueError(f"`{name}` must be a non-empty 1-D array of integer indices; got {describe(idx)}.")
    try:
        a = np.asarray(idx)
    except ValueError:  # ragged
        raise ValueError(f"`{name}` must be a non-empty 1-D array of integer indices; got {describe(idx)}.") from None
    if a.ndim != 1 or a.size == 0 or not np.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_:
        raise ValueError(f"`{name}` must be a non-empty 1-D array of integer indices; got {describe(idx)}.")
    if a.min() < 0 or a.max() >= n:
        raise ValueError(f"`{name}` must index the {n} images (0 to {n - 1}); got {int(a.min())} to {int(a.max())}.")
    return a


def canvas_experiment(
    images: Any,
    labels: Any,
    train: Any,
    test: Any,
    canvases: Any,
    key: jax.Array,
    *,
    seeds: int = 3,
    k: int = 1,
    channels: int = 16,
    kernel: int = 8,
    epochs: int = 4,
    batch_size: int = 32,
    lr: float = 1e-2,
) -> dict[str, Any]:
    """Test accuracy of k-NN and of :func:`global_max_net` on digits pasted at random on growing canvases.

    For every canvas size ``s`` and seed ``i``, the key
    ``jax.random.fold_in(jax.random.fold_in(key, s), i)`` is split into three:
    the first places every digit at a uniformly random position on an
    ``s x s`` canvas (``cl.data.digits_on_canvas``), the second initialises
    the net, the third orders its training examples. Both classifiers see
    the same training digits (``images[train]``) on the same canvases, and are
    tested on the digits ``images[test]``, also placed at random. Each canvas
    size compiles one training step; the seeds reuse it.

    Parameters
    ----------
    images : array, (N, h, w)
        The digits, e.g. ``cl.load_digits()[0]``.
    labels : int array, (N,)
    train, test : int arrays
        Indices into ``images``, e.g. from ``cl.data.train_test_split``.
    canvases : sequence of int
        Canvas sides, each at least ``max(h, w, kernel)``.
    key : jax.Array
        PRNG key.
    seeds : int
        Repetitions with different placements, initialisations and orders.
    k : int
        Neighbours that vote (``cl.knn_accuracy``).
    channels, kernel : int
        Of :func:`global_max_net`.
    epochs, batch_size, lr : int, int, float
        Of ``cl.nets.train`` (Adam).

    Returns
    -------
    dict
        ``"canvas"``: (S,) canvas sides; ``"knn"`` and ``"cnn"``: (S, seeds)
        test accuracies; ``"settings"``: every setting above, for printing.

    Examples
    --------
    >>> from cnnlib.data import load_digits
    >>> images, labels = load_digits()
    >>> out = canvas_experiment(images[:40], labels[:40], np.arange(30), np.arange(30, 40), [10],
    ...                         jax.random.key(0), seeds=2, channels=2, epochs=1)
    >>> out["knn"].shape, out["cnn"].shape, out["canvas"].tolist()
    ((1, 2), (1, 2), [10])
    """
    from . import nets
    from .data import digits_on_canvas

    images = as_float_array(images, "images")
    check_ndim(images, 3, "images", "(N, h, w)")
    if 0 in images.shape:
        raise ValueError(f"`images` must hold digits of at least 1x1; got shape {tuple(images.shape)}.")
    check_finite(images, "images")
    n, h, w = images.shape
    if labels is None or isinstance(labels, (str, bytes)):
        raise ValueError(f"`labels` must be integer labels of shape ({n},), one per image; got {describe(labels)}.")
    y = np.asarray(labels)
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer) or y.dtype == np.bool_:
        raise ValueError(f"`labels` must be integer labels of shape ({n},), one per image; got {describe(labels)}.")
    if y.min() < 0:
        raise ValueError(f"`labels` must be >= 0; got {int(y.min())}.")
    train, test = _indices(train, "train", n), _indices(test, "test", n)
    key = check_key(key)
    seeds = check_int(seeds, "seeds", minimum=1, maximum=1000)
    channels = check_int(channels, "channels", minimum=1, maximum=4096)
    kernel = check_int(kernel, "kernel", minimum=1, maximum=256)
    epochs = check_int(epochs, "epochs", minimum=1, maximum=10**4)
    batch_size = check_int(batch_size, "batch_size", minimum=1, maximum=10**5)
    lr = check_real(lr, "lr", minimum=0.0, min_inclusive=False)
    k = check_int(k, "k", minimum=1, maximum=train.size)
    if canvases is None or isinstance(canvases, (str, bytes)):
        raise ValueError(f"`canvases` must be a non-empty list of integer canvas sides; got {describe(canvases)}.")
    try:
        sides = np.asarray(canvases)
    except ValueError:  # ragged
        raise ValueError(f"`canvases` must be a non-empty list of integer canvas sides; got {describe(canvases)}.") from None
    if sides.ndim != 1 or sides.size == 0 or not np.issubdtype(sides.dtype, np.integer) or sides.dtype == np.bool_:
        raise ValueError(f"`canvases` must be a non-empty list of integer canvas sides; got {describe(canvases)}.")
    smallest = max(h, w, kernel)
    if sides.min() < smallest:
        raise ValueError(
            f"`canvases` must be at least {smallest} (the {h}x{w} digits and the {kernel}x{kernel} kernel must fit); "
            f"got {int(sides.min())}."
        )
    if sides.max() > 1024:
        raise ValueError(f"`canvases` must be at most 1024 pixels; got {int(sides.max())}.")
    check_size(n * int(sides.max()) ** 2, "canvases", "the pasted digits of the largest canvas")

    model = global_max_net(channels, kernel, int(y.max()) + 1)
    labels_j = jnp.asarray(y, jnp.int32)
    knn = np.zeros((sides.size, seeds))
    cnn = np.zeros((sides.size, seeds))
    for a, side in enumerate(sides.tolist()):
        for i in range(seeds):
            k_place, k_init, k_order = jax.random.split(jax.random.fold_in(jax.random.fold_in(key, side), i), 3)
            x, _, _ = digits_on_canvas(k_place, images, canvas=side)  # (N, side, side)
            x_train, x_test = x[train], x[test]
            knn[a, i] = float(knn_accuracy(x_train, labels_j[train], x_test, labels_j[test], k=k))
            params, _ = nets.train(
                model, model.init(k_init), (x_train, labels_j[train]),
                key=k_order, epochs=epochs, batch_size=batch_size, lr=lr, progress=False,
            )
            cnn[a, i] = nets.accuracy(model, params, x_test, labels_j[test])
    settings = {
        "train": int(train.size), "test": int(test.size), "seeds": seeds, "k": k, "channels": channels,
        "kernel": kernel, "epochs": epochs, "batch_size": batch_size, "lr": lr,
    }
    return {"canvas": sides.astype(int), "knn": knn, "cnn": cnn, "settings": settings}
