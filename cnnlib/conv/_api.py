"""The public convolutions: :func:`conv2d` and :func:`conv1d`.

One general routine computes a 2-D cross-correlation (what deep-learning
libraries call "convolution") by any of six methods; ``conv1d`` is the same
routine with height 1. Arguments are checked and normalised in plain Python
(:mod:`._plan`), then a jitted implementation (:mod:`._methods`) runs with
hashable static options.
"""
from __future__ import annotations

from typing import Any

import jax

from ._methods import _conv, _conv_lax
from ._plan import _normalise

__all__ = ["conv1d", "conv2d"]


def _run(x, w, nd, stride, padding, dilation, boundary, flip, method):
    x, w, (s, pads, d, flip, method) = _normalise(x, w, nd, stride, padding, dilation, boundary, flip, method)
    # "lax" compiles with XLA's classic emitters when called at the top level on a CPU (cnnlib._xla)
    conv = _conv_lax if method == "lax" else _conv
    return conv(x, w, stride=s, pads=pads, dilation=d, boundary=boundary, flip=flip, method=method)


# --------------------------------------------------------------------------- #
# Public functions
# --------------------------------------------------------------------------- #
def conv2d(
    x: Any,
    w: Any,
    *,
    stride: int | tuple[int, int] = 1,
    padding: str | int | tuple = "valid",
    dilation: int | tuple[int, int] = 1,
    boundary: str = "zeros",
    flip: bool = False,
    method: str = "auto",
) -> jax.Array:
    r"""Slide a kernel over an image: the 2-D cross-correlation of deep-learning libraries.

    .. math::

        s_{ij} = \sum_{a=0}^{k_H-1} \sum_{b=0}^{k_W-1} x_{i s + a d,\; j s + b d}\, w_{a,b}

    with stride :math:`s`, dilation :math:`d` and ``x`` already padded. With
    channels, :math:`s_{n,o,i,j} = \sum_c \sum_{a,b} x_{n,c,is+ad,js+bd}\, w_{o,c,a,b}`.
    ``flip=True`` flips the kernel on both axes (:math:`w_{k_H-1-a,\,k_W-1-b}`),
    which turns the cross-correlation into the convolution of mathematics.

    Parameters
    ----------
    x : array_like, shape (H, W) or (N, C_in, H, W)
        The image(s). Integers become float32.
    w : array_like, shape (kH, kW) or (C_out, C_in, kH, kW)
        The kernel, 2-D for a 2-D ``x``, OIHW for a 4-D ``x``.
    stride : int or (int, int), optional
        Step between output positions (>= 1).
    padding : {'valid', 'same', 'full'} or int or (ph, pw) or ((top, bottom), (left, right)), optional
        'valid': none; 'same': as ``lax`` SAME, output ``ceil(n / s)``, the odd
        extra pixel at the bottom/right; 'full': ``d(k-1)`` on each side.
    dilation : int or (int, int), optional
        Gap ``d`` between kernel taps; the kernel spans ``d(k-1)+1`` pixels.
    boundary : {'zeros', 'circular', 'reflect', 'replicate'}, optional
        What the padded border holds: zeros, the image wrapped around, its
        mirror image (without repeating the edge), or the edge pixel repeated.
    flip : bool, optional
        True computes the true convolution (kernel flipped on both axes).
    method : {'auto', 'lax', 'direct', 'im2col', 'fft', 'dense'}, optional
        How to compute it; all give the same numbers up to float32 round-off.
        'lax': ``jax.lax.conv_general_dilated``; 'direct': a sum over the
        kernel offsets of shifted copies of ``x``; 'im2col': a matrix of
        patches times the flattened kernel; 'fft': the convolution theorem
        (``rfft2``); 'dense': the matrix of :func:`conv_matrix` times the
        flattened image (only for ``C_in*H*W <= 4096`` and matrices of at
        most 2**25 entries); 'auto': one input channel -> 'direct'
        (15-20x faster than lax), or 'fft' from the kernel size where FFT
        wins on this machine (measured by :func:`calibrate_auto`, e.g. in
        ``make bench``; 11x11 without a measurement); several channels ->
        'lax', or 'fft' when a cost model says the kernel is large enough
        (see ``cnnlib.conv._auto.pick_method``).

    Returns
    -------
    jax.Array, shape (H', W') or (N, C_out, H', W')
        With :math:`H' = \lfloor (H + p_{top} + p_{bottom} - d(k_H-1) - 1)/s \rfloor + 1`,
        and likewise :math:`W'` (see :func:`conv_output_size`).

    Raises
    ------
    TypeError
        If ``x`` or ``w`` is boolean, complex or not numeric.
    ValueError
        If the shapes do not match the layouts above, the kernel is larger than
        the padded input, ``stride``/``dilation`` < 1, an option is unknown,
        reflect padding is not smaller than the input, or 'dense' is asked
        for a large input.

    See Also
    --------
    jax.lax.conv_general_dilated : the XLA convolution ('lax').
    conv1d : the same for signals.
    conv_matrix : the convolution as a matrix.
    conv_output_size : the output-size formula.

    Notes
    -----
    Taught in ``notebooks/00_convolution.ipynb``.

    A NaN or infinity in ``x`` stays local with 'lax', 'direct' and 'im2col'
    (only the outputs whose window holds it), but 'fft' and 'dense' mix every
    pixel into every output (``0 * nan = nan``) and turn the whole image NaN;
    'auto' may pick 'fft'. Pass ``method='lax'`` for data with NaNs.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(9.0).reshape(3, 3)
    >>> w = np.arange(4.0).reshape(2, 2)
    >>> np.asarray(conv2d(x, w)).tolist()  # 0*0 + 1*1 + 3*2 + 4*3 = 19, ...
    [[19.0, 25.0], [37.0, 43.0]]
    >>> np.asarray(conv2d(x, w, flip=True)).tolist()  # 0*3 + 1*2 + 3*1 + 4*0 = 5, ...
    [[5.0, 11.0], [23.0, 29.0]]
    >>> conv2d(x, w, padding="same").shape, conv2d(x, w, padding="full").shape
    ((3, 3), (4, 4))
    >>> np.asarray(conv2d(x, w, method="fft")).round(3).tolist()
    [[19.0, 25.0], [37.0, 43.0]]
    """
    return _run(x, w, 2, stride, padding, dilation, boundary, flip, method)


