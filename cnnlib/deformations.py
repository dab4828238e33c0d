"""Deformation stability: random smooth displacement fields, their sizes, and what they do to a representation.

Part of :mod:`cnnlib.invariance` (re-exported there and as ``cl.random_deformations``,
``cl.deformation_sizes``, ``cl.representation_change``); kept apart so each file
stays short. Notebook: ``notebooks/03_equivariance.ipynb``.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import MAX_ELEMENTS, as_float_array, check_finite, check_image_shape, check_int, check_key, check_ndim, check_real, check_shape, check_size, describe
from .transforms import _blurred_unit_flow, _flow_gradient_norm, _warp

__all__ = ["random_deformations", "deformation_sizes", "representation_change"]


def _numpy_rng(key: jax.Array) -> np.random.Generator:
    """A NumPy generator seeded by a JAX key's data.

    The draws here are plain arrays fed to compiled code; drawing them with
    NumPy costs no compilation (each ``jax.random`` call compiles its own
    program, about half a second on a laptop) and gives the same numbers on
    every machine.
    """
    return np.random.default_rng(np.asarray(jax.random.key_data(key)).ravel().tolist())


def _range(value: Any, name: str, *, minimum: float, min_inclusive: bool, maximum: float = 1e6) -> tuple[float, float]:
    """A number ``v`` (read as ``(v, v)``) or a pair ``(lo, hi)`` with ``0 < lo <= hi <= maximum``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"`{name}` must be a number or a pair (low, high); got {describe(value)}.")
        lo, hi = (check_real(v, name, minimum=max(minimum, 0.0), min_inclusive=False, maximum=maximum) for v in value)  # log-uniform
        if lo > hi:
            raise ValueError(f"`{name}` must be (low, high) with low <= high; got {describe(value)}.")
        return lo, hi
    v = check_real(value, name, minimum=minimum, min_inclusive=min_inclusive, maximum=maximum)
    return v, v


@jax.jit
def _fields(noise: jax.Array, amplitude: jax.Array, smoothness: jax.Array, shift: jax.Array) -> jax.Array:
    unit = jax.vmap(_blurred_unit_flow)(noise, smoothness)  # (n, 2, H, W), largest length 1 each
    return amplitude[:, None, None, None] * unit + shift[:, :, None, None]


def random_deformations(
    key: Any,
    shape: tuple[int, int],
    n: int,
    *,
    amplitude: float | tuple[float, float] = (0.25, 2.0),
    smoothness: float | tuple[float, float] = (2.0, 8.0),
    max_shift: int = 0,
) -> jax.Array:
    """``n`` random displacement fields: a smooth wobble plus, optionally, a whole-pixel shift.

    Field ``i`` is made like :func:`cnnlib.smooth_flow` (white noise, blurred,
    scaled) with a largest displacement ``amplitude_i`` and a blur width
    ``smoothness_i``, each drawn log-uniformly from its range (a single number
    means that value), plus a constant shift ``(dy_i, dx_i)`` with each
    component drawn uniformly from the integers ``-max_shift ... max_shift``.
    The draws are made with NumPy from a generator seeded by ``key`` (the same
    fields on every machine). The shift has no gradient, so
    it changes :math:`\\max_p\\|\\tau(p)\\|` without changing
    :math:`\\|\\nabla\\tau\\|_\\infty`.

    Parameters
    ----------
    key : jax PRNG key
    shape : (int, int)
        ``(H, W)`` of the image to warp.
    n : int
        Number of fields.
    amplitude : float or (float, float)
        Largest wobble displacement in pixels: a number in [0, 1e6], or a
        range ``(low, high)`` with ``0 < low <= high <= 1e6``.
    smoothness : float or (float, float)
        Width of the Gaussian blur of the noise in pixels, in [0.001, 1e6]
        (a number or a range).
    max_shift : int
        Largest shift component in pixels, 0 to max(H, W).

    Returns
    -------
    jax.Array, shape (n, 2, H, W)
        ``[:, 0]`` down, ``[:, 1]`` right, as :func:`cnnlib.warp` expects.

    Examples
    --------
    >>> import cnnlib as cl, jax
    >>> tau = cl.random_deformations(jax.random.key(0), (16, 16), 3, amplitude=1.5, smoothness=3.0)
    >>> size, grad = cl.deformation_sizes(tau)
    >>> tau.shape, size.round(4).tolist()
    ((3, 2, 16, 16), [1.5, 1.5, 1.5])
    """
    key = check_key(key)
    shape = check_image_shape(shape, "shape")
    if max(shape) > 4096:
        raise ValueError(f"`shape` must be at most 4096 pixels along each axis; got {shape}.")
    n = check_int(n, "n", minimum=1, maximum=MAX_ELEMENTS)
    check_size(n * 2 * shape[0] * shape[1], ("n" if n > 1 else "shape"), "the fields")
    amp = _range(amplitude, "amplitude", minimum=0.0, min_inclusive=True)
    # below 1e-3 pixels the blur is no blur (and its square underflows float32: NaN fields)
    smooth = _range(smoothness, "smoothness", minimum=1e-3, min_inclusive=True)
    max_shift = check_int(max_shift, "max_shift", minimum=0, maximum=max(shape))
    rng = _numpy_rng(key)
    noise = rng.standard_normal((n, 2, 1) + shape)  # (n, 2, 1, H, W): white noise, as in cl.smooth_flow

    def log_uniform(lo: float, hi: float) -> np.ndarray:
        return np.full(n, lo) if lo == hi else np.exp(rng.uniform(np.log(lo), np.log(hi), n))

    amplitudes, widths = log_uniform(*amp), log_uniform(*smooth)
    shifts = rng.integers(-max_shift, max_shift + 1, (n, 2))  # (n, 2): rows, columns
    as32 = partial(jnp.asarray, dtype=jnp.float32)
    return _fields(as32(noise), as32(amplitudes), as32(widths), as32(shifts))


