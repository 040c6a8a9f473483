"""Synthetic SPAR-style questions from procedurally generated indoor scenes, exact by construction.

Flow: scene (room + boxes) -> camera (OpenCV poses) -> render (RGB, depth, object ids) -> markers (drawn only
where the object is visible) -> questions (the 20 tasks and 3D grounding) -> dataset (hub-schema parquet);
`checks` recomputes every answer from the saved scenes by a separate route, and `audit` tries to answer the
multiple-choice questions from their text alone.
"""

from __future__ import annotations

__all__ = ["generate_dataset", "main"]


def __getattr__(name: str):
    # Lazy, so that `import spar_bench.synth.scene` does not pull in `datasets`.
    if name in __all__:
        from spar_bench.synth import dataset

        return getattr(dataset, name)
    raise AttributeError(f"module 'spar_bench.synth' has no attribute {name!r}")
