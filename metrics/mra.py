"""Mean relative accuracy (MRA), the metric of every numeric SPAR-Bench task and of the camera-motion parts.

MRA averages a pass/fail over ten confidence thresholds t in {0.50, 0.55, ..., 0.95}: an estimate passes t
when its relative error is at most 1 - t. So a 4% error scores 1.0, a 20% error 0.7 and a 50% error 0.1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

# Exactly the released values: np.linspace(0.5, 0.95, 10). Their float representation decides ties at
# the boundaries (1.8 against 1.5 is a 0.2 relative error, yet fails t=0.8 because 1 - 0.8 < 0.2 in floats).
MRA_THRESHOLDS: np.ndarray = np.linspace(0.5, 0.95, 10)


def relative_error(estimate: ArrayLike, reference: ArrayLike) -> np.ndarray:
    """|estimate - reference| / |reference|, or the absolute error where reference == 0.

    Float64 arrays, broadcast together. A non-finite estimate gives NaN or inf, which passes no threshold.
    """
    estimate = np.asarray(estimate, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    absolute = np.abs(estimate - reference)
    scale = np.abs(reference)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scale == 0, absolute, absolute / np.where(scale == 0, 1.0, scale))


def mean_relative_accuracy(estimate: ArrayLike, reference: ArrayLike, *, tolerance: float = 0.0) -> np.ndarray:
    """Share of the ten thresholds passed, in [0, 1], elementwise over broadcast float64 inputs.

    `tolerance` widens every bound by that amount: 0.0 reproduces the released float comparison
    (`rel_err <= 1 - t`), 1e-9 makes exact boundary cases pass as their decimal values say they should.
    Returns a float64 array of the broadcast shape (a 0-d array for scalars).
    """
    error = relative_error(estimate, reference)
    passed = error[..., np.newaxis] <= (1.0 - MRA_THRESHOLDS) + tolerance
    return passed.mean(axis=-1)
