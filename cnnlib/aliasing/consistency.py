"""Zhang's consistency: how often two random shifts of an input get the same predicted class."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import check_choice, check_int, check_key, check_positive_int, describe
from ..transforms import shift
from ._common import _as_input, _check_entries

__all__ = ["shift_consistency"]


def shift_consistency(
    predict: Callable[[jax.Array], Any],
    images: Any,
    *,
    max_shift: int,
    n_pairs: int = 1,
    key: jax.Array,
    boundary: str = "circular",
) -> float:
    """Zhang's consistency: how often two random shifts of an input get the same predicted class.

    For every image and every pair, two shifts :math:`(dy, dx)` are drawn
    uniformly from :math:`\\{-m, \\dots, m\\}^2`, and

    .. math:: \\text{consistency} = P\\bigl[\\arg\\max f(\\mathrm{shift}_1 x) = \\arg\\max f(\\mathrm{shift}_2 x)\\bigr].

    Parameters
    ----------
    predict : callable
        ``predict(batch)`` for a batch like ``images`` returns logits
        ``(N, n_classes)`` or classes ``(N,)``. It is called on one batch
        of the ``2 n_pairs N`` shifted images the pairs use, or once per
        distinct shift on all ``N`` images, whichever classifies fewer.
    images : array, shape (N, H, W) or (N, C, H, W)
        Finite values, not empty.
    max_shift : int
        ``m``, the largest shift along each axis, from 0 to the longest side.
    n_pairs : int
        Pairs of shifts per image.
    key : jax.Array
        Draws the shifts.
    boundary : {'circular', 'zeros'}
        As in :func:`cnnlib.shift` ('circular' keeps every pixel).

    Returns
    -------
    float in [0, 1]; 1 for a shift-invariant ``predict``.

    Raises
    ------
    TypeError, ValueError
        Naming the argument; also when ``predict`` returns something that
        is not N classes or N rows of finite logits.

    Examples
    --------
    >>> x = jax.random.uniform(jax.random.key(1), (20, 6, 6))
    >>> brightness = lambda b: (b.sum(axis=(1, 2)) > 18).astype(int)      # blind to shifts
    >>> shift_consistency(brightness, x, max_shift=2, n_pairs=3, key=jax.random.key(0))
    1.0
    """
    if not callable(predict):
        raise TypeError(f"`predict` must be a function of a batch of images; got {describe(predict)}.")
    images = _as_input(images, {3, 4}, "(N, H, W) or (N, C, H, W)", "images")
    m = check_int(max_shift, "max_shift", minimum=0, maximum=max(images.shape[-2:]))
    n_pairs = check_positive_int(n_pairs, "n_pairs")
    _check_entries(2 * n_pairs * images.size, "n_pairs", "the shifted images")
    key = check_key(key)
    check_choice(boundary, ("circular", "zeros"), "boundary")
    n = images.shape[0]
    draws = np.asarray(jax.random.randint(key, (n_pairs, n, 2, 2), -m, m + 1))  # (pair, image, first/second, (dy, dx))
    flat = draws[..., 0] * (2 * m + 1) + draws[..., 1] + m * (2 * m + 2)  # (pair, image, 2): one index per shift, 0 .. (2m+1)^2 - 1
    image = np.broadcast_to(np.arange(n)[None, :, None], flat.shape)  # (pair, image, 2): which image each shift moves
    unique_shifts = np.unique(flat)
    if 2 * n_pairs < len(unique_shifts):
        # Fewer images to classify if only the (shift, image) combinations the pairs use are made:
        # 2 n_pairs N of them, gathered in NumPy (no compilation per subset size) and classified in one batch.
        dy, dx = np.divmod(flat.ravel(), 2 * m + 1)
        moved = _shift_each(np.asarray(images), image.ravel(), dy - m, dx - m, boundary)
        classes = _as_classes(predict(jnp.asarray(moved)), flat.size).reshape(flat.shape)
    else:  # every shift applied to the whole batch once
        per_shift = {}
        for index in unique_shifts:
            dy, dx = divmod(int(index), 2 * m + 1)
            per_shift[int(index)] = _as_classes(predict(shift(images, dy - m, dx - m, boundary=boundary)), n)
        classes = np.stack([per_shift[int(i)][k] for i, k in zip(flat.ravel(), image.ravel())]).reshape(flat.shape)
    return float(np.mean(classes[..., 0] == classes[..., 1]))


def _shift_each(images: np.ndarray, which: np.ndarray, dy: np.ndarray, dx: np.ndarray, boundary: str) -> np.ndarray:
    """``cl.shift(images[which[t]], dy[t], dx[t], boundary=boundary)`` for every t, stacked: (T, ...) like images."""
    h, w = images.shape[-2:]
    flat = images.reshape(images.shape[0], -1, h, w).transpose(0, 2, 3, 1)  # (N, H, W, C)
    rows = np.arange(h)[None, :] - dy[:, None]  # (T, H): output row i reads input row i - dy
    cols = np.arange(w)[None, :] - dx[:, None]  # (T, W)
    out = flat[which[:, None, None], rows[:, :, None] % h, cols[:, None, :] % w]  # (T, H, W, C)
    if boundary == "zeros":
        inside = ((rows >= 0) & (rows < h))[:, :, None] & ((cols >= 0) & (cols < w))[:, None, :]  # (T, H, W)
        out = out * inside[..., None]
    return out.transpose(0, 3, 1, 2).reshape((len(which),) + images.shape[1:])


def _as_classes(out: Any, n: int) -> np.ndarray:
    """``predict``'s output as classes (n,): logits (n, n_classes) become their argmax."""
    want = f"logits (N, n_classes) or classes (N,) for N = {n}"
    try:
        out = np.asarray(out)
    except Exception:  # ragged lists and the like
        raise TypeError(f"`predict` must return {want}; got {describe(out)}.") from None
    if out.dtype == object or not (np.issubdtype(out.dtype, np.number) or out.dtype == np.bool_) or np.iscomplexobj(out):
        raise TypeError(f"`predict` must return {want}; got {describe(out)}.")
    if out.ndim not in (1, 2) or out.shape[0] != n or out.size == 0:
        raise ValueError(f"`predict` must return {want}; got shape {out.shape}.")
    if np.issubdtype(out.dtype, np.inexact) and not np.isfinite(out).all():
        raise ValueError("`predict` returned NaN or inf.")
    return out.argmax(axis=-1) if out.ndim == 2 else out
