"""Make `docs/images/synth_gallery.png`: a contact sheet of synthetic images with their markers, one per task
family, so the renderer and the marker placement can be looked at.

Run: python scripts/make_gallery.py [--seed 0] [--out docs/images/synth_gallery.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from spar_bench.synth import dataset
from spar_bench.synth.markers import draw_markers

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = (
    "depth_prediction_oo",
    "distance_prediction_oo_mv",
    "position_matching",
    "camera_motion_infer",
    "distance_infer_center_oo",
    "obj_spatial_relation_oo",
    "spatial_imagination_oo",
    "spatial_imagination_oc",
    dataset.GROUNDING_TASK,
)
THUMB = (400, 300)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images" / "synth_gallery.png")
    args = parser.parse_args(argv)
    pool = dataset.ScenePool(args.seed, 6, 640, 480)
    tiles = []
    for t, task in enumerate(FAMILIES):
        question = next(dataset.generate_questions(args.seed + t, [task], 1, pool))
        sv = pool[question.scene_id]
        # The image that carries the most markers (the first one when there are none).
        image = int(np.argmax([sum(m.image == i for m in question.markers) for i in range(len(question.views))]))
        markers = [m for m in question.markers if m.image == image]
        tile = draw_markers(sv.renderings[question.views[image]].rgb, markers).resize(THUMB, Image.LANCZOS)
        canvas = Image.new("RGB", (THUMB[0], THUMB[1] + 22), (255, 255, 255))
        canvas.paste(tile, (0, 22))
        ImageDraw.Draw(canvas).text((6, 5), f"{task}: image {image + 1}, answer {question.answer[:40]}", fill=(0, 0, 0))
        tiles.append(canvas)
    sheet = Image.new("RGB", (3 * THUMB[0] + 8, 3 * (THUMB[1] + 22) + 8), (255, 255, 255))
    for i, tile in enumerate(tiles):
        sheet.paste(tile, (2 + (i % 3) * (THUMB[0] + 2), 2 + (i // 3) * (THUMB[1] + 24)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, optimize=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
