"""What sparse interactions save: parameters and time of a dense layer versus a convolution.

For an image of ``m`` pixels mapped to ``n`` outputs, a dense layer stores and
multiplies ``m * n`` weights; a convolution with a ``k x k`` kernel touches
``k^2`` inputs per output, ``k^2 * n`` multiply-adds (and stores only ``k^2``
weights, which is parameter sharing, notebook 02). :func:`measure_dense_vs_conv`
times both on this machine as the image grows; :func:`fit_loglog_slope` reads
the exponent off the measurements.

Used by ``notebooks/01_sparse_interactions.ipynb`` and the benchmarks. Nothing
heavy is imported at module import.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validate import MAX_ELEMENTS, check_int, check_key, check_positive_int, check_real, check_size, describe

__all__ = ["measure_dense_vs_conv", "fit_loglog_slope", "DENSE_MAX_MIB"]

#: Largest dense matrix :func:`measure_dense_vs_conv` builds by default, in MiB
#: of float32. A 128 x 128 image needs a 16384 x 16384 matrix, 1 GiB; the
#: default stops at 256 MiB (side 90), which a shared 2-core laptop survives.
DENSE_MAX_MIB = 256.0


def _best_seconds(fn, args, repeats: int) -> float:
    for _ in range(2):  # warm: compile, touch the memory, wake the thread pool
        fn(*args).block_until_ready()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args).block_until_ready()
        times.append(time.perf_counter() - t0)
    return min(times)  # the run least disturbed by other work on the machine


def measure_dense_vs_conv(
    sides: Sequence[int],
    *,
    batch: int = 64,
    k: int = 3,
    repeats: int = 5,
    key: Any,
    max_dense_mib: float = DENSE_MAX_MIB,
) -> list[dict[str, Any]]:
    r"""Time a dense layer and a ``k x k`` convolution on square images of growing side.

    For each side ``L`` the input is a batch of single-channel ``L x L`` images
    (``m = L^2`` pixels) and the output has ``n = m`` units (``padding='same'``).
    The dense layer multiplies by a random ``(m, n)`` matrix; the convolution is
    ``cl.conv2d(x, w, padding='same', method='auto')``. Each is jitted, run twice
    to warm up, then timed ``repeats`` times with ``block_until_ready``; the
    fastest run is kept (the one least disturbed by other work: on a shared or
    two-core machine a median still jumps by a factor of two between runs).

    Parameters
    ----------
    sides : sequence of int (a 1-D NumPy array too)
        Image sides ``L``, e.g. ``(8, 16, 32, 64)``.
    batch : int
        Images per call (``N``).
    k : int
        Kernel size.
    repeats : int, 1 ... 1000
        Timed calls per measurement (the fastest is kept).
    key : jax.random key
        For the random images, matrix and kernel.
    max_dense_mib : float
        Skip the dense layer when its float32 matrix, ``4 m n`` bytes, is larger
        (the time is then ``nan`` and ``dense_skipped`` is True). The 1 GiB
        matrix of side 128 needs ``max_dense_mib >= 1024``; ``float("inf")``
        never skips.

    Returns
    -------
    list of dict
        One record per side with ``side``, ``m``, ``n``, ``dense_params``
        (``m n``), ``sparse_params`` (``k^2 n``: one weight per connection, no
        sharing), ``conv_params`` (``k^2``), ``dense_flops`` (``2 N m n``),
        ``conv_flops`` (``2 N k^2 n``), ``dense_seconds``, ``conv_seconds``,
        ``dense_skipped``.

    Examples
    --------
    >>> import jax
    >>> rec = measure_dense_vs_conv([4], batch=2, repeats=1, key=jax.random.key(0))[0]
    >>> rec["m"], rec["dense_params"], rec["sparse_params"], rec["conv_params"]
    (16, 256, 144, 9)
    """
    import jax
    import jax.numpy as jnp

    from .conv import conv2d

    if isinstance(sides, np.ndarray) and sides.ndim == 1:
        sides = sides.tolist()  # e.g. 2 ** np.arange(3, 8)
    if isinstance(sides, (str, bytes)) or not isinstance(sides, Sequence) or not sides:
        raise TypeError(f"`sides` must be a non-empty sequence of image sides such as (8, 16, 32); got {describe(sides)}.")
    sides = [check_int(s, "sides", minimum=1, maximum=MAX_ELEMENTS) for s in sides]
    batch = check_int(batch, "batch", minimum=1, maximum=MAX_ELEMENTS)
    k = check_int(k, "k", minimum=1, maximum=MAX_ELEMENTS)
    repeats = check_int(repeats, "repeats", minimum=1, maximum=1000)
    check_size(k * k, "k", "the kernel")
    for side in sides:  # the images and the convolution's output, before anything is drawn
        check_size(batch * side * side, "sides" if side * side >= batch else "batch", f"a batch of {batch} images of side {side}")
    key = check_key(key)
    if not (isinstance(max_dense_mib, (float, np.floating)) and max_dense_mib == np.inf):  # inf: never skip
        max_dense_mib = check_real(max_dense_mib, "max_dense_mib", minimum=0.0)

    dense = jax.jit(lambda x, w: x @ w)  # (N, m) @ (m, n) -> (N, n)
    conv = jax.jit(lambda x, w: conv2d(x, w, padding="same", method="auto"))  # (N, 1, L, L)
    # The data are drawn with NumPy, seeded from `key`: jax.random would compile once per shape.
    raw = jax.random.key_data(key) if jnp.issubdtype(key.dtype, jax.dtypes.prng_key) else key  # uint32 words
    rng = np.random.default_rng(np.asarray(raw).ravel().tolist())
    records = []
    for side in sides:
        m = n = side * side
        x = jnp.asarray(rng.standard_normal((batch, 1, side, side), dtype=np.float32))  # (N, C, H, W)
        w = jnp.asarray(rng.standard_normal((1, 1, k, k), dtype=np.float32))  # (C_out, C_in, kH, kW)
        conv_seconds = _best_seconds(conv, (x, w), repeats)
        skipped = 4 * m * n / 2**20 > max_dense_mib
        dense_seconds = float("nan")
        if not skipped:
            matrix = jnp.asarray(rng.standard_normal((m, n), dtype=np.float32) / side)  # (m, n)
            dense_seconds = _best_seconds(dense, (x.reshape(batch, m), matrix), repeats)  # (N, m)
            del matrix
        records.append(
            {
                "side": side,
                "m": m,
                "n": n,
                "dense_params": m * n,
                "sparse_params": k * k * n,
                "conv_params": k * k,
                "dense_flops": 2 * batch * m * n,
                "conv_flops": 2 * batch * k * k * n,
                "dense_seconds": dense_seconds,
                "conv_seconds": conv_seconds,
                "dense_skipped": skipped,
            }
        )
    return records


def fit_loglog_slope(x: Sequence[float], y: Sequence[float]) -> float:
    r"""Slope ``b`` of the least-squares line :math:`\log y = a + b \log x`.

    A cost that grows like :math:`x^b` shows up as slope ``b`` on log axes.
    Pairs where ``y`` is ``nan`` (a skipped measurement) are left out.

    Examples
    --------
    >>> round(fit_loglog_slope([1, 2, 4, 8], [3, 12, 48, 192]), 6)
    2.0
    """
    try:
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"`x` and `y` must be sequences of numbers; got {describe(x)} and {describe(y)} ({err}).") from None
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"`x` and `y` must be 1-D of the same length; got shapes {x.shape} and {y.shape}.")
    keep = np.isfinite(y)
    if not np.all(np.isfinite(x[keep])):
        raise ValueError(f"`x` must be finite where `y` is; got {describe(x.tolist())}.")
    if np.any(x[keep] <= 0) or np.any(y[keep] <= 0):
        raise ValueError("`x` and `y` must be positive to be put on log axes.")
    if np.unique(x[keep]).size < 2:
        raise ValueError(f"`x` and `y` need at least two distinct `x` values with a finite `y`; got {int(keep.sum())} point(s).")
    slope, _ = np.polyfit(np.log(x[keep]), np.log(y[keep]), 1)
    return float(slope)
