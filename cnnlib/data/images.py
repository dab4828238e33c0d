"""The two bundled photographs, channel-last, and the batch that ``cl.conv2d`` takes."""
from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from .._validate import MAX_ELEMENTS, as_float_array, check_bool, check_choice, check_finite, check_int, check_ndim, check_size, ntuple
from . import files
from .files import _IMAGE_FILES, IMAGE_NAMES, LUMA_WEIGHTS

__all__ = ["load_image", "as_batch"]


def _centre_crop_box(height: int, width: int, h: int, w: int) -> tuple[int, int, int, int]:
    """(top, left, crop_h, crop_w): the largest centred box with aspect ratio w / h."""
    if width * h > height * w:  # too wide: trim the sides
        crop_h, crop_w = height, max(1, round(height * w / h))
    else:  # too tall: trim top and bottom
        crop_h, crop_w = max(1, round(width * h / w)), width
    return (height - crop_h) // 2, (width - crop_w) // 2, crop_h, crop_w


@partial(jax.jit, static_argnames=("grey", "box", "size"))
def _prepare(pixels: jax.Array, grey: bool, box: tuple[int, int, int, int] | None, size: tuple[int, int] | None):
    img = pixels.astype(jnp.float32) / 255.0
    if grey:
        r, g, b = LUMA_WEIGHTS
        img = r * img[..., 0] + g * img[..., 1] + b * img[..., 2]
    if size is not None:
        top, left, crop_h, crop_w = box
        img = img[top : top + crop_h, left : left + crop_w]
        img = jax.image.resize(img, size + img.shape[2:], method="linear", antialias=True)
        img = jnp.clip(img, 0.0, 1.0)
    return img


def load_image(name: str, *, grey: bool = False, size: int | tuple[int, int] | None = None) -> jax.Array:
    """Load a bundled photograph as float32 in [0, 1], channel-last.

    Parameters
    ----------
    name : {"cat", "astronaut"}
        ``"cat"``: Chelsea the cat, 300 x 451. ``"astronaut"``: Eileen Collins, 512 x 512.
    grey : bool
        Return ``(H, W)`` luma ``0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601)
        instead of ``(H, W, 3)`` RGB.
    size : int or (h, w), optional
        Output size. The largest centred crop with the aspect ratio ``w / h`` is
        cut out, then resized with linear interpolation and antialiasing (each
        output pixel averages the input pixels it covers when shrinking).

    Returns
    -------
    jax.Array
        ``(H, W)`` or ``(H, W, 3)``, float32, values in [0, 1]. Channel-last,
        for ``plt.imshow``; ``as_batch(img)`` gives the ``(1, C, H, W)`` that
        ``cl.conv2d`` takes.

    Examples
    --------
    >>> img = load_image("cat", grey=True)
    >>> img.shape, img.dtype
    ((300, 451), dtype('float32'))
    >>> load_image("astronaut", size=64).shape
    (64, 64, 3)
    >>> load_image("cat", grey=True, size=(30, 45)).shape
    (30, 45)
    """
    name = check_choice(name, IMAGE_NAMES, "name")
    grey = check_bool(grey, "grey")
    out_size = None if size is None else ntuple(size, 2, "size")
    if out_size is not None:
        out_size = tuple(check_int(s, "size", maximum=MAX_ELEMENTS) for s in out_size)
        check_size(out_size[0] * out_size[1] * (1 if grey else 3), "size", "the image")
    pixels = files._decoded_image(files._DATA_DIR, _IMAGE_FILES[name])
    box = None if out_size is None else _centre_crop_box(*pixels.shape[:2], *out_size)
    return _prepare(jnp.asarray(pixels), bool(grey), box, out_size)


def as_batch(img: Any) -> jax.Array:
    """Turn a channel-last image into the ``(N, C, H, W)`` batch that ``cl.conv2d`` takes.

    Parameters
    ----------
    img : array, shape (H, W) or (H, W, C) with C in {1, 3, 4}
        A grey or colour image as returned by ``load_image``.

    Returns
    -------
    jax.Array
        ``(1, 1, H, W)`` for a grey image, ``(1, C, H, W)`` for a colour one.

    Examples
    --------
    >>> as_batch(load_image("cat", grey=True, size=32)).shape
    (1, 1, 32, 32)
    >>> as_batch(load_image("cat", size=32)).shape
    (1, 3, 32, 32)
    """
    img = as_float_array(img, "img")
    check_ndim(img, (2, 3), "img", "(H, W) or (H, W, C)")
    if img.size == 0:
        raise ValueError(f"`img` must not be empty; got shape {tuple(img.shape)}.")
    check_finite(img, "img")
    if img.ndim == 2:
        return img[None, None]
    if img.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"`img` must be channel-last, (H, W, C) with C in 1, 3 or 4; got {tuple(img.shape)}. "
            "An image that is already channel-first (C, H, W) only needs `img[None]`."
        )
    return jnp.moveaxis(img, -1, 0)[None]
