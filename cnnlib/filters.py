"""Classic kernels and template matching: what a hand-made filter sees.

Before networks learned their kernels, image processing used hand-designed
ones: the identity, edge detectors, sharpening and blurs. This module holds
them (:data:`KERNELS`, :func:`kernel`, :func:`box_kernel`,
:func:`gaussian_kernel`) and the oldest detector of all, sliding a patch over
an image and scoring each position (:func:`match_template`).

Every kernel is applied with :func:`cnnlib.conv2d`, which (like every deep
learning library) computes cross-correlation:

.. math::

    s_{i,j} = \\sum_{a}\\sum_{b} x_{i+a,\\,j+b}\\, w_{a,b}.

Notebook: ``notebooks/00_convolution.ipynb``.
"""
from __future__ import annotations

import types
from collections.abc import Mapping
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_bool, check_choice, check_finite, check_ndim, check_positive_int
from ._validate import check_real, check_size
from .conv import conv2d

__all__ = [
    "KERNELS",
    "kernel",
    "box_kernel",
    "gaussian_kernel",
    "match_template",
    "argmax2d",
]


def _check_entries(entries: int, name: str, what: str) -> None:
    """``check_size``, also for counts too large for its float arithmetic (``padding=10**400``)."""
    if entries > 2**62:
        raise ValueError(f"`{name}` is too large: {what} would have about 1e{len(str(entries)) - 1} entries.")
    check_size(entries, name, what)


def _frozen(rows: list[list[float]], scale: float = 1.0) -> np.ndarray:
    arr = np.asarray(rows, dtype=np.float32) / np.float32(scale)
    arr.flags.writeable = False
    return arr