@jax.jit
def _sizes(flows: jax.Array) -> tuple[jax.Array, jax.Array]:
    size = jnp.sqrt(flows[:, 0] ** 2 + flows[:, 1] ** 2).max(axis=(-2, -1))  # (n,)
    return size, jax.vmap(_flow_gradient_norm)(flows)


def deformation_sizes(flows: Any) -> tuple[np.ndarray, np.ndarray]:
    """The two sizes of a displacement field that the deformation bound talks about.

    Returns :math:`\\|\\tau\\|_\\infty = \\max_p \\|\\tau(p)\\|` (how far it
    moves things) and :math:`\\|\\nabla\\tau\\|_\\infty` (how much it bends
    them: the largest Frobenius norm of the Jacobian, as in
    :func:`cnnlib.flow_gradient_norm`).

    Parameters
    ----------
    flows : array, shape (n, 2, H, W) or (2, H, W), with H, W >= 2

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Each of shape (n,) (or () for one field), float64.

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> shift = np.stack([np.full((4, 4), 3.0), np.full((4, 4), 4.0)])   # 3 down, 4 right
    >>> [float(v) for v in cl.deformation_sizes(shift)]
    [5.0, 0.0]
    """
    flows = as_float_array(flows, "flows")
    check_ndim(flows, {3, 4}, "flows", "(n, 2, H, W) or (2, H, W)")
    single = flows.ndim == 3
    batch = flows[None] if single else flows
    check_shape(batch, (None, 2, None, None), "flows", "(n, 2, H, W) or (2, H, W)")
    if batch.shape[0] == 0 or min(batch.shape[-2:]) < 2:
        raise ValueError(f"`flows` must hold at least one field of at least 2x2 (a gradient needs two pixels); got shape {tuple(flows.shape)}.")
    check_finite(flows, "flows")
    size, grad = (np.asarray(v, dtype=np.float64) for v in _sizes(batch))
    return (size[0], grad[0]) if single else (size, grad)