def conv1d(
    x: Any,
    w: Any,
    *,
    stride: int = 1,
    padding: str | int | tuple[int, int] = "valid",
    dilation: int = 1,
    boundary: str = "zeros",
    flip: bool = False,
    method: str = "auto",
) -> jax.Array:
    r"""Slide a kernel along a signal: :func:`conv2d` with height 1.

    .. math::

        s_i = \sum_{a=0}^{k-1} x_{i s + a d}\, w_a

    Parameters
    ----------
    x : array_like, shape (L,) or (N, C_in, L)
        The signal(s).
    w : array_like, shape (k,) or (C_out, C_in, k)
        The kernel.
    stride, dilation : int, optional
        Step between outputs and gap between taps (>= 1).
    padding : {'valid', 'same', 'full'} or int or (lo, hi), optional
        As in :func:`conv2d`.
    boundary, flip, method :
        As in :func:`conv2d`.

    Returns
    -------
    jax.Array, shape (L',) or (N, C_out, L')
        :math:`L' = \lfloor (L + p_{lo} + p_{hi} - d(k-1) - 1)/s \rfloor + 1`.

    Raises
    ------
    TypeError, ValueError
        As in :func:`conv2d`.

    See Also
    --------
    conv2d, numpy.correlate, jax.numpy.convolve

    Examples
    --------
    >>> import numpy as np
    >>> np.asarray(conv1d(np.arange(5.0), np.array([1.0, -1.0]))).tolist()  # x_i - x_{i+1}
    [-1.0, -1.0, -1.0, -1.0]
    >>> np.asarray(conv1d([1, 2, 3], [1, 1], padding="full", flip=True)).tolist()
    [1.0, 3.0, 5.0, 3.0]
    """
    return _run(x, w, 1, stride, padding, dilation, boundary, flip, method)
