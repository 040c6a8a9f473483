"""What a question builder works with: a scene's views and the objects each shows (`SceneViews`), the point
markers placed so far (`Marking`), and the words that refer to marked objects, images and options.
"""

from __future__ import annotations

import itertools
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from spar_bench.synth.camera import Camera
from spar_bench.synth.markers import Marker, place_point, to_pixel
from spar_bench.synth.plans import LETTERS
from spar_bench.synth.render import Rendering
from spar_bench.synth.scene import Scene

ORDINALS = ("first", "second", "third")
POINT_COLOURS = ("red", "blue", "green", "yellow", "purple")
NUMERIC_SUFFIX = " Calculate or judge based on the 3D center points of these objects. The unit is meter."
CHOICE_SUFFIX = " Pick the appropriate option from the choices available."
MIN_VISIBLE_SHARE = 0.004  # an object must cover this share of the image to be marked


@dataclass(frozen=True)
class SceneViews:
    """A scene, its three cameras and their renderings; `scene_id` indexes the saved scene file."""

    scene_id: int
    scene: Scene
    cameras: tuple[Camera, ...]
    renderings: tuple[Rendering, ...]

    def visible(self, view: int) -> list[int]:
        """Objects that cover at least MIN_VISIBLE_SHARE of view `view`, in index order."""
        cache = self.__dict__.setdefault("_visible", {})  # frozen dataclass: a private memo, not a field
        if view not in cache:
            rendering = self.renderings[view]
            counts = rendering.visible_pixels(len(self.scene.objects))
            cache[view] = [int(i) for i in np.nonzero(counts >= MIN_VISIBLE_SHARE * rendering.ids.size)[0]]
        return cache[view]

    def bounds(self, view: int, object_id: int) -> tuple[slice, slice] | None:
        """Row and column slices around the visible pixels of an object in a view; None when it is hidden."""
        cache = self.__dict__.setdefault("_bounds", {})
        if view not in cache:
            cache[view] = ndimage.find_objects(self.renderings[view].ids.astype(np.int32) + 1)  # label k + 1: object k
        found = cache[view]
        return found[object_id] if object_id < len(found) else None


class Marking:
    """Point markers placed so far for one question, image by image (no two points crowd each other)."""

    def __init__(self, sv: SceneViews, views: tuple[int, ...]):
        self.sv, self.views = sv, views
        self.markers: list[Marker] = []
        self.used: set[int] = set()

    def point(self, colour: str, image: int, object_id: int) -> Marker | None:
        rendering = self.sv.renderings[self.views[image]]
        height, width = rendering.ids.shape
        taken = [to_pixel(m.point, width, height) for m in self.markers if m.image == image and m.point]
        normalized = place_point(rendering, object_id, taken, bounds=self.sv.bounds(self.views[image], object_id))
        if normalized is None:
            return None
        marker = Marker(colour, object_id, image, point=normalized)
        self.markers.append(marker)
        self.used.add(object_id)
        return marker

    def pick(
        self, rng: np.random.Generator, colour: str, image: int, exclude: AbstractSet[int] = frozenset()
    ) -> Marker | None:
        """Mark a random visible object of image `image` not yet used; None when none can be marked."""
        candidates = [i for i in self.sv.visible(self.views[image]) if i not in self.used and i not in exclude]
        for index in rng.permutation(len(candidates)):
            marker = self.point(colour, image, candidates[int(index)])
            if marker is not None:
                return marker
        return None

    def points(self, spec: list[tuple[str, int, int]]) -> bool:
        """Mark every (colour, image, object) of `spec`; on any failure nothing is kept and False returned."""
        for colour, image, object_id in spec:
            if self.point(colour, image, object_id) is None:
                self.markers.clear()
                self.used.clear()
                return False
        return True


def object_name(sv: SceneViews, object_id: int) -> str:
    return sv.scene.objects[object_id].category


def named_label(sv: SceneViews, marker: Marker, multi: bool) -> str:
    where = f" in the {ORDINALS[marker.image]} image" if multi else ""
    return f"the {object_name(sv, marker.object_id)} ({marker.colour} point{where})"


def unnamed_label(marker: Marker, multi: bool) -> str:
    """`the object at the red point in the second image`: multiple-choice questions do not name objects, because
    in these rooms a name tells where an object is (a clock hangs above a chair, a vase stands on the table it
    is closest to), which a reader could use without looking."""
    where = f" in the {ORDINALS[marker.image]} image" if multi else ""
    return f"the object at the {marker.colour} point{where}"


def object_center(sv: SceneViews, object_id: int) -> np.ndarray:
    return np.array(sv.scene.objects[object_id].center)


def meters(value: float) -> str:
    return f"{value:.1f}"


def option_list(options: tuple[str, ...]) -> str:
    return " ".join(f"{LETTERS[i]}. {option}" for i, option in enumerate(options))


def is_multi_view(task: str) -> bool:
    return task.endswith("_mv")


def view_orders(rng: np.random.Generator) -> list[tuple[int, ...]]:
    """The six orders of the three views, shuffled: which camera shows up as the first, second, third image."""
    orders = list(itertools.permutations(range(3)))
    return [orders[int(i)] for i in rng.permutation(len(orders))]


def shuffled(rng: np.random.Generator, values: list) -> list:
    return [values[int(i)] for i in rng.permutation(len(values))]