def representation_change(phi: Callable[[jax.Array], Any], x: Any, flows: Any) -> np.ndarray:
    """Relative change of a representation under each deformation, all fields at once.

    .. math:: c_i = \\frac{\\|\\Phi(D_{\\tau_i} x) - \\Phi(x)\\|}{\\|\\Phi(x)\\|}

    with :math:`D_\\tau` = :func:`cnnlib.warp` (bilinear, 0 outside) and
    Frobenius norms over all entries of :math:`\\Phi`'s output. ``phi`` is
    traced once and mapped over the fields with ``jax.vmap``, so it must be
    written with JAX operations (``cl.conv2d``, ``jnp`` ...). To compare
    several representations in one compiled pass, let ``phi`` return a tuple
    of arrays: each gets its own :math:`c_i`.

    Parameters
    ----------
    phi : callable
        ``(H, W) -> array``, or ``-> tuple of arrays`` (any shapes, the same for every input).
    x : array, shape (H, W)
    flows : array, shape (n, 2, H, W)

    Returns
    -------
    numpy.ndarray, float64
        Shape (n,), or (n, R) when ``phi`` returns a tuple of R arrays. 0 where
        nothing changed; ``inf`` where :math:`\\Phi(x) = 0` but
        :math:`\\Phi(D_\\tau x) \\ne 0`.

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> x = np.zeros((1, 6)); x[0, 2] = 1
    >>> right = np.stack([np.zeros((1, 6)), np.ones((1, 6))])[None]   # one field: 1 pixel right
    >>> cl.representation_change(lambda z: z, x, right).round(4).tolist()   # moved: |e_3 - e_2| / |e_2|
    [1.4142]
    >>> cl.representation_change(lambda z: (z, z.sum()), x, right).round(4).tolist()   # the total did not
    [[1.4142, 0.0]]
    """
    if not callable(phi):
        raise TypeError(f"`phi` must be a function of one image; got {describe(phi)}.")
    x = as_float_array(x, "x")
    check_ndim(x, 2, "x", "(H, W)")
    if 0 in x.shape:
        raise ValueError(f"`x` must be at least 1x1; got shape {tuple(x.shape)}.")
    check_finite(x, "x")
    flows = as_float_array(flows, "flows")
    check_shape(flows, (None, 2) + tuple(x.shape), "flows", f"(n, 2, H, W) = (n, 2, {x.shape[0]}, {x.shape[1]}) to match `x`")
    if flows.shape[0] == 0:
        raise ValueError("`flows` must hold at least one field; got none.")
    check_finite(flows, "flows")
    several = _check_phi(phi, x)
    out, finite = _change(phi, x, flows.astype(x.dtype))
    if not bool(finite):
        raise ValueError("`phi` returned NaN or inf (for `x` or a deformed `x`); the change is not defined.")
    out = np.asarray(out, dtype=np.float64)  # (n, R)
    return out if several else out[:, 0]


def _check_phi(phi: Callable, x: jax.Array) -> bool:
    """Trace ``phi`` once; its output must be an array or a tuple of arrays computed from the image. Returns 'tuple?'."""
    try:
        out = jax.eval_shape(phi, jax.ShapeDtypeStruct(x.shape, x.dtype))
    except Exception as err:  # whatever phi raised, or returned something JAX cannot trace
        raise TypeError(f"`phi` must map an (H, W) image to an array (or a tuple of arrays) with JAX operations; "
                        f"calling it raised {type(err).__name__}: {str(err)[:200]}") from None
    parts = list(out) if isinstance(out, (tuple, list)) else [out]
    for part in parts:
        if not isinstance(part, jax.ShapeDtypeStruct) or getattr(part, "weak_type", False) or not (
            jnp.issubdtype(part.dtype, jnp.floating) or jnp.issubdtype(part.dtype, jnp.integer)
        ):
            raise TypeError(f"`phi` must return an array (or a tuple of arrays) computed from the image; got {describe(part)}.")
    if not parts:
        raise TypeError("`phi` must return an array or a non-empty tuple of arrays; got an empty tuple.")
    return isinstance(out, (tuple, list))


def _relative_norm(diff: jax.Array, den: jax.Array) -> jax.Array:
    num = jnp.sqrt(jnp.sum(diff**2))
    # as cl.equivariance_error: 0 if nothing changed, inf if only the reference is zero
    return jnp.where(den > 0, num / jnp.where(den > 0, den, 1.0), jnp.where(num > 0, jnp.inf, 0.0))


@partial(jax.jit, static_argnums=(0,))
def _change(phi: Callable, x: jax.Array, flows: jax.Array) -> jax.Array:
    def outputs(z):
        out = phi(z)
        return [jnp.asarray(o) for o in (out if isinstance(out, (tuple, list)) else [out])]

    refs = outputs(x)
    dens = [jnp.sqrt(jnp.sum(r**2)) for r in refs]

    def one(flow):  # (R,), and whether every output was finite
        outs = outputs(_warp(x, flow))
        ok = jnp.all(jnp.stack([jnp.all(jnp.isfinite(o)) for o in outs]))
        return jnp.stack([_relative_norm(o - r, d) for o, r, d in zip(outs, refs, dens)]), ok

    change, ok = jax.vmap(one)(flows)  # (n, R), (n,)
    return change, jnp.all(ok) & jnp.all(jnp.stack([jnp.all(jnp.isfinite(r)) for r in refs]))
