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

**Deformation stability** (in :mod:`cnnlib.deformations`, re-exported
here). :func:`random_deformations` draws smooth random
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

from ._validate import as_float_array, check_finite, check_int, check_key, check_ndim, check_real, check_shape, check_size, describe
from .conv import conv2d
from .deformations import _fields, _numpy_rng, _range, _sizes, deformation_sizes, random_deformations, representation_change  # noqa: F401  (deformations: re-exported, notebook 03 uses them from here)
from ._xla import cpu_jit
from .training import adam_scan
from .transforms import rotate

__all__ = [
    "template_scores",
    "train_rotation_detector",
    "rotation_match",
    "random_deformations",
    "deformation_sizes",
    "representation_change",
]


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
    if 0 in w.shape:
        raise ValueError(f"`w` must hold at least one template of size at least 1x1; got shape {tuple(w.shape)}.")
    check_finite(w, "w")
    x = as_float_array(x, "x")
    check_ndim(x, {2, 3}, "x", "(N, H, W) or (H, W)")
    check_finite(x, "x")
    if x.ndim == 3 and x.shape[0] == 0:
        raise ValueError(f"`x` must hold at least one image; got shape {tuple(x.shape)}.")
    if min(x.shape[-2:]) < max(w.shape[-2:]):
        raise ValueError(f"`x` images {tuple(x.shape[-2:])} must be at least as large as the templates {tuple(w.shape[-2:])}.")
    single = x.ndim == 2
    out = _scores_jit(w, x[None] if single else x)
    return out[0] if single else out


@partial(cpu_jit, static_argnames=("lr", "temperature"))  # classic emitters on a CPU (cnnlib._xla)
def _train(w0, x, idx, angles, *, lr, temperature):
    import optax  # lazily: `import cnnlib` stays light

    turn = jax.vmap(rotate)  # one angle per image
    batch = idx.shape[-1] // 2
    yb = jnp.concatenate([jnp.ones(batch), jnp.zeros(batch)])  # targets first, then the others

    def loss_fn(params, i, a):  # i, a (2B,): the images of this step and their angles
        s = _scores(params["w"], turn(x[i], a))  # (2B, K), each image turned by its angle
        soft_max = temperature * jax.nn.logsumexp(s / temperature, axis=1)  # (2B,): the max over channels, softened
        return optax.sigmoid_binary_cross_entropy(params["scale"] * (soft_max - params["threshold"]), yb).mean()

    def one_run(w, idx, angles):  # idx, angles: (steps, 2B)
        params = {"w": w, "scale": jnp.float32(10.0), "threshold": jnp.float32(0.5)}
        params, _, losses = adam_scan(loss_fn, params, (idx, angles), lr)  # the Adam loop every trainer shares
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
    (``vmap``), each in one compiled ``lax.scan``
    (:func:`cnnlib.training.adam_scan`, the Adam loop every trainer in cnnlib shares).

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
    if 0 in images.shape:
        raise ValueError(f"`images` must hold at least two images of at least 2x2; got shape {tuple(images.shape)}.")
    check_finite(images, "images")
    if is_target is None or isinstance(is_target, (str, bytes)):
        raise TypeError(f"`is_target` must be {images.shape[0]} booleans (one per image); got {describe(is_target)}.")
    target = np.asarray(is_target)
    if target.shape != (images.shape[0],) or not (target.dtype == np.bool_ or np.issubdtype(target.dtype, np.integer)):
        raise ValueError(f"`is_target` must be {images.shape[0]} booleans (one per image); got {describe(is_target)}.")
    if target.dtype != np.bool_ and not np.isin(target, (0, 1)).all():
        raise ValueError(f"`is_target` must be booleans or 0/1; got values {sorted(set(target.tolist()))[:5]}.")
    target = target.astype(bool)
    if target.all() or not target.any():
        raise ValueError("`is_target` must mark some images as targets and some as not; got only one kind.")
    n_channels = check_int(n_channels, "n_channels", minimum=1, maximum=1024)
    size = check_int(size, "size", minimum=2, maximum=min(images.shape[-2:]))
    n_runs = check_int(n_runs, "n_runs", minimum=1, maximum=1000)
    steps = check_int(steps, "steps", minimum=1, maximum=10**5)
    batch = check_int(batch, "batch", minimum=1, maximum=10**5)
    check_size(n_runs * steps * 2 * batch, "steps", "the table of batches and angles")
    check_size(n_runs * 2 * batch * images.shape[1] * images.shape[2], "batch", "the turned images of one step")
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
    if 0 in a.shape:
        raise ValueError(f"`a` must be at least 1x1; got shape {tuple(a.shape)}.")
    check_finite(a, "a")
    b = as_float_array(b, "b")
    check_shape(b, tuple(a.shape), "b", f"{tuple(a.shape)} like `a`")
    check_finite(b, "b")
    if angles is None or isinstance(angles, (str, bytes)) or np.asarray(angles).dtype == np.bool_:
        raise TypeError(f"`angles` must be a sequence of angles in degrees; got {describe(angles)}.")
    angles = as_float_array(angles, "angles")
    check_ndim(angles, 1, "angles", "(A,), a sequence of angles in degrees")
    if angles.shape[0] == 0:
        raise ValueError("`angles` must hold at least one angle; got none.")
    check_finite(angles, "angles")
    max_shift = check_int(max_shift, "max_shift", minimum=0, maximum=max(a.shape))
    return np.asarray(_rotation_match(a, b, angles.astype(jnp.float32), max_shift=max_shift), dtype=np.float64)
