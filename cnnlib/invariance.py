"""Invariance learned by pooling over channels, and how pooled features react to deformations.

Two experiments of notebook 03 live here.

**Learned rotation invariance.** A detector with a few template channels,

.. math:: s_k(x) = \\max_p \\frac{(x \\star \\hat w_k)[p]}{\\|x\\|},\\qquad
          \\text{score}(x) = \\max_k s_k(x),

(:func:`template_scores`; :math:`\\hat w_k` is the zero-mean, unit-norm
template) is trained on digits turned by random angles
(:func:`train_rotation_detector`). Nothing tells it about angles; if the max
over channels is to stay high for every turned digit, the channels have to
split the angles between them. :func:`rotation_match` measures whether two
filters are turned copies of each other.

**Deformation stability.** :func:`random_deformations` draws smooth random
displacement fields :math:`\\tau` (optionally plus a whole-pixel shift),
:func:`deformation_sizes` gives their size :math:`\\max_p\\|\\tau(p)\\|` and
their gradient :math:`\\|\\nabla\\tau\\|_\\infty`, and
:func:`representation_change` measures
:math:`\\|\\Phi(D_\\tau x) - \\Phi(x)\\| / \\|\\Phi(x)\\|` for any
representation :math:`\\Phi`, all fields at once.

Notebook: ``notebooks/03_equivariance.ipynb``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import as_float_array, check_image_shape, check_int, check_key, check_ndim, check_real, check_shape, describe
from .conv import conv2d
from .transforms import _blurred_unit_flow, _flow_gradient_norm, _warp, rotate

__all__ = [
    "template_scores",
    "train_rotation_detector",
    "rotation_match",
    "random_deformations",
    "deformation_sizes",
    "representation_change",
]


def _numpy_rng(key: jax.Array) -> np.random.Generator:
    """A NumPy generator seeded by a JAX key's data.

    The draws here are plain arrays fed to compiled code; drawing them with
    NumPy costs no compilation (each ``jax.random`` call compiles its own
    program, about half a second on a laptop) and gives the same numbers on
    every machine.
    """
    return np.random.default_rng(np.asarray(jax.random.key_data(key)).ravel().tolist())


# --- a detector made of template channels ---------------------------------------------------------


def _unit_templates(w: jax.Array) -> jax.Array:
    """(K, k, k) -> zero-mean templates of norm 1, as (K, 1, k, k) for conv2d."""
    w = w - w.mean(axis=(-2, -1), keepdims=True)
    norm = jnp.sqrt(jnp.sum(w**2, axis=(-2, -1), keepdims=True))
    return (w / jnp.maximum(norm, 1e-12))[:, None]  # (K, 1, k, k)


def _scores(w: jax.Array, x: jax.Array) -> jax.Array:
    """x (N, H, W), w (K, k, k) -> (N, K): the best match of each template anywhere."""
    maps = conv2d(x[:, None], _unit_templates(w), method="lax")  # (N, K, H - k + 1, W - k + 1); lax: fastest to compile and run here
    norms = jnp.sqrt(jnp.sum(x**2, axis=(-2, -1)))  # (N,)
    return maps.max(axis=(-2, -1)) / jnp.maximum(norms, 1e-12)[:, None]


_scores_jit = jax.jit(_scores)


def template_scores(w: Any, x: Any) -> jax.Array:
    """How well each template matches each image, at its best position.

    .. math:: s_k(x) = \\max_p \\frac{(x \\star \\hat w_k)[p]}{\\|x\\|},\\qquad
              \\hat w_k = \\frac{w_k - \\bar w_k}{\\|w_k - \\bar w_k\\|}

    with :math:`\\star` the 'valid' cross-correlation of :func:`cnnlib.conv2d`.
    A score is at most 1, the value for an image that is zero outside one
    window and equals a positive multiple of :math:`\\hat w_k` plus a constant
    inside it. The max over positions makes it invariant to shifts that keep
    the content inside the image; the max over ``k`` (taken by the caller)
    pools over channels.

    Parameters
    ----------
    w : array, shape (K, k, k)
        K templates (their scale and mean do not matter).
    x : array, shape (N, H, W) or (H, W), with H, W >= k

    Returns
    -------
    jax.Array, shape (N, K) (or (K,) for one image)

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> x = np.zeros((4, 4)); x[1:3, 1:3] = [[0, 1], [1, 0]]
    >>> w = np.array([[[0.0, 1.0], [1.0, 0.0]]])          # the pattern itself
    >>> round(float(cl.template_scores(w, x)[0]), 4)     # 1 / sqrt(2): x is not zero-mean in the window
    0.7071
    """
    w = as_float_array(w, "w")
    check_ndim(w, 3, "w", "(K, k, k)")
    x = as_float_array(x, "x")
    check_ndim(x, {2, 3}, "x", "(N, H, W) or (H, W)")
    if min(x.shape[-2:]) < max(w.shape[-2:]):
        raise ValueError(f"`x` images {tuple(x.shape[-2:])} must be at least as large as the templates {tuple(w.shape[-2:])}.")
    single = x.ndim == 2
    out = _scores_jit(w, x[None] if single else x)
    return out[0] if single else out


@partial(jax.jit, static_argnames=("lr", "temperature"))
def _train(w0, x, idx, angles, *, lr, temperature):
    import optax  # lazily: `import cnnlib` stays light

    optimiser = optax.adam(lr)
    turn = jax.vmap(rotate)  # one angle per image
    batch = idx.shape[-1] // 2
    yb = jnp.concatenate([jnp.ones(batch), jnp.zeros(batch)])  # targets first, then the others

    def loss_fn(params, xb):
        s = _scores(params["w"], xb)  # (2B, K)
        soft_max = temperature * jax.nn.logsumexp(s / temperature, axis=1)  # (2B,): the max over channels, softened
        return optax.sigmoid_binary_cross_entropy(params["scale"] * (soft_max - params["threshold"]), yb).mean()

    def one_run(w, idx, angles):  # idx, angles: (steps, 2B)
        params = {"w": w, "scale": jnp.float32(10.0), "threshold": jnp.float32(0.5)}

        def step(carry, batch_in):
            params, state = carry
            i, a = batch_in
            loss, grads = jax.value_and_grad(loss_fn)(params, turn(x[i], a))  # (2B, H, W), each turned by its angle
            updates, state = optimiser.update(grads, state, params)
            return (optax.apply_updates(params, updates), state), loss

        (params, _), losses = jax.lax.scan(step, (params, optimiser.init(params)), (idx, angles))
        return params, losses

    return jax.vmap(one_run)(w0, idx, angles)  # the runs side by side


def train_rotation_detector(
    key: Any,
    images: Any,
    is_target: Any,
    *,
    n_channels: int = 3,
    size: int = 12,
    n_runs: int = 1,
    steps: int = 500,
    batch: int = 32,
    lr: float = 0.02,
    max_angle: float = 60.0,
    temperature: float = 0.05,
) -> tuple[dict[str, jax.Array], jax.Array]:
    """Train a detector made of ``n_channels`` templates and a max over them, on turned images.

    The detector's logit is ``scale * (max_k s_k(x) - threshold)`` with
    :math:`s_k` from :func:`template_scores`. Each step draws ``batch``
    target images and ``batch`` others (with replacement), turns every one by
    its own angle drawn uniformly from ``[-max_angle, max_angle]`` degrees
    (:func:`cnnlib.rotate`), and takes one Adam step on the binary
    cross-entropy. During training the max over channels is softened to
    ``temperature * logsumexp(s / temperature)`` (within
    ``temperature * log(K)`` of the max), so that a channel that does not win
    still gets some gradient; use the hard max with the trained templates.
    The templates start as small random noise: nothing in the model says
    "rotation". The ``n_runs`` runs differ in their starting noise, their
    batches and their angles, all drawn up front from ``key`` (with NumPy:
    the same numbers on every machine); they are trained side by side
    (``vmap``), each in one compiled ``lax.scan``.

    Parameters
    ----------
    key : jax PRNG key
    images : array, shape (N, H, W)
        Room to turn: content near the corners is lost when turned.
    is_target : array of bool, shape (N,)
        Which images the detector should fire on (both classes must occur).
    n_channels, size : int
        Number of templates and their side ``k`` (``k <= min(H, W)``).
    n_runs : int
        Independent runs (seeds) trained at once.
    steps, batch : int
        Adam steps; targets (and as many others) per step.
    lr, max_angle, temperature : float
        Adam's learning rate; the largest turn in degrees; the softness of the
        max over channels (> 0).

    Returns
    -------
    params : dict
        ``"w"`` of shape (n_runs, n_channels, size, size), ``"scale"`` and
        ``"threshold"`` of shape (n_runs,).
    losses : jax.Array, shape (n_runs, steps)
        The training loss of each step.

    Examples
    --------
    >>> import cnnlib as cl, jax, numpy as np
    >>> x = np.zeros((4, 6, 6), np.float32); x[:2, 2:4, 1:5] = 1; x[2:, 1:5, 2:4] = 1   # bars: - - | |
    >>> params, losses = cl.train_rotation_detector(jax.random.key(0), x, [1, 1, 0, 0], size=4,
    ...                                             n_channels=2, n_runs=2, steps=3, batch=2)
    >>> params["w"].shape, losses.shape
    ((2, 2, 4, 4), (2, 3))
    """
    key = check_key(key)
    images = as_float_array(images, "images")
    check_ndim(images, 3, "images", "(N, H, W)")
    target = np.asarray(is_target)
    if target.shape != (images.shape[0],) or not (target.dtype == np.bool_ or np.issubdtype(target.dtype, np.integer)):
        raise ValueError(f"`is_target` must be {images.shape[0]} booleans (one per image); got {describe(is_target)}.")
    target = target.astype(bool)
    if target.all() or not target.any():
        raise ValueError("`is_target` must mark some images as targets and some as not; got only one kind.")
    n_channels = check_int(n_channels, "n_channels", minimum=1)
    size = check_int(size, "size", minimum=2, maximum=min(images.shape[-2:]))
    n_runs = check_int(n_runs, "n_runs", minimum=1)
    steps = check_int(steps, "steps", minimum=1)
    batch = check_int(batch, "batch", minimum=1)
    lr = check_real(lr, "lr", minimum=0.0, min_inclusive=False)
    max_angle = check_real(max_angle, "max_angle", minimum=0.0, maximum=180.0)
    temperature = check_real(temperature, "temperature", minimum=0.0, min_inclusive=False)
    rng = _numpy_rng(key)
    w0 = 0.01 * rng.standard_normal((n_runs, n_channels, size, size))  # small noise; its scale does not matter
    idx = np.concatenate([rng.choice(np.flatnonzero(target), (n_runs, steps, batch)),
                          rng.choice(np.flatnonzero(~target), (n_runs, steps, batch))], axis=-1)  # (R, steps, 2B)
    angles = rng.uniform(-max_angle, max_angle, idx.shape)  # (R, steps, 2B): one angle per image shown
    w0, idx, angles = jnp.asarray(w0, jnp.float32), jnp.asarray(idx, jnp.int32), jnp.asarray(angles, jnp.float32)
    return _train(w0, images, idx, angles, lr=lr, temperature=temperature)


@partial(jax.jit, static_argnames=("max_shift",))
def _rotation_match(a: jax.Array, b: jax.Array, angles: jax.Array, *, max_shift: int) -> jax.Array:
    turned = jax.vmap(lambda t: rotate(b, t))(angles)  # (A, k, k)
    turned = turned - turned.mean(axis=(-2, -1), keepdims=True)
    a = a - a.mean()
    cc = conv2d(a[None, None], turned[:, None], padding=max_shift)[0]  # (A, 2m + 1, 2m + 1): every offset
    norms = jnp.sqrt(jnp.sum(a**2)) * jnp.sqrt(jnp.sum(turned**2, axis=(-2, -1)))  # (A,)
    return cc.max(axis=(-2, -1)) / jnp.maximum(norms, 1e-12)


def rotation_match(a: Any, b: Any, angles: Sequence[float], *, max_shift: int = 2) -> np.ndarray:
    """How much ``a`` looks like ``b`` turned by each angle: the best correlation over small shifts.

    .. math:: m(\\theta) = \\max_{\\|s\\|_\\infty \\le m}
              \\frac{\\langle a - \\bar a,\\ S_s (R_\\theta b - \\overline{R_\\theta b}) \\rangle}
                   {\\|a - \\bar a\\|\\, \\|R_\\theta b - \\overline{R_\\theta b}\\|}

    :math:`R_\\theta` is :func:`cnnlib.rotate` (about the centre, 0 outside)
    and :math:`S_s` a whole-pixel shift with zeros entering. If ``a`` is
    ``b`` turned by 30 degrees, ``m`` peaks at 30 with a value near 1. The
    shifts forgive templates that learned the same shape a pixel or two apart
    (a max over positions does not care).

    Parameters
    ----------
    a, b : array, shape (k, k)
    angles : sequence of float
        Degrees, counter-clockwise.
    max_shift : int
        Largest shift along each axis, >= 0.

    Returns
    -------
    numpy.ndarray, shape (len(angles),), values in [-1, 1]

    Examples
    --------
    >>> import cnnlib as cl, numpy as np
    >>> b = np.zeros((5, 5)); b[2, 1:4] = 1           # a horizontal bar
    >>> np.round(cl.rotation_match(cl.rotate90(b), b, [0, 90], max_shift=0), 2).tolist()
    [0.24, 1.0]

    (At 0 degrees the bars share one pixel: after removing the mean 3/25 the
    correlation is (1 - 9/25) / (3 - 9/25) = 0.24.)
    """
    a = as_float_array(a, "a")
    check_ndim(a, 2, "a", "(k, k)")
    b = as_float_array(b, "b")
    check_shape(b, tuple(a.shape), "b", f"{tuple(a.shape)} like `a`")
    angles = as_float_array(angles, "angles")
    check_ndim(angles, 1, "angles", "(A,), a sequence of angles in degrees")
    max_shift = check_int(max_shift, "max_shift", minimum=0)
    return np.asarray(_rotation_match(a, b, angles.astype(jnp.float32), max_shift=max_shift), dtype=np.float64)


# --- random deformations and what they do to a representation ----------------------------------


def _range(value: Any, name: str, *, minimum: float, min_inclusive: bool) -> tuple[float, float]:
    """A number ``v`` (read as ``(v, v)``) or a pair ``(lo, hi)`` with ``0 < lo <= hi``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"`{name}` must be a number or a pair (low, high); got {describe(value)}.")
        lo, hi = (check_real(v, name, minimum=0.0, min_inclusive=False) for v in value)  # drawn log-uniformly
        if lo > hi:
            raise ValueError(f"`{name}` must be (low, high) with low <= high; got {describe(value)}.")
        return lo, hi
    v = check_real(value, name, minimum=minimum, min_inclusive=min_inclusive)
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
        Largest wobble displacement in pixels: a number >= 0, or a range
        ``(low, high)`` with ``0 < low <= high``.
    smoothness : float or (float, float)
        Width of the Gaussian blur of the noise in pixels, > 0 (a number or a range).
    max_shift : int
        Largest shift component in pixels, >= 0.

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
    n = check_int(n, "n", minimum=1)
    amp = _range(amplitude, "amplitude", minimum=0.0, min_inclusive=True)
    smooth = _range(smoothness, "smoothness", minimum=0.0, min_inclusive=False)
    max_shift = check_int(max_shift, "max_shift", minimum=0)
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
    flows : array, shape (n, 2, H, W) or (2, H, W)

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
    flows = as_float_array(flows, "flows")
    check_shape(flows, (None, 2) + tuple(x.shape), "flows", f"(n, 2, H, W) = (n, 2, {x.shape[0]}, {x.shape[1]}) to match `x`")
    several = isinstance(jax.eval_shape(phi, jax.ShapeDtypeStruct(x.shape, x.dtype)), (tuple, list))
    out = np.asarray(_change(phi, x, flows.astype(x.dtype)), dtype=np.float64)  # (n, R)
    return out if several else out[:, 0]


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

    def one(flow):  # (R,)
        return jnp.stack([_relative_norm(o - r, d) for o, r, d in zip(outputs(_warp(x, flow)), refs, dens)])

    return jax.vmap(one)(flows)  # (n, R)
