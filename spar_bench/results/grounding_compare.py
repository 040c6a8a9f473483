"""The 3D grounding block of a comparison: mean IoU, Acc@0.25 and Acc@0.5 of two runs' grounding samples, paired by
sample id with a bootstrap over the shared samples, kept apart from SPAR-Bench's 20-task rows.
"""

from __future__ import annotations

import numpy as np

from spar_bench.aggregate import BOOTSTRAP_DRAWS, percentile_interval
from spar_bench.results.compare import Row, _verdict
from spar_bench.results.sides import Side

# (row name, per-sample value in points from an IoU in [0, 1])
_MEASURES = (
    ("grounding mean IoU", lambda iou: 100.0 * iou),
    ("grounding Acc@0.25", lambda iou: 100.0 * (iou >= 0.25)),
    ("grounding Acc@0.5", lambda iou: 100.0 * (iou >= 0.5)),
)


def grounding_rows(
    base: Side, new: Side, *, draws: int = BOOTSTRAP_DRAWS, seed: int = 0
) -> tuple[tuple[Row, ...], tuple[str, ...]]:
    """(rows, notes): one row per measure over the grounding sample ids both sides hold, each with the 95%
    interval of new - base from `draws` paired resamples of those ids (one seeded generator: the same seed
    and inputs give the same rows). No rows, and a note saying why, when only one side has grounding samples
    or they share no id."""
    if base.grounding is None or new.grounding is None:
        only = base.label if base.grounding is not None else new.label
        return (), (f"3D grounding samples only in {only}: not compared",)
    shared = [i for i in base.grounding if i in new.grounding]
    if not shared:
        return (), (f"the 3D grounding samples of {base.label} and {new.label} share no id: not compared",)
    b_iou = np.array([base.grounding[i] for i in shared], dtype=np.float64)
    n_iou = np.array([new.grounding[i] for i in shared], dtype=np.float64)
    picks = np.random.default_rng(seed).integers(0, len(shared), size=(draws, len(shared)))
    rows = []
    for name, points in _MEASURES:
        b, n = points(b_iou), points(n_iou)
        low, high = percentile_interval((n - b)[picks].mean(axis=1))
        delta = float(n.mean() - b.mean())
        rows.append(
            Row(
                name,
                "grounding",
                float(b.mean()),
                float(n.mean()),
                delta,
                (low, high),
                _verdict(low, high),
                len(shared),
            )
        )
    notes = (f"3D grounding compared apart, over {len(shared)} shared sample(s) (not part of the headline)",)
    return tuple(rows), notes