#: The classic 3x3 kernels from the lecture, read-only float32 NumPy arrays,
#: with the lecture deck's values and signs (its table "Examples of different
#: filter effects"). The smoothing ones ("box", "gaussian3") and "sharpen" and
#: "identity" sum to 1 (they keep the mean brightness); the edge detectors sum
#: to 0 (a flat region gives 0). The deck's two Laplacians have opposite signs:
#: "laplacian4" has a negative centre (the discrete Laplacian, negative on a
#: bright spot), "laplacian8" a positive centre (positive on a bright spot).
KERNELS: Mapping[str, np.ndarray] = types.MappingProxyType(
    {
        "identity": _frozen([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
        "edge": _frozen([[1, 0, -1], [0, 0, 0], [-1, 0, 1]]),
        "laplacian4": _frozen([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
        "laplacian8": _frozen([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
        "sharpen": _frozen([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        "box": _frozen([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 9),
        "gaussian3": _frozen([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 16),
    }
)


def kernel(name: str) -> jax.Array:
    """One of the classic 3x3 kernels, by name.

    Parameters
    ----------
    name : {'identity', 'edge', 'laplacian4', 'laplacian8', 'sharpen', 'box', 'gaussian3'}
        The lecture's values: ``'edge'`` is ``[[1, 0, -1], [0, 0, 0], [-1, 0, 1]]``;
        ``'laplacian4'`` is ``[[0, 1, 0], [1, -4, 1], [0, 1, 0]]`` (four direct
        neighbours, centre negative); ``'laplacian8'`` is
        ``[[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]`` (all eight neighbours,
        centre positive: the deck's sign, opposite to ``'laplacian4'``);
        ``'sharpen'`` is ``[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]``;
        ``'box'`` is the normalised 3x3 mean and ``'gaussian3'`` is
        ``[[1, 2, 1], [2, 4, 2], [1, 2, 1]] / 16``.

    Returns
    -------
    jax.Array, shape (3, 3), float32

    Raises
    ------
    ValueError
        If ``name`` is not one of the names above.

    See Also
    --------
    KERNELS : the same kernels as a read-only mapping.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.kernel("laplacian4").tolist()
    [[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]]
    >>> cl.kernel("laplacian8").tolist()[1]
    [-1.0, 8.0, -1.0]
    >>> float(cl.kernel("gaussian3").sum())
    1.0
    """
    name = check_choice(name, KERNELS, "name")
    return jnp.asarray(KERNELS[name])


def box_kernel(size: int) -> jax.Array:
    """The normalised ``size x size`` box (mean) filter: every weight ``1 / size**2``.

    Parameters
    ----------
    size : int
        Side length, at least 1.

    Returns
    -------
    jax.Array, shape (size, size), float32, summing to 1.

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.filters.box_kernel(2).tolist()
    [[0.25, 0.25], [0.25, 0.25]]
    """
    size = check_positive_int(size, "size")
    _check_entries(size * size, "size", "the kernel")
    return jnp.asarray(np.full((size, size), 1.0 / size**2, dtype=np.float32))  # built in NumPy: nothing to compile


def gaussian_kernel(size: int, sigma: float | None = None) -> jax.Array:
    """A normalised, separable ``size x size`` Gaussian blur kernel.

    .. math::

        g_a = \\frac{e^{-(a - c)^2 / 2\\sigma^2}}{\\sum_b e^{-(b - c)^2 / 2\\sigma^2}},
        \\qquad c = \\frac{size - 1}{2}, \\qquad w_{a,b} = g_a\\, g_b.

    The 2-D kernel is the outer product of a 1-D kernel with itself, so a
    Gaussian blur can be done as two 1-D passes (``2 k`` instead of ``k**2``
    multiplications per pixel).

    Parameters
    ----------
    size : int
        Side length, at least 1 (odd sizes have a centre pixel).
    sigma : float, optional
        Standard deviation in pixels, > 0. Default ``size / 4``: the kernel
        spans about two standard deviations each side of the centre. With
        ``size=3`` and ``sigma = 1 / sqrt(2 ln 2) ~ 0.85`` it is exactly the
        ``'gaussian3'`` kernel ``[[1, 2, 1], [2, 4, 2], [1, 2, 1]] / 16``.

    Returns
    -------
    jax.Array, shape (size, size), float32, summing to 1.

    Raises
    ------
    ValueError
        If ``size < 1`` or ``sigma <= 0``.

    Examples
    --------
    >>> import cnnlib as cl
    >>> w = cl.gaussian_kernel(3, sigma=1.0)
    >>> round(float(w.sum()), 6), w.shape
    (1.0, (3, 3))
    >>> bool(w[1, 1] > w[0, 1] > w[0, 0])
    True
    """
    size = check_positive_int(size, "size")
    _check_entries(size * size, "size", "the kernel")
    sigma = size / 4 if sigma is None else check_real(sigma, "sigma", minimum=0.0, min_inclusive=False)
    a = np.arange(size) - (size - 1) / 2
    d2 = a**2 - np.min(a**2)  # the centre pixel(s) weigh exactly 1: no 0 / 0 for a tiny sigma
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        z = np.where(d2 > 0, d2 / (2 * np.float64(sigma) ** 2), 0.0)  # sigma**2 may underflow to 0 or overflow
    g = np.exp(-z)
    g = g / g.sum()  # (size,), a sum >= 1
    return jnp.asarray(np.outer(g, g).astype(np.float32))  # (size, size), built in NumPy: nothing to compile


@partial(jax.jit, static_argnames=("normalised",))
def _match(image: jax.Array, template: jax.Array, eps: jax.Array, normalised: bool) -> jax.Array:
    if not normalised:
        return conv2d(image, template)  # (H - h + 1, W - w + 1)
    n = template.size
    # Centring the image changes no NCC score but keeps the float32 sums small.
    x = image - jnp.mean(image)
    t = template - jnp.mean(template)  # zero mean: sum_ab t_ab = 0
    ones = jnp.ones(template.shape, dtype=x.dtype)
    # Because t has zero mean, subtracting each window's mean from x changes nothing here.
    numerator = conv2d(x, t)
    window_sum = conv2d(x, ones)
    window_sq = conv2d(x * x, ones)
    # n * (window variance): sum (x - mean)^2 = sum x^2 - (sum x)^2 / n.
    window_ss = jnp.maximum(window_sq - window_sum**2 / n, 0.0)
    template_ss = jnp.sum(t * t)
    # Windows flatter than eps * (global variance) have no contrast to match: score 0.
    floor = eps * n * jnp.mean(x * x)
    flat = window_ss <= floor
    denominator = jnp.sqrt(jnp.where(flat, 1.0, window_ss) * template_ss)
    return jnp.where(flat, 0.0, jnp.clip(numerator / denominator, -1.0, 1.0))


def match_template(image: Any, template: Any, *, normalised: bool = True, eps: float = 1e-4) -> jax.Array:
    """Score every placement of ``template`` in ``image`` (a sliding-window detector).

    Raw cross-correlation (``normalised=False``) is the plain sliding dot product

    .. math::

        C_{i,j} = \\sum_{a=0}^{h-1}\\sum_{b=0}^{w-1} x_{i+a,\\,j+b}\\, t_{a,b},

    which grows with the brightness of the window, so a bright region can
    outscore the template's own location. Zero-mean normalised
    cross-correlation (the default) divides that out:

    .. math::

        \\rho_{i,j} = \\frac{\\sum_{a,b} (x_{i+a,j+b} - \\bar x_{ij})(t_{a,b} - \\bar t)}
        {\\sqrt{\\sum_{a,b} (x_{i+a,j+b} - \\bar x_{ij})^2\\,\\sum_{a,b} (t_{a,b} - \\bar t)^2}}
        \\in [-1, 1],

    where :math:`\\bar x_{ij}` is the mean of the window at ``(i, j)``. It is
    1 exactly where the window is a brightened and contrast-stretched copy
    of the template. All the window sums are computed with
    :func:`cnnlib.conv2d` (a correlation with a kernel of ones).

    Parameters
    ----------
    image : array_like, shape (H, W)
        Grey image.
    template : array_like, shape (h, w)
        The patch to look for, with ``h <= H`` and ``w <= W``.
    normalised : bool
        ``True`` for normalised cross-correlation, ``False`` for the raw score.
    eps : float
        Windows whose variance is below ``eps`` times the image's variance
        count as flat and score 0 (their NCC would be 0 / 0).

    Returns
    -------
    jax.Array, shape (H - h + 1, W - w + 1)
        ``score[i, j]`` rates the window whose top-left corner is ``(i, j)``.

    Raises
    ------
    ValueError
        If an array is not 2-D, empty or holds NaN/inf, the template is larger
        than the image, or (for NCC) the template is constant.

    See Also
    --------
    argmax2d : where the best score is.
    cnnlib.conv2d : the correlation used for every sum.

    Examples
    --------
    >>> import jax.numpy as jnp, cnnlib as cl
    >>> x = jnp.array([[0., 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 9]])
    >>> t = x[1:3, 1:3]
    >>> cl.argmax2d(cl.match_template(x, t, normalised=False))  # 9 * 4 wins
    (2, 2)
    >>> cl.argmax2d(cl.match_template(x, t))  # the copy of t wins
    (1, 1)
    """
    image = as_float_array(image, "image")
    template = as_float_array(template, "template")
    check_ndim(image, 2, "image", "(H, W)")
    check_ndim(template, 2, "template", "(h, w)")
    for arr, name in ((image, "image"), (template, "template")):
        if arr.size == 0:
            raise ValueError(f"`{name}` must not be empty; got shape {tuple(arr.shape)}.")
        check_finite(arr, name)
    if template.shape[0] > image.shape[0] or template.shape[1] > image.shape[1]:
        raise ValueError(
            f"`template` must fit inside `image`; got template shape {tuple(template.shape)} "
            f"for image shape {tuple(image.shape)}."
        )
    normalised = check_bool(normalised, "normalised")
    eps = check_real(eps, "eps", minimum=0.0)
    if normalised and not isinstance(template, jax.core.Tracer) and float(jnp.ptp(template)) == 0.0:
        raise ValueError(
            "`template` is constant, so its normalised cross-correlation is 0 / 0 everywhere; "
            "cut a patch with some contrast, or use normalised=False."
        )
    dtype = jnp.result_type(image, template)
    return _match(image.astype(dtype), template.astype(dtype), jnp.asarray(eps, dtype), bool(normalised))


def argmax2d(score: Any) -> tuple[int, int]:
    """The ``(row, column)`` of the largest entry of a 2-D score map.

    Parameters
    ----------
    score : array_like, shape (H, W)

    Returns
    -------
    tuple of int
        The first position (in row-major order) holding the maximum.

    Raises
    ------
    ValueError
        If ``score`` is not 2-D, is empty, or holds NaN/inf (NaN would win or
        lose silently, depending on how the maximum is searched).

    Examples
    --------
    >>> import cnnlib as cl
    >>> cl.argmax2d([[0, 1, 0], [0, 0, 5]])
    (1, 2)
    """
    score = as_float_array(score, "score")
    check_ndim(score, 2, "score", "(H, W)")
    if score.size == 0:
        raise ValueError(f"`score` must not be empty; got shape {tuple(score.shape)}.")
    check_finite(score, "score")
    row, col = np.unravel_index(int(jnp.argmax(score)), score.shape)
    return int(row), int(col)
