"""Measuring equivariance and invariance, and a kernel with an orientation to measure it on.

A function :math:`f` is *equivariant* to a transformation :math:`g` when
transforming the input transforms the output in a matching way,

.. math:: f(g(x)) = g'(f(x)),

(usually :math:`g' = g`), and *invariant* when the output does not move at
all, :math:`f(g(x)) = f(x)`. The errors below measure how far a layer is
from either, relative to the size of its output, so 0 means exact and 1
means "as large as the signal itself".

The layer that is exactly equivariant to quarter turns, the p4 group
convolution, lives in :mod:`cnnlib.p4`, and what max pooling keeps under a
small shift in :mod:`cnnlib.pool_shift` (their names are importable from here too).

Notebook: ``notebooks/03_equivariance.ipynb``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_bool, check_finite, check_int, check_real, check_size, describe
from .p4 import p4_group_conv, p4_lifting_conv, p4_pool, p4_rotate  # re-exported: cnnlib.equivariance.p4_*
from .pool_shift import fraction_changed, shift_change_fractions  # re-exported: cnnlib.equivariance.*

__all__ = [
    "equivariance_error",
    "invariance_error",
    "equivariance_curve",
    "oriented_kernel",
    "p4_lifting_conv",
    "p4_group_conv",
    "p4_pool",
    "p4_rotate",
    "fraction_changed",
    "shift_change_fractions",
]


# --- errors ---------------------------------------------------------------------------------------


def _relative_difference(a: Any, b: Any, ref: Any, names: tuple[str, str], who: str) -> float:
    """||a - b|| / ||ref||, refusing to broadcast ``a`` against ``b`` (that would hide a mistake)."""
    if a.shape != b.shape:
        raise ValueError(
            f"`{names[0]}` and `{names[1]}` must have the same shape to be compared; "
            f"got {tuple(a.shape)} and {tuple(b.shape)}. Check what {who} return."
        )
    return _relative(a - b, ref)


def _relative(diff: jax.Array, ref: jax.Array) -> float:
    num = float(jnp.linalg.norm(jnp.ravel(diff)))
    den = float(jnp.linalg.norm(jnp.ravel(ref)))
    if den == 0.0:
        return 0.0 if num == 0.0 else float("inf")
    return num / den


def _output(value: Any, name: str, what: str, like: jax.Array | None = None) -> jax.Array:
    """What the user's function ``name`` returned (``what``, e.g. ``f(g(x))``): a finite real array.

    With ``like`` (the input of a transformation) the result must have as many axes as ``like``.
    """
    if value is None:
        raise TypeError(f"`{name}` must return an array; {what} returned None (a missing `return`?).")
    try:
        arr = as_float_array(value, name)
    except TypeError as err:
        raise TypeError(f"`{name}` must return a real numeric array; {what} is {describe(value)}.") from err
    if like is not None and arr.ndim != like.ndim:
        raise ValueError(f"`{name}` must return an array with the {like.ndim} axes of its input; "
                         f"{what} has shape {tuple(arr.shape)} for an input of shape {tuple(like.shape)}.")
    if arr.size and not bool(jnp.isfinite(arr).all()):
        raise ValueError(f"`{name}` returned NaN or inf in {what}; the error would not be a number.")
    return arr


def _input(x: Any) -> jax.Array:
    x = as_float_array(x, "x")
    if x.size == 0:
        raise ValueError(f"`x` must not be empty; got shape {tuple(x.shape)}.")
    return check_finite(x, "x")


def _check_callable(value: Any, name: str) -> None:
    if not callable(value):
        raise TypeError(f"`{name}` must be a function of one array; got {type(value).__name__}.")


def equivariance_error(f: Callable, g: Callable, x: Any, *, g_out: Callable | None = None) -> float:
    """How far ``f`` is from commuting with ``g`` on ``x``, relative to the output.

    .. math:: e = \\frac{\\|f(g(x)) - g'(f(x))\\|}{\\|f(x)\\|}

    What exactly is measured:

    * the norm is the Frobenius (Euclidean) norm over *all* entries of the
      arrays, the square root of the sum of squares;
    * the difference is divided by :math:`\\|f(x)\\|` itself, not by
      :math:`\\|f(x) - \\overline{f(x)}\\|` (the mean is not removed), so a
      large constant part of the output makes the error look smaller;
    * the output transformation :math:`g'` is ``g_out`` (default ``g``),
      applied to the array ``f(x)`` exactly as given: with ``cl.shift`` that
      is a whole-pixel (grid) shift, never an interpolated sub-pixel one.

    0 means exactly equivariant on this input; round-off in float32 gives
    about 1e-7. After a stride-2 layer and an odd input shift no whole-pixel
    ``g_out`` gives 0; whether the output moved by half a sample instead is
    another question, measured by :func:`cnnlib.shift_equivariance_errors`
    (Fourier half-sample shift, mean-removed norm; notebook 05).

    Parameters
    ----------
    f : callable
        The layer, an array to an array.
    g : callable
        The transformation of the input.
    x : array
        The input.
    g_out : callable, optional
        The matching transformation of the output, when it differs from ``g``
        (for example half the shift after a stride-2 layer, or
        :func:`p4_rotate` after a p4 convolution).

    Returns
    -------
    float
        ``0.0`` if ``f(x)`` and the difference are both zero, ``inf`` if only
        ``f(x)`` is.

    Examples
    --------
    >>> import cnnlib as cl, jax.numpy as jnp
    >>> x = jnp.array([[0.0, 1.0, 2.0, 3.0]])
    >>> right = lambda z: cl.shift(z, 0, 1)
    >>> cl.equivariance_error(lambda z: 2 * z, right, x)   # scaling commutes with shifting
    0.0
    >>> weigh = lambda z: z * jnp.arange(4.0)   # a weight that depends on the position
    >>> round(cl.equivariance_error(weigh, right, x), 2)   # does not commute
    0.94
    """
    _check_callable(f, "f")
    _check_callable(g, "g")
    g_out = g if g_out is None else g_out
    _check_callable(g_out, "g_out")
    x = _input(x)
    fx = _output(f(x), "f", "f(x)")
    fgx = _output(f(_output(g(x), "g", "g(x)", like=x)), "f", "f(g(x))")
    try:
        gfx = g_out(fx)
    except (TypeError, ValueError) as err:
        raise type(err)(f"`g_out` could not be applied to what `f` returned (shape {tuple(fx.shape)}): {err}") from None
    gfx = _output(gfx, "g_out", "g_out(f(x))")
    return _relative_difference(fgx, gfx, fx, ("f(g(x))", "g_out(f(x))"), "`f` and `g_out`")


def invariance_error(f: Callable, g: Callable, x: Any) -> float:
    """How much ``f`` changes when the input is transformed, relative to the output.

    .. math:: e = \\frac{\\|f(g(x)) - f(x)\\|}{\\|f(x)\\|}

    Examples
    --------
    >>> import cnnlib as cl, jax.numpy as jnp
    >>> x = jnp.array([[0.0, 1.0, 5.0, 3.0]])
    >>> cl.invariance_error(jnp.max, lambda z: cl.shift(z, 0, 1), x)  # the maximum does not move
    0.0
    """
    _check_callable(f, "f")
    _check_callable(g, "g")
    x = _input(x)
    fx = _output(f(x), "f", "f(x)")
    fgx = _output(f(_output(g(x), "g", "g(x)", like=x)), "f", "f(g(x))")
    return _relative_difference(fgx, fx, fx, ("f(g(x))", "f(x)"), "`f` and `g`")


def equivariance_curve(
    f: Callable,
    transform: Callable,
    params: Iterable[Any],
    x: Any,
    *,
    transform_out: Callable | None = None,
    invariant: bool = False,
) -> np.ndarray:
    """Errors over a sweep of a transformation's parameter, e.g. the angle of a rotation.

    For each ``p`` in ``params``: :func:`equivariance_error` with
    ``g = transform(., p)`` and ``g' = transform_out(., p)`` (default
    ``transform``), or :func:`invariance_error` when ``invariant=True``.

    Returns
    -------
    numpy.ndarray, shape (len(params),), float64

    Examples
    --------
    >>> import cnnlib as cl, jax.numpy as jnp
    >>> x = jnp.array([[0.0, 1.0, 5.0, 3.0]])
    >>> cl.equivariance_curve(jnp.square, lambda z, d: cl.shift(z, 0, d), [0, 1, 2], x).tolist()
    [0.0, 0.0, 0.0]
    """
    _check_callable(f, "f")
    _check_callable(transform, "transform")
    out = transform if transform_out is None else transform_out
    _check_callable(out, "transform_out")
    x = _input(x)
    invariant = check_bool(invariant, "invariant")
    if isinstance(params, (str, bytes)) or not isinstance(params, Iterable):
        raise TypeError(f"`params` must be a sequence of parameter values, e.g. [0, 15, 30]; got {type(params).__name__}.")
    errors = []
    for p in params:
        g = partial(_call, transform, p)
        if invariant:
            errors.append(invariance_error(f, g, x))
        else:
            errors.append(equivariance_error(f, g, x, g_out=partial(_call, out, p)))
    return np.asarray(errors, dtype=np.float64)


def _call(transform: Callable, p: Any, z: Any) -> Any:
    return transform(z, p)


# --- a kernel with an orientation ----------------------------------------------------------------


def oriented_kernel(size: int = 9, angle: float = 30.0, sigma: float = 2.0) -> jax.Array:
    """An edge detector with one preferred direction: a derivative of a Gaussian.

    .. math:: w(u, v) \\propto -(u\\cos\\theta - v\\sin\\theta)\\, e^{-(u^2 + v^2) / (2\\sigma^2)}

    with :math:`u` to the right and :math:`v` down from the kernel centre. Its
    response (a cross-correlation) is most positive where the image gets
    darker along the direction ``angle`` degrees (counter-clockwise from "to
    the right"), most negative where it gets brighter, and it is
    antisymmetric: turned by 180 degrees it is its own negative. Normalised so
    that the absolute values sum to 1.

    Parameters
    ----------
    size : int
        Side ``k`` of the ``(k, k)`` kernel, >= 2.
    angle : float
        Preferred direction in degrees.
    sigma : float
        Width of the Gaussian in pixels, > 0.

    Examples
    --------
    >>> import cnnlib as cl
    >>> w = cl.oriented_kernel(3, angle=0.0, sigma=1.0)
    >>> round(float(w[1, 0]), 3), round(float(w[1, 2]), 3)   # + on the left, - on the right
    (0.226, -0.226)
    """
    size = check_int(size, "size", minimum=2)
    check_size(size * size, "size", "the kernel")
    angle = check_real(angle, "angle")
    sigma = check_real(sigma, "sigma", minimum=0.0, min_inclusive=False)
    t = np.arange(size) - (size - 1) / 2
    v, u = np.meshgrid(t, t, indexing="ij")  # (k, k): v down, u right
    a = np.deg2rad(angle % 360.0)
    across = u * np.cos(a) - v * np.sin(a)
    # In logs, relative to the largest tap, before exp: a narrow Gaussian (sigma = 0.01) would
    # underflow to 0 in every tap and give 0 / 0; the normalised kernel is the same.
    keep = np.abs(across) > 1e-12 * size  # taps on the line through the centre are 0
    r2 = u**2 + v**2
    nearest = r2[keep].min()
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # sigma**2 may underflow to 0: farther taps become 0
        excess = np.where(r2 > nearest, (r2 - nearest) / (2 * sigma**2), 0.0)
    log_w = np.where(keep, np.log(np.where(keep, np.abs(across), 1.0)) - excess, -np.inf)
    w = -np.sign(across) * np.exp(log_w - log_w.max())
    return jnp.asarray(w / np.abs(w).sum(), dtype=jnp.float32)
