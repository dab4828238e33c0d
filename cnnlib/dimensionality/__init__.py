"""The curse of dimensionality, measured: closed forms and their Monte-Carlo checks.

Notebook ``04_curse_of_dimensionality`` uses these to put numbers on four facts:

* covering ``[0, 1]^d`` to accuracy ``eps`` takes ``eps^-d`` samples
  (:func:`log10_samples_needed`, in log10 because the count overflows);
* a shape shrunk by ``alpha`` keeps ``alpha^n`` of its volume, so the rind
  ``1 - alpha^n`` holds almost everything in high dimension
  (:func:`rind_fraction`, :func:`half_length`, :func:`rind_fraction_mc`,
  :func:`half_length_mc`);
* the inscribed ball is a vanishing part of the cube: the rest is corners
  (:func:`ball_volume_fraction`, :func:`ball_volume_fraction_mc`);
* distances concentrate, so a nearest neighbour is barely nearer than the
  farthest point (:func:`pairwise_distances`, :func:`distance_contrast`,
  :func:`knn_predict`, :func:`knn_accuracy`).

The parts: :mod:`.closed_forms`, :mod:`.sampling` (samples and distances),
:mod:`.monte_carlo`, :mod:`.knn`. The static figures of notebook 04 live with
their explorers, ``cl.widgets.dimension_figure`` and ``cl.widgets.rind_figure``.
"""
from .closed_forms import _log_ball_fraction, _rind, ball_volume_fraction, half_length, log10_samples_needed, rind_fraction
from .knn import knn_accuracy, knn_predict
from .monte_carlo import ball_volume_fraction_mc, distance_contrast, half_length_mc, rind_fraction_mc
from .sampling import _distances, pairwise_distances, sample_ball, sample_cube, sample_torus

__all__ = [
    "rind_fraction",
    "half_length",
    "ball_volume_fraction",
    "log10_samples_needed",
    "sample_cube",
    "sample_torus",
    "sample_ball",
    "pairwise_distances",
    "rind_fraction_mc",
    "half_length_mc",
    "ball_volume_fraction_mc",
    "distance_contrast",
    "knn_predict",
    "knn_accuracy",
]
