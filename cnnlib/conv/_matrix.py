"""The convolution as a matrix: :func:`conv_matrix`, built by scattering the kernel's entries."""
from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._validate import describe
from ._methods import _dense_matrix
from ._plan import _as_float, full_plan

__all__ = ["conv_matrix"]

CONV_MATRIX_MAX_ENTRIES = 2**26  # conv_matrix: 256 MiB of float32 (a 90 x 90 image with a 3 x 3 kernel)


def conv_matrix(
    input_shape: tuple[int, ...],
    w: Any,
    *,
    stride: int | tuple[int, int] = 1,
    padding: str | int | tuple = "valid",
    dilation: int | tuple[int, int] = 1,
    boundary: str = "zeros",
    flip: bool = False,
    method: str | None = None,
) -> jax.Array:
    r"""The matrix :math:`M` of the linear map ``x -> conv2d(x, w, ...)``.

    .. math::

        \operatorname{vec}(s) = M \operatorname{vec}(x), \qquad
        M_{(i,j),(p,q)} = \sum_{a,b:\; \pi(is+ad,\, js+bd) = (p,q)} w_{a,b}

    where :math:`\pi` maps a padded position to the input pixel it holds
    (nothing for a zero border, wrap-around for 'circular', ...). Each row is
    the kernel laid over the image: few nonzeros (sparse interactions), the
    same numbers in every row (parameter sharing).

    Parameters
    ----------
    input_shape : (H, W) or (C_in, H, W) or (1, C_in, H, W)
        Shape of one input; (H, W) with a (kH, kW) kernel, otherwise an OIHW kernel.
    w : array_like, shape (kH, kW) or (C_out, C_in, kH, kW)
        The kernel.
    stride, padding, dilation, boundary, flip :
        As in :func:`conv2d`. ``method`` is accepted and ignored, so that the
        options of a ``conv2d`` call can be passed unchanged.

    Returns
    -------
    jax.Array, shape (C_out H' W', C_in H W)
        Built exactly by scattering the kernel entries; rows ordered like
        ``conv2d(...).ravel()``, columns like ``x.ravel()``.

    Raises
    ------
    ValueError
        As in :func:`conv2d`, when ``input_shape`` is not a shape, and when the
        matrix would have more than 2**26 entries (256 MiB of float32).

    See Also
    --------
    conv2d : ``method='dense'`` multiplies by this matrix.

    Examples
    --------
    >>> import numpy as np
    >>> m = conv_matrix((3, 3), np.arange(4.0).reshape(2, 2))
    >>> np.asarray(m).astype(int).tolist()
    [[0, 1, 0, 2, 3, 0, 0, 0, 0], [0, 0, 1, 0, 2, 3, 0, 0, 0], [0, 0, 0, 0, 1, 0, 2, 3, 0], [0, 0, 0, 0, 0, 1, 0, 2, 3]]
    >>> (m @ np.arange(9.0)).tolist()
    [19.0, 25.0, 37.0, 43.0]
    """
    del method  # every method gives the same matrix
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else input_shape
    if (
        not isinstance(shape, tuple)
        or len(shape) not in (2, 3, 4)
        or (len(shape) == 4 and shape[0] != 1)
        or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1 for n in shape)
    ):
        raise ValueError(f"`input_shape` must be (H, W), (C_in, H, W) or (1, C_in, H, W) of positive ints; got {describe(input_shape)}.")
    xs = (1,) + shape if len(shape) == 3 else shape
    w = _as_float(w, "w")
    s, pads, d, flip, _ = full_plan(xs, tuple(w.shape), 2, stride, padding, dilation, boundary, flip, "lax")
    c_out = w.shape[0] if w.ndim == 4 else 1
    n_out = c_out * int(np.prod([(n + lo + hi - di * (k - 1) - 1) // si + 1
                                 for n, (lo, hi), di, k, si in zip(xs[-2:], pads, d, w.shape[-2:], s)]))
    n_in = int(np.prod(xs[-3:])) if len(xs) == 4 else int(np.prod(xs))
    if n_out * n_in > CONV_MATRIX_MAX_ENTRIES:
        raise ValueError(
            f"`input_shape` {describe(input_shape)} gives a {n_out} x {n_in} matrix ({4 * n_out * n_in / 2**20:.0f} MiB "
            f"of float32); conv_matrix is for small inputs (at most 2**26 entries: about 90 x 90 pixels, one channel). "
            f"Use a smaller input, or cl.conv2d to apply the convolution."
        )
    return _matrix(jnp.asarray(w), xs[-2:], s, pads, d, boundary, flip)


@partial(jax.jit, static_argnames=("n", "stride", "pads", "dilation", "boundary", "flip"))
def _matrix(w, n, stride, pads, dilation, boundary, flip):
    w = w.reshape((1, 1) + w.shape) if w.ndim == 2 else w  # (C_out, C_in, kH, kW)
    return _dense_matrix(w[:, :, ::-1, ::-1] if flip else w, n, stride, pads, dilation, boundary)
