"""Shift equivariance in the band-limited sense: does a subsampled map follow a shift of its input?

After the input moves by :math:`\\Delta` pixels, a map ``s`` times smaller
should be the old map moved by :math:`\\Delta / s` of its own samples, with
band-limited (Fourier) interpolation when that is a fraction. What is left
is aliasing: :func:`shift_equivariance_errors`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import as_float_array, check_int, describe
from ..transforms import shift
from ._common import _as_input

__all__ = ["shift_equivariance_errors"]


@jax.jit
def _fourier_shift(y: jax.Array, dy: jax.Array, dx: jax.Array) -> jax.Array:
    """Circularly shift the last two axes by (dy, dx) samples, fractions allowed (band-limited interpolation).

    For whole numbers this equals ``cl.shift(y, dy, dx, boundary='circular')``;
    for fractions it is the only shift that a band-limited map can be asked
    to follow, the reference against which aliasing is measured.
    """
    ky = jnp.fft.fftfreq(y.shape[-2])[:, None]
    kx = jnp.fft.fftfreq(y.shape[-1])[None, :]
    ramp = jnp.exp(-2j * jnp.pi * (ky * dy + kx * dx))  # (h, w)
    return jnp.real(jnp.fft.ifft2(jnp.fft.fft2(y) * ramp)).astype(y.dtype)


def _as_shift_pairs(shifts: Any, spatial: tuple[int, int]) -> list[tuple[int, int]]:
    """``shifts`` as (dy, dx) pairs of whole numbers, each at most the image's side (an int d is (0, d))."""
    if isinstance(shifts, (np.ndarray, jax.Array)):
        shifts = np.asarray(shifts).tolist()
    if not isinstance(shifts, (list, tuple, range)):
        raise TypeError(f"`shifts` must be a sequence of ints or (dy, dx) pairs; got {describe(shifts)}.")
    out = []
    for s in shifts:
        if isinstance(s, (tuple, list)) and len(s) == 2:
            out.append((check_int(s[0], "shifts"), check_int(s[1], "shifts")))
        else:
            out.append((0, check_int(s, "shifts")))
    if not out:
        raise ValueError("`shifts` must hold at least one shift; got an empty sequence.")
    h, w = spatial
    for dy, dx in out:
        if abs(dy) > h or abs(dx) > w:
            raise ValueError(f"`shifts` must be at most the image's size {spatial} along each axis; got ({dy}, {dx}).")
    return out


def _as_maps(out: Any, reference: list[jax.Array] | None = None) -> list[jax.Array]:
    """What ``features`` returned, as a list of finite maps (..., h, w); the same count and shapes as ``reference``."""
    items = list(out) if isinstance(out, (list, tuple)) else [out]
    if not items:
        raise ValueError("`features` must return a map or a sequence of maps; it returned an empty sequence.")
    maps = []
    for i, m in enumerate(items):
        try:
            m = as_float_array(m, "features")
        except (TypeError, ValueError):
            raise TypeError(
                f"`features` must return arrays of shape (..., h, w), or a list of them; map {i} is {describe(m)}."
            ) from None
        if m.ndim < 2 or m.size == 0:
            raise ValueError(f"`features` must return maps of shape (..., h, w), not empty; map {i} has shape {tuple(m.shape)}.")
        if not bool(jnp.isfinite(m).all()):
            raise ValueError(f"`features` returned NaN or inf in map {i}.")
        maps.append(m)
    if reference is not None and [m.shape for m in maps] != [m.shape for m in reference]:
        raise ValueError(
            f"`features` must return maps of the same shapes for a shifted input; got {[tuple(m.shape) for m in reference]} "
            f"and then {[tuple(m.shape) for m in maps]}."
        )
    return maps


