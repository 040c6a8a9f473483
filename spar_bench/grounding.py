"""3D grounding (`obj_3d_grounding`, beyond SPAR-Bench's 20 tasks): a box read from the response against the
reference box `[x, y, z, dx, dy, dz, yaw]`, scored by exact 3D IoU (`spar_bench.metrics.iou3d`).

A response with no readable box scores IoU 0 and says why, like an unparsable answer under the strict protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from spar_bench.metrics.iou3d import box3d_iou, parse_box3d
from spar_bench.protocols.locating import answer_text


@dataclass(frozen=True)
class GroundingScore:
    iou: float  # in [0, 1]; 0 when no box could be read
    parsed: list[float] | None
    unparsed_reason: str | None = None


def score_grounding(predictions: Sequence[str], answers: Sequence[str]) -> list[GroundingScore]:
    """IoU of each predicted box with its reference, vectorized over the readable ones.

    The box is read from the stated answer (reasoning stripped, tags preferred), as a JSON list or the last
    bracketed group of 7 (or 6, yaw 0) numbers, yaw in radians. Raises ValueError for a malformed reference.
    """
    references = []
    for answer in answers:
        box = parse_box3d(answer)
        if box is None:
            raise ValueError(f"reference box {answer!r} is not [x, y, z, dx, dy, dz, yaw] with positive sizes")
        references.append(box)
    boxes = [parse_box3d(answer_text(prediction)) for prediction in predictions]
    readable = [i for i, box in enumerate(boxes) if box is not None]
    ious = np.zeros(len(boxes))
    if readable:
        ious[readable] = box3d_iou(np.array([boxes[i] for i in readable]), np.array([references[i] for i in readable]))
    ious = np.nan_to_num(ious, nan=0.0)
    return [
        GroundingScore(float(iou), None, "no box [x, y, z, dx, dy, dz, yaw] with positive sizes in the answer")
        if box is None
        else GroundingScore(float(iou), [float(v) for v in box])
        for iou, box in zip(ious, boxes)
    ]
