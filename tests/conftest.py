"""Shared fixtures: paths into the repo and small datasets in the hub schema built by code."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def png_bytes(color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (8, 6)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def hub_row(row_id: int, task: str = "depth_prediction_oc", answer: str = "1.5", images: int = 1, **fields) -> dict:
    """One row in the hub schema with `images` small PNGs; `fields` override any column."""
    row = {
        "id": row_id,
        "img_type": "single_view",
        "format_type": "fill",
        "task": task,
        "source": "test",
        "image": [{"bytes": png_bytes(), "path": None} for _ in range(images)],
        "question": f"What is the depth of the chair (red point)? ({row_id})",
        "answer": answer,
    }
    row.update(fields)
    return row


def write_hub_parquet(path: Path, rows: list[dict]) -> Path:
    """Rows to a parquet file with the hub's features (a list of images), as the package writes its own sets."""
    from spar_bench.synth.dataset import write_parquet

    write_parquet(rows, path, rgbd=False)
    return path


@pytest.fixture
def behaviour_cases() -> list[dict]:
    with open(DATA / "official_behaviour_cases.jsonl") as handle:
        return [json.loads(line) for line in handle]