def shift_equivariance_errors(features: Callable[[jax.Array], Any], x: Any, shifts: Sequence[Any]) -> np.ndarray:
    """Band-limited shift-equivariance error of each feature map, for each input shift.

    The question it answers: after the input moves by :math:`\\Delta` pixels,
    is each map the *same smooth signal as before, moved along* by
    :math:`\\Delta / s` of its own samples? Here ``s`` is how many times
    smaller the map is than the input (read from the shapes, per axis).
    The reference is the original map shifted by :math:`\\Delta / s` samples
    with band-limited (Fourier, circular) interpolation, :math:`S^F`: for a
    whole number that is a plain circular shift; for a fraction (an odd
    input shift before a stride-2 layer: half a sample) it moves the map's
    trigonometric interpolant, the only way to move a sampled signal by part
    of a sample. If the layer's full-resolution map (before it keeps every
    ``s``-th sample) holds no frequency above the new Nyquist limit, the
    subsampled map follows every circular input shift exactly in this
    sense; what is left is aliasing. The error is

    .. math::

        e_\\ell(\\Delta) = \\frac{\\|F_\\ell(S_\\Delta x) - S^F_{\\Delta/s}\\, F_\\ell(x)\\|}
        {\\|F_\\ell(x) - \\overline{F_\\ell(x)}\\|},

    with Frobenius norms over all entries (batch and channels included) and
    :math:`\\overline{F_\\ell(x)}` the mean of all entries. The denominator is
    the map's variation around its mean: a shift never changes the mean, so
    a constant offset (a bright image, the positive mean of a ReLU map)
    must not make an error look small. 0: the map follows the shift
    exactly; 1: the error is as large as the map's own variation (plain
    subsampling of ``0, 0, 1, 1, ...`` after a one-sample shift, below);
    values above 1 are possible.

    This is *not* :func:`cnnlib.equivariance_error` with a half-pixel shift.
    That function (notebook 03) compares with a whole-sample shift of the
    output and divides by :math:`\\|F(x)\\|`: it asks whether the new map is
    the old one moved by whole samples, which after an odd input shift and
    stride 2 no map can be, however smooth. For a smooth stride-2 filter on
    a photo the two give about 0.4 and 0.01 (notebook 05, section 4).

    Input shifts are circular (:func:`cnnlib.shift`), so use circular
    padding inside ``features`` for exact zeros at multiples of the stride.

    Parameters
    ----------
    features : callable
        ``features(x)`` returns one map or a sequence of maps, each ``(..., h, w)``,
        finite, not constant, the same shapes for every shifted input.
    x : array, shape (H, W) or (N, C, H, W)
        Finite values, not empty.
    shifts : sequence of int or (dy, dx)
        An int ``d`` means ``(0, d)``, a horizontal shift; each at most the
        image's side along its axis.

    Returns
    -------
    ndarray, shape (n_layers, n_shifts)

    Raises
    ------
    TypeError, ValueError
        Naming the argument: ``features`` not callable or returning something
        that is not a finite, non-constant map (None, text, a scalar, NaN,
        other shapes after a shift); a bad ``x``; ``shifts`` not a non-empty
        sequence of whole numbers within the image.

    See Also
    --------
    cnnlib.equivariance_error : the whole-sample (grid) measure of notebook 03.

    Examples
    --------
    >>> x = jnp.array([[0., 0., 1., 1., 0., 0., 1., 1.]] * 8)
    >>> errs = shift_equivariance_errors(lambda v: v[::2, ::2], x, [0, 1, 2])
    >>> np.round(errs, 3).tolist()                  # odd shifts break it, even ones do not
    [[0.0, 1.0, 0.0]]

    A slow cosine is smooth enough for every second sample to follow a
    one-pixel shift as a half-sample shift; no whole-sample shift fits:

    >>> wave = jnp.cos(2 * jnp.pi * jnp.arange(32) / 16) * jnp.ones((4, 1))   # (4, 32)
    >>> sub = lambda v: v[..., ::2, ::2]
    >>> round(float(shift_equivariance_errors(sub, wave, [1])[0, 0]), 3)
    0.0
    >>> from cnnlib import equivariance_error, shift
    >>> round(equivariance_error(sub, lambda v: shift(v, 0, 1), wave, g_out=lambda v: v), 2)   # 2 sin(pi / 16)
    0.39
    """
    if not callable(features):
        raise TypeError(f"`features` must be a function of x returning feature maps; got {describe(features)}.")
    x = _as_input(x, {2, 4}, "(H, W) or (N, C, H, W)")
    pairs = _as_shift_pairs(shifts, tuple(x.shape[-2:]))
    base = _as_maps(features(x))
    errors = np.zeros((len(base), len(pairs)))
    scales = []
    for i, m0 in enumerate(base):
        scale = float(jnp.linalg.norm(m0 - m0.mean()))
        if scale == 0:
            raise ValueError(
                f"`features` returned a constant map (map {i}): it has no variation for an error to be relative to."
            )
        scales.append(scale)
    for j, (dy, dx) in enumerate(pairs):
        moved = _as_maps(features(shift(x, dy, dx, boundary="circular")), base)
        for i, (m0, m1) in enumerate(zip(base, moved)):
            sy, sx = x.shape[-2] / m0.shape[-2], x.shape[-1] / m0.shape[-1]
            want = _fourier_shift(m0, dy / sy, dx / sx)
            errors[i, j] = float(jnp.linalg.norm(m1 - want)) / scales[i]
    return errors
