"""Pooling: summarise each window of a feature map by one number.

One routine, ``_pool``, slides a window over the last two axes with
:func:`jax.lax.reduce_window` and applies a reduction; max, average and
:math:`L_p` pooling differ only in that reduction (:math:`L_p` keeps each
window's sum as :math:`m^p s` with :math:`m` its largest :math:`|x|`, so a
large ``p`` never overflows, in one ``reduce_window`` whatever the window's
size, and has a hand-written gradient with no NaN at 0):

.. math::

    \\text{max: } y_{i,j} = \\max_{(a,b) \\in W} x_{si+a,\\,sj+b},\\qquad
    \\text{avg: } y_{i,j} = \\frac{1}{|W|}\\sum_{(a,b) \\in W} x_{si+a,\\,sj+b},\\qquad
    L_p\\text{: } y_{i,j} = \\Big(\\sum_{(a,b) \\in W} |x_{si+a,\\,sj+b}|^p\\Big)^{1/p}.

Distance-weighted pooling (:func:`weighted_pool2d`) replaces the plain mean by
a mean with Gaussian weights that fall with the distance from the window
centre. Pooling acts on every channel separately: ``(N, C, H, W)`` becomes
``(N, C, H', W')`` with the same ``N`` and ``C``. The 1-D versions are thin
wrappers that treat a signal ``(L,)`` as an image with one row.

Output size along an axis of length ``n`` with window ``k``, stride ``s`` and
padding ``lo + hi``: ``floor((n + lo + hi - k) / s) + 1``; ``padding='same'``
gives ``ceil(n / s)``.

Padding: max pooling pads with ``-inf`` (a padded cell never wins); average
and distance-weighted pooling divide by the weight of the *real* cells in the
window only (padded cells are not counted, like PyTorch's
``count_include_pad=False``), so a constant image stays constant up to the
border; :math:`L_p` pooling pads with zeros (which add nothing to the sum).

NaN and inf are allowed in ``x`` and stay local: a window that holds one
gives NaN or inf, every other window its usual value.

Notebook: ``notebooks/03_equivariance.ipynb``.
"""
from __future__ import annotations

from ._oned import avg_pool1d, global_avg_pool, global_max_pool, lp_pool1d, max_pool1d, weighted_pool1d
from ._pool2d import avg_pool2d, lp_pool2d, max_pool2d, weighted_pool2d
from ._window import Pairs, _normalise, _padding

__all__ = [
    "max_pool2d",
    "avg_pool2d",
    "lp_pool2d",
    "weighted_pool2d",
    "max_pool1d",
    "avg_pool1d",
    "lp_pool1d",
    "weighted_pool1d",
    "global_max_pool",
    "global_avg_pool",
]
