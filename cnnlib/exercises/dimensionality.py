"""Checkers for notebook 04 (curse of dimensionality).

Each prints ``✓ Correct. ...`` or ``✗ Not yet. <hint>`` and returns a
:class:`Verdict`; no answer makes one raise.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._answers import Unreadable, read_number
from ._core import Verdict, check_number, check_whole, checker, not_answered, report, setting

__all__ = ["check_digit_samples", "check_half_length_dimension", "check_corner_share", "check_torus_mean"]


@checker
def check_digit_samples(answer: Any) -> Verdict:
    """log10 of the samples needed for an 8x8 digit (d = 64) at accuracy eps = 0.01: 128."""
    return check_number(
        answer,
        128.0,
        atol=1e-3,
        praise="log10 N = -64 log10(0.01) = 128: 10^128 samples, far more than the 10^80 atoms.",
        hint="Use log10 N = -d log10(eps) with d = 64 pixels and eps = 0.01.",
        wrong={
            64.0: "That is eps = 0.1. With eps = 0.01 each pixel needs 100 values, not 10.",
            2.0: "That is one pixel (d = 1); an 8x8 digit has d = 64 inputs.",
            -128.0: "The sign: log10(0.01) = -2, so -d log10(eps) = -64 * (-2) is positive.",
            1e128: "That is N itself; the question asks for log10 N, the number of digits.",
        },
    )


@checker
def check_half_length_dimension(answer: Any) -> Verdict:
    """The smallest n whose half-length 2^(-1/n) is at least 0.99: 69."""
    return check_whole(
        answer,
        69,
        what="a whole dimension",
        praise="2^(-1/69) = 0.99000 (just over 0.99) while 2^(-1/68) = 0.98986: from n = 69 on, "
        "half the volume lies within 0.5% of the diameter from the edge.",
        hint="Solve 2^(-1/n) >= 0.99 for n: n >= log(2) / (-log(0.99)), then round up to a whole dimension.",
        wrong={
            70: "That is what the first-order rule 1 - 0.7/n gives. Solve the exact 2^(-1/n) >= 0.99 instead.",
            68: "Close: check 2^(-1/68) = 0.98986, which is still below 0.99. Round up.",
        },
        near={math.log(2) / -math.log(0.99): "Right bound, but a dimension is a whole number: round up."},
        near_tol=0.01,
    )


@checker
def check_corner_share(answer: Any) -> Verdict:
    """The share of the unit cube outside its inscribed ball for d = 3: 1 - pi/6."""
    expected = 1.0 - math.pi / 6.0
    if not not_answered(answer):
        try:
            value = float(read_number(answer))
        except Unreadable:
            value = None
        if value is not None and abs(value - 100 * expected) <= 0.1:
            return report(False, "", "That is a percentage; give the share as a number between 0 and 1.")
    return check_number(
        answer,
        expected,
        atol=1e-3,
        praise="1 - pi/6 = 0.476: already almost half of a 3-D cube is corners (98.4% at d = 8).",
        hint="The ball of radius 1/2 has volume (4/3) pi (1/2)^3; the cube has volume 1. The corners are the rest.",
        wrong={
            math.pi / 6.0: "That is the ball's share. The corners are what is left of the cube.",
            1.0 - math.pi / 4.0: "That is the 2-D answer (a disc in a square). Use the 3-D ball.",
            1.0 - 4.0 * math.pi / 3.0: "The inscribed ball has radius 1/2, not 1.",
        },
    )


def _euclidean_estimate(d: int) -> tuple[float, float]:
    """Mean of |x - y| / (sqrt(d)/2) for x, y uniform in the cube [0, 1]^d, and its spread over queries.

    Per coordinate (x - y)^2 has mean 1/6 and variance 7/180, so the mean distance is
    sqrt(d/6) (1 - 0.175/d) to second order. With one fixed query q, the mean over many
    points is sqrt(S_q) with S_q = sum_i (q_i^2 - q_i + 1/3), whose standard deviation
    sqrt(d/180) dominates the seed-to-seed spread: relative spread 3 / sqrt(180 d).
    """
    mean = 2.0 / math.sqrt(6.0) * (1.0 - 0.175 / d)
    return mean, mean * 3.0 / math.sqrt(180.0 * d)


def _torus_mean(d: int) -> float:
    """The exact mean of |x - y|_torus / (sqrt(d)/2) for x, y uniform on the torus [0, 1)^d.

    Per coordinate the wrapped gap g is uniform on [0, 1/2], so with S = sum_i g_i^2,
    E sqrt(S) = 1/(2 sqrt(pi)) int_0^inf (1 - E exp(-t S)) t^(-3/2) dt and
    E exp(-t g^2) = sqrt(pi / t) erf(sqrt(t) / 2), raised to the power d (independent
    coordinates). Integrated in log t; about sqrt(1/3) (1 - 1/(10 d)) for large d
    (d = 500: 0.57724), but 0.5 at d = 1 and 0.5411 at d = 2, where that expansion is off.
    """
    y = np.linspace(-40.0, 40.0, 16001)  # t = e^y
    t = np.exp(y)
    erf = np.vectorize(math.erf)(np.sqrt(t) / 2)
    log_phi = 0.5 * np.log(np.pi / t) + np.log(erf)  # log E exp(-t g^2), <= 0
    integrand = -np.expm1(d * np.minimum(log_phi, 0.0)) / np.sqrt(t)  # (1 - phi^d) t^(-3/2) dt/dy
    mean_sqrt = float(np.sum((integrand[1:] + integrand[:-1]) / 2 * np.diff(y))) / (2 * math.sqrt(math.pi))
    return mean_sqrt / (math.sqrt(d) / 2)


@checker
def check_torus_mean(answer: Any, d: int = 500) -> Verdict:
    """Your estimate of the mean normalised torus distance at dimension ``d``: within 0.005 of the exact mean.

    The exact mean (:func:`_torus_mean`) tends to sqrt(1/3) as ``d`` grows. ``d``
    is the exercise's setting (1 to 10^6): a bad one raises a ``ValueError`` naming it.
    """
    d = setting(d, "d", minimum=1, maximum=10**6)
    expected = _torus_mean(d)
    hint = (
        f"Draw points with cl.sample_torus(n, {d}, key), measure them with "
        "cl.pairwise_distances(..., metric='torus'), divide by the largest torus distance sqrt(d)/2, and average."
    )
    if not_answered(answer):
        return report(False, "", hint)
    try:
        value = float(read_number(answer, "one number (your estimate)"))
    except Unreadable as err:
        return report(False, "", f"{err} {hint}")
    if abs(value - expected) <= 0.005:
        return report(True, f"{value:.3f}: sqrt(1/3) = 0.577 up to the sampling noise; the wrapped gap "
                      "on each circle has mean square 1/12, so the distance is about sqrt(d/12).", hint)
    euclid, spread = _euclidean_estimate(d)
    tol = min(0.1, max(0.01, 5.0 * spread))  # at d = 500: 5 x 0.008 = 0.04 around 0.816
    if abs(value - euclid) <= tol:
        return report(False, "", "That looks like the Euclidean distance in the cube: use metric='torus'.")
    if abs(value - euclid / 2.0) <= tol / 2.0:
        return report(False, "", "That looks like the Euclidean distance in the cube divided by sqrt(d): "
                      "use metric='torus' and divide by sqrt(d)/2, the largest distance on the torus.")
    if abs(value - expected / 2.0) <= 0.005:
        return report(False, "", "Divide by sqrt(d)/2, the largest distance on the torus, not by sqrt(d).")
    if abs(value - expected * math.sqrt(d) / 2.0) <= 0.05 * math.sqrt(d):
        return report(False, "", "Normalise: divide each distance by sqrt(d)/2 before averaging.")
    if abs(value) < 1e-6:
        return report(False, "", "A point's distance to itself is 0: leave the diagonal out, or measure to other points.")
    return report(False, "", hint)
