"""3D box IoU (spar_bench.metrics.iou3d): exact values, agreement of the three paths, the parser, the aggregates."""

from __future__ import annotations

import itertools
import json
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spar_bench.metrics.iou3d import (
    OrientedBoxes,
    accuracy_at,
    box3d_intersection_volume,
    box3d_iou,
    box3d_iou_axis_aligned,
    box3d_iou_exact,
    box3d_iou_yaw,
    box_corners,
    box_volume,
    grounding_summary,
    mean_iou,
    parse_box3d,
)

UNIT_CUBE = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0])
OCTAGON_AREA = 2 * (math.sqrt(2) - 1)  # two unit squares, one turned 45 degrees about the common center


def rotation_about_x(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def rotation_about_z(angle: float) -> np.ndarray:
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def random_rotations(rng: np.random.Generator, count: int) -> np.ndarray:
    """(count, 3, 3) uniformly random rotations, from normalized Gaussian quaternions."""
    quaternion = rng.normal(size=(4, count))
    w, x, y, z = quaternion / np.linalg.norm(quaternion, axis=0)
    return np.stack(
        [
            np.stack([1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)], -1),
            np.stack([2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)], -1),
            np.stack([2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)], -1),
        ],
        -2,
    )


def random_tilted_boxes(rng: np.random.Generator, count: int, spread: float = 0.5) -> OrientedBoxes:
    return OrientedBoxes(
        rng.uniform(-spread, spread, (count, 3)), rng.uniform(0.3, 1.5, (count, 3)), random_rotations(rng, count)
    )


def random_yaw_boxes(rng: np.random.Generator, count: int) -> np.ndarray:
    boxes = np.empty((count, 7))
    boxes[:, :3] = rng.uniform(-0.7, 0.7, (count, 3))
    boxes[:, 3:6] = rng.uniform(0.2, 1.5, (count, 3))
    boxes[:, 6] = rng.uniform(-np.pi, np.pi, count)
    return boxes


def moved(boxes: OrientedBoxes, rotation: np.ndarray, translation: np.ndarray) -> OrientedBoxes:
    """The boxes after the rigid motion x -> rotation @ x + translation."""
    return OrientedBoxes(boxes.center @ rotation.T + translation, boxes.size, rotation @ boxes.rotation)


def tilted(box: np.ndarray, rotation: np.ndarray) -> OrientedBoxes:
    """A (7,) yaw box with `rotation` applied about its own center after the yaw."""
    yawed = OrientedBoxes.from_yaw(box)
    return OrientedBoxes(yawed.center, yawed.size, rotation @ yawed.rotation)


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings(), np.errstate(divide="raise", invalid="raise", over="raise"):
        warnings.simplefilter("error")
        yield


ALL_PATHS = [box3d_iou, box3d_iou_exact, box3d_iou_yaw, box3d_iou_axis_aligned]


# --- exact values -------------------------------------------------------------------------------------


@pytest.mark.parametrize("iou", ALL_PATHS)
def test_identical_axis_aligned_boxes_have_iou_one(iou):
    box = np.array([1.0, -2.0, 0.5, 0.8, 1.7, 2.2, 0.0])
    assert iou(box, box) == pytest.approx(1.0, abs=1e-12)


def test_identical_tilted_boxes_have_iou_one():
    boxes = random_tilted_boxes(np.random.default_rng(1), 50)
    np.testing.assert_allclose(box3d_iou(boxes, boxes), 1.0, atol=1e-12)


@pytest.mark.parametrize("iou", [box3d_iou, box3d_iou_exact, box3d_iou_yaw])
def test_identical_yaw_boxes_have_iou_one(iou):
    boxes = random_yaw_boxes(np.random.default_rng(2), 50)
    np.testing.assert_allclose(iou(boxes, boxes), 1.0, atol=1e-12)


@pytest.mark.parametrize("iou", ALL_PATHS)
def test_disjoint_boxes_have_iou_zero(iou):
    assert iou(UNIT_CUBE, UNIT_CUBE + [3.0, 0.5, 0, 0, 0, 0, 0]) == 0.0


def test_disjoint_tilted_boxes_have_iou_exactly_zero():
    rotation = rotation_about_x(0.7) @ rotation_about_z(0.3)
    a = OrientedBoxes(np.zeros(3), np.ones(3), rotation)
    b = OrientedBoxes(rotation @ [1.2, 0.1, 0.2], np.ones(3), rotation)
    assert box3d_iou(a, b) == 0.0


@pytest.mark.parametrize("iou", ALL_PATHS)
@pytest.mark.parametrize("offset", [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 1, 1]])
def test_axis_aligned_boxes_touching_at_a_face_edge_or_corner_have_iou_zero(iou, offset):
    other = UNIT_CUBE + np.concatenate([offset, [0, 0, 0, 0]])
    assert iou(UNIT_CUBE, other) == 0.0


@pytest.mark.parametrize("iou", [box3d_iou, box3d_iou_exact, box3d_iou_yaw])
def test_yaw_boxes_touching_at_a_face_have_iou_zero(iou):
    yaw = 0.4
    a = np.array([0.0, 0.0, 0.0, 1.0, 2.0, 1.0, yaw])
    b = np.array([math.cos(yaw), math.sin(yaw), 0.3, 1.0, 2.0, 1.0, yaw])  # shifted by dx along local x
    assert iou(a, b) == pytest.approx(0.0, abs=1e-12)


def test_tilted_boxes_touching_at_a_face_have_iou_zero():
    rotation = random_rotations(np.random.default_rng(3), 1)[0]
    a = OrientedBoxes(np.zeros(3), [1.0, 1.0, 1.0], rotation)
    b = OrientedBoxes(rotation @ [0.0, 1.0, 0.25], [1.0, 1.0, 1.0], rotation)
    assert box3d_iou(a, b) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("iou", ALL_PATHS)
def test_unit_cubes_shifted_by_half_along_x_have_iou_one_third(iou):
    assert iou(UNIT_CUBE, UNIT_CUBE + [0.5, 0, 0, 0, 0, 0, 0]) == pytest.approx(1 / 3, abs=1e-12)


def test_unit_cubes_shifted_by_half_along_a_tilted_axis_have_iou_one_third():
    rotation = random_rotations(np.random.default_rng(4), 1)[0]
    a = OrientedBoxes(np.zeros(3), np.ones(3), rotation)
    b = OrientedBoxes(rotation @ [0.5, 0.0, 0.0], np.ones(3), rotation)
    assert box3d_iou(a, b) == pytest.approx(1 / 3, abs=1e-12)


@pytest.mark.parametrize("iou", ALL_PATHS)
def test_box_inside_another_has_iou_equal_to_the_volume_ratio(iou):
    outer = np.array([0.0, 0.0, 0.0, 4.0, 3.0, 2.0, 0.0])
    inner = np.array([0.5, -0.3, 0.2, 1.0, 1.5, 0.5, 0.0])
    assert iou(inner, outer) == pytest.approx(0.75 / 24.0, rel=1e-12)


def test_small_tilted_box_inside_a_large_far_away_box_keeps_full_precision():
    rotation = random_rotations(np.random.default_rng(5), 2)
    room = OrientedBoxes([100.0, 200.0, 1.0], [10.0, 8.0, 3.0], rotation[0])
    chair = OrientedBoxes(room.center + rotation[0] @ [3.0, 2.0, 0.5], [0.1, 0.2, 0.3], rotation[1])
    assert box3d_iou(room, chair) == pytest.approx(0.006 / 240.0, rel=1e-12)


@pytest.mark.parametrize("iou", [box3d_iou, box3d_iou_exact, box3d_iou_yaw])
def test_unit_squares_turned_45_degrees_about_the_same_center_overlap_in_a_regular_octagon(iou):
    turned = UNIT_CUBE + [0, 0, 0, 0, 0, 0, math.pi / 4]
    assert iou(UNIT_CUBE, turned) == pytest.approx(OCTAGON_AREA / (2 - OCTAGON_AREA), abs=1e-12)


def test_cube_tilted_45_degrees_about_x_overlaps_the_unit_cube_in_an_octagonal_prism():
    tilted_cube = OrientedBoxes(np.zeros(3), np.ones(3), rotation_about_x(math.pi / 4))
    assert box3d_iou(UNIT_CUBE, tilted_cube) == pytest.approx(OCTAGON_AREA / (2 - OCTAGON_AREA), abs=1e-12)


@pytest.mark.parametrize("iou", ALL_PATHS)
def test_yaw_of_a_right_angle_swaps_dx_and_dy(iou):
    long_in_x_turned = np.array([0.0, 0.0, 0.0, 2.0, 1.0, 1.0, math.pi / 2])
    long_in_y = np.array([0.0, 0.0, 0.0, 1.0, 2.0, 1.0, 0.0])
    assert iou(long_in_x_turned, long_in_y) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("iou", ALL_PATHS)
def test_bar_turned_a_right_angle_overlaps_itself_in_a_cube(iou):
    bar = np.array([0.0, 0.0, 0.0, 2.0, 1.0, 1.0, 0.0])
    assert iou(bar, bar + [0, 0, 0, 0, 0, 0, math.pi / 2]) == pytest.approx(1 / 3, abs=1e-12)


@pytest.mark.parametrize("yaw", [math.pi, -math.pi, 2 * math.pi, 3 * math.pi / 2])
def test_yaw_multiple_of_a_right_angle_takes_the_axis_aligned_path(yaw):
    box = np.array([0.3, 0.1, 0.0, 1.0, 1.0, 2.0, yaw])
    assert box3d_iou_axis_aligned(box, box + [0.5, 0, 0, 0, 0, 0, 0]) == pytest.approx(1 / 3, abs=1e-12)


def test_bar_stood_on_end_by_a_full_rotation_overlaps_the_upright_bar_by_the_shared_cube():
    lying = OrientedBoxes(np.zeros(3), [2.0, 1.0, 1.0], np.eye(3))
    standing = OrientedBoxes(np.zeros(3), [2.0, 1.0, 1.0], np.array([[0.0, 0, -1], [0, 1, 0], [1, 0, 0]]))
    assert box3d_iou(lying, standing) == pytest.approx(1 / 3, abs=1e-12)


def test_full_rotation_about_z_gives_the_same_iou_as_the_yaw():
    a, b = np.array([0.1, 0.2, 0.0, 1.0, 2.0, 1.0, 0.3]), np.array([0.4, -0.2, 0.5, 1.5, 0.7, 1.2, -1.1])
    as_matrix = OrientedBoxes(b[:3], b[3:6], rotation_about_z(b[6]))
    assert box3d_iou(a, as_matrix) == pytest.approx(box3d_iou(a, b), abs=1e-14)


def test_six_column_boxes_have_yaw_zero():
    box = np.array([0.2, 0.1, 0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(box3d_iou(box, UNIT_CUBE), box3d_iou(np.append(box, 0.0), UNIT_CUBE))


# --- properties and cross-checks ---------------------------------------------------------------------------


coordinate = st.one_of(st.floats(-1.5, 1.5), st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0]))
size = st.one_of(st.floats(0.05, 2.5), st.sampled_from([0.5, 1.0, 2.0]))
yaw_boxes = st.tuples(coordinate, coordinate, coordinate, size, size, size, st.floats(-4.0, 4.0)).map(np.array)
right_angle = st.sampled_from([0.0, math.pi / 2, math.pi, -math.pi / 2, 3 * math.pi / 2])
axis_aligned_boxes = st.tuples(coordinate, coordinate, coordinate, size, size, size, right_angle).map(np.array)


@settings(max_examples=200, deadline=None)
@given(axis_aligned_boxes, axis_aligned_boxes)
def test_axis_aligned_path_agrees_with_the_exact_path(a, b):
    assert box3d_iou_axis_aligned(a, b) == pytest.approx(box3d_iou_exact(a, b), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(yaw_boxes, yaw_boxes)
def test_yaw_path_agrees_with_the_exact_path(a, b):
    assert box3d_iou_yaw(a, b) == pytest.approx(box3d_iou_exact(a, b), abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(yaw_boxes, yaw_boxes)
def test_iou_is_symmetric(a, b):
    assert box3d_iou(a, b) == pytest.approx(box3d_iou(b, a), abs=1e-12)


def test_iou_of_tilted_boxes_is_symmetric():
    rng = np.random.default_rng(6)
    a, b = random_tilted_boxes(rng, 500), random_tilted_boxes(rng, 500)
    np.testing.assert_allclose(box3d_iou(a, b), box3d_iou(b, a), atol=1e-12)


def test_iou_is_invariant_under_a_shared_rigid_motion():
    rng = np.random.default_rng(7)
    a, b = OrientedBoxes.from_yaw(random_yaw_boxes(rng, 500)), OrientedBoxes.from_yaw(random_yaw_boxes(rng, 500))
    rotation, translation = random_rotations(rng, 1)[0], rng.normal(size=3) * 10
    before = box3d_iou(a, b)  # the yaw path
    after = box3d_iou(moved(a, rotation, translation), moved(b, rotation, translation))  # the general path
    assert (before > 0).mean() > 0.5
    np.testing.assert_allclose(after, before, atol=1e-9)


def test_iou_of_tilted_boxes_is_invariant_under_a_shared_rigid_motion():
    rng = np.random.default_rng(8)
    a, b = random_tilted_boxes(rng, 500), random_tilted_boxes(rng, 500)
    rotation, translation = random_rotations(rng, 1)[0], rng.normal(size=3) * 10
    after = box3d_iou(moved(a, rotation, translation), moved(b, rotation, translation))
    np.testing.assert_allclose(after, box3d_iou(a, b), atol=1e-9)


def test_dispatch_agrees_with_the_exact_path_on_a_mix_of_boxes():
    rng = np.random.default_rng(9)
    yawed = OrientedBoxes.from_yaw(random_yaw_boxes(rng, 300))
    aligned = OrientedBoxes.from_yaw(random_yaw_boxes(rng, 300) * [1, 1, 1, 1, 1, 1, 0])
    tilted_boxes = random_tilted_boxes(rng, 300)
    mixed = OrientedBoxes(
        *(
            np.concatenate([getattr(part, name) for part in (yawed, aligned, tilted_boxes)])
            for name in OrientedBoxes.__dataclass_fields__
        )
    )
    shuffled = OrientedBoxes(
        *(getattr(mixed, name)[rng.permutation(900)] for name in OrientedBoxes.__dataclass_fields__)
    )
    np.testing.assert_allclose(box3d_iou(mixed, shuffled), box3d_iou_exact(mixed, shuffled), atol=1e-9)


def test_intersection_volume_agrees_with_a_monte_carlo_estimate_on_random_tilted_boxes():
    rng = np.random.default_rng(10)
    a, b = random_tilted_boxes(rng, 20, spread=0.3), random_tilted_boxes(rng, 20, spread=0.3)
    exact = box3d_intersection_volume(a, b)
    samples = 200_000
    for i in range(20):
        # Uniform points in box a; the share inside box b estimates intersection / volume(a).
        local = rng.uniform(-0.5, 0.5, (samples, 3)) * a.size[i]
        points = a.center[i] + local @ a.rotation[i].T
        in_b = (np.abs((points - b.center[i]) @ b.rotation[i]) <= b.size[i] / 2).all(1)
        share = in_b.mean()
        volume_a = np.prod(a.size[i])
        # Five standard errors of the estimate (from the exact share): fails by chance about once in 10^6.
        exact_share = exact[i] / volume_a
        standard_error = math.sqrt(max(exact_share * (1 - exact_share), 1e-6) / samples)
        assert abs(share - exact_share) <= 5 * standard_error, i


def test_intersection_volume_agrees_with_the_hull_of_plane_triple_intersections():
    """An independent oracle: the polytope's vertices are the feasible points where three of the 12 face planes
    meet; scipy's ConvexHull gives its volume."""
    spatial = pytest.importorskip("scipy.spatial")
    rng = np.random.default_rng(11)
    a, b = random_tilted_boxes(rng, 40, spread=0.4), random_tilted_boxes(rng, 40, spread=0.4)
    exact = box3d_intersection_volume(a, b)
    for i in range(40):
        normals = np.concatenate([a.rotation[i].T, -a.rotation[i].T, b.rotation[i].T, -b.rotation[i].T])
        offsets = np.concatenate(
            [
                normals[:6] @ a.center[i] + np.tile(a.size[i] / 2, 2),
                normals[6:] @ b.center[i] + np.tile(b.size[i] / 2, 2),
            ]
        )
        vertices = []
        for triple in itertools.combinations(range(12), 3):
            matrix = normals[list(triple)]
            if abs(np.linalg.det(matrix)) > 1e-9:
                point = np.linalg.solve(matrix, offsets[list(triple)])
                if np.all(normals @ point <= offsets + 1e-9):
                    vertices.append(point)
        oracle = spatial.ConvexHull(np.array(vertices)).volume if len(vertices) >= 4 else 0.0
        assert exact[i] == pytest.approx(oracle, abs=1e-9), i


# --- degenerate and invalid input --------------------------------------------------------------------------


FLAT = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0])
POINT = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("iou", ALL_PATHS)
@pytest.mark.parametrize(
    ("a", "b"), [(FLAT, UNIT_CUBE), (UNIT_CUBE, FLAT), (FLAT, FLAT), (POINT, POINT), (POINT, UNIT_CUBE)]
)
def test_zero_volume_box_gives_iou_zero_without_warnings(no_warnings, iou, a, b):
    assert iou(a, b) == 0.0


def test_zero_volume_tilted_box_gives_iou_zero_without_warnings(no_warnings):
    flat = OrientedBoxes(np.zeros(3), [1.0, 0.0, 1.0], rotation_about_x(0.3) @ rotation_about_z(0.2))
    assert box3d_iou(flat, flat) == 0.0
    assert box3d_iou(flat, UNIT_CUBE) == 0.0


@pytest.mark.parametrize("iou", ALL_PATHS)
@pytest.mark.parametrize(
    ("column", "bad"),
    [(column, bad) for column in (0, 6) for bad in (math.nan, math.inf, -math.inf)] + [(4, math.nan), (4, math.inf)],
)
def test_pair_with_a_non_finite_number_gives_nan_and_leaves_the_others_alone(no_warnings, iou, column, bad):
    boxes = np.stack([UNIT_CUBE, UNIT_CUBE])
    boxes[0, column] = bad
    result = iou(boxes, UNIT_CUBE)
    assert math.isnan(result[0]) and result[1] == 1.0


def test_non_finite_rotation_gives_nan(no_warnings):
    rotation = np.eye(3)
    rotation[0, 1] = math.nan
    assert math.isnan(box3d_iou(OrientedBoxes(np.zeros(3), np.ones(3), rotation), UNIT_CUBE))


def test_negative_size_is_rejected():
    with pytest.raises(ValueError, match="negative size"):
        box3d_iou(UNIT_CUBE * [1, 1, 1, -1, 1, 1, 1], UNIT_CUBE)


@pytest.mark.parametrize("shape", [(5,), (3, 8), (2, 2, 4)])
def test_wrong_number_of_columns_is_rejected(shape):
    with pytest.raises(ValueError, match=r"\(\.\.\., 7\)"):
        box3d_iou(np.zeros(shape), UNIT_CUBE)


def test_matrix_that_is_not_a_rotation_is_rejected():
    with pytest.raises(ValueError, match="not orthonormal"):
        OrientedBoxes(np.zeros(3), np.ones(3), np.diag([1.0, 2.0, 1.0]))


def test_batches_that_do_not_broadcast_are_rejected():
    with pytest.raises(ValueError, match="do not broadcast"):
        box3d_iou(np.zeros((3, 7)), np.zeros((4, 7)))


def test_yaw_path_rejects_tilted_boxes():
    with pytest.raises(ValueError, match="rotated about z only"):
        box3d_iou_yaw(tilted(UNIT_CUBE, rotation_about_x(0.2)), UNIT_CUBE)


def test_axis_aligned_path_rejects_yawed_boxes():
    with pytest.raises(ValueError, match="axis-aligned"):
        box3d_iou_axis_aligned(UNIT_CUBE + [0, 0, 0, 0, 0, 0, 0.3], UNIT_CUBE)


# --- shapes ----------------------------------------------------------------------------------------------


def test_vectorized_call_on_10000_pairs_returns_one_iou_per_pair():
    rng = np.random.default_rng(12)
    result = box3d_iou(random_yaw_boxes(rng, 10_000), random_yaw_boxes(rng, 10_000))
    assert result.shape == (10_000,) and result.dtype == np.float64
    assert np.all((result >= 0) & (result <= 1)) and (result > 0).any()


def test_vectorized_call_on_10000_tilted_pairs_returns_one_iou_per_pair():
    rng = np.random.default_rng(13)
    result = box3d_iou(random_tilted_boxes(rng, 10_000), random_tilted_boxes(rng, 10_000))
    assert result.shape == (10_000,) and np.all((result >= 0) & (result <= 1))


def test_single_box_broadcasts_against_many():
    boxes = random_yaw_boxes(np.random.default_rng(14), 7).reshape(7, 1, 7)
    result = box3d_iou(UNIT_CUBE, boxes)
    assert result.shape == (7, 1)
    np.testing.assert_array_equal(result[:, 0], [box3d_iou(UNIT_CUBE, box[0]) for box in boxes])


def test_two_single_boxes_give_a_0d_array():
    assert box3d_iou(UNIT_CUBE, UNIT_CUBE).shape == ()


def test_corners_of_a_turned_bar():
    bar = np.array([1.0, 2.0, 3.0, 2.0, 1.0, 4.0, math.pi / 2])
    corners = box_corners(bar)
    assert corners.shape == (8, 3)
    # After a quarter turn the bar's 2 m length lies along y.
    np.testing.assert_allclose(corners.min(0), [0.5, 1.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(corners.max(0), [1.5, 3.0, 5.0], atol=1e-12)
    np.testing.assert_allclose(corners[0], [1.5, 1.0, 1.0], atol=1e-12)  # local (-dx, -dy, -dz) / 2


def test_corners_keep_the_batch_shape():
    assert box_corners(np.zeros((4, 5, 7))).shape == (4, 5, 8, 3)


def test_volume_is_the_product_of_the_sizes():
    np.testing.assert_allclose(box_volume([[0, 0, 0, 1, 2, 3, 0.7], [5, 5, 5, 0.5, 0.5, 0.0, 0]]), [6.0, 0.0])


# --- parsing boxes out of responses -------------------------------------------------------------------------


def test_parses_a_json_list_of_seven_numbers():
    np.testing.assert_array_equal(parse_box3d("[1.0, 2, 0.5, 1, 1, 1, 0.3]"), [1.0, 2.0, 0.5, 1.0, 1.0, 1.0, 0.3])


def test_six_numbers_mean_yaw_zero():
    np.testing.assert_array_equal(parse_box3d("[1, 2, 3, 0.5, 0.5, 0.5]"), [1, 2, 3, 0.5, 0.5, 0.5, 0])


def test_parses_a_json_object_with_center_size_and_yaw():
    text = json.dumps({"center": [1, 2, 0.5], "size": [0.8, 0.6, 1.2], "yaw": 0.3})
    np.testing.assert_array_equal(parse_box3d(text), [1, 2, 0.5, 0.8, 0.6, 1.2, 0.3])


def test_json_object_without_yaw_has_yaw_zero():
    np.testing.assert_array_equal(parse_box3d('{"Center": [1, 2, 3], "Dimensions": [1, 1, 1]}'), [1, 2, 3, 1, 1, 1, 0])


def test_parses_a_json_list_of_center_size_and_yaw():
    np.testing.assert_array_equal(parse_box3d("[[1, 2, 3], [4, 5, 6], 0.5]"), [1, 2, 3, 4, 5, 6, 0.5])


def test_parses_a_code_fenced_json_object():
    text = '```json\n{"box": [1, 2, 3, 4, 5, 6, 0.1]}\n```'
    np.testing.assert_array_equal(parse_box3d(text), [1, 2, 3, 4, 5, 6, 0.1])


def test_parses_a_json_object_inside_free_text():
    text = 'Here it is: {"center": [1, 2, 3], "size": [1, 1, 2], "yaw": 0.2}. Hope that helps.'
    np.testing.assert_array_equal(parse_box3d(text), [1, 2, 3, 1, 1, 2, 0.2])


def test_takes_the_last_bracketed_group_of_seven_numbers_in_free_text():
    text = "First guess [0, 0, 0, 1, 1, 1, 0]. On reflection, the box is [1.0, 2.0, 0.5, 0.8, 0.6, 1.2, 30]."
    np.testing.assert_array_equal(parse_box3d(text), [1.0, 2.0, 0.5, 0.8, 0.6, 1.2, 30.0])


def test_ignores_bracketed_groups_that_are_not_six_or_seven_numbers():
    text = "Box [1, 2, 3, 1, 1, 1, 0.5] near the chair at [4, 5, 6] (see [ref 2]) [a, b, c, d, e, f, g]"
    np.testing.assert_array_equal(parse_box3d(text), [1, 2, 3, 1, 1, 1, 0.5])


def test_numbers_separated_by_spaces_and_signed_or_exponent_numbers_parse():
    np.testing.assert_array_equal(parse_box3d("[-1.5 +2 3e-1 1 .5 2. -0.25]"), [-1.5, 2, 0.3, 1, 0.5, 2, -0.25])


def test_yaw_in_degrees_is_converted_when_asked():
    assert parse_box3d("[0, 0, 0, 1, 1, 1, 90]", degrees=True)[6] == pytest.approx(math.pi / 2)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "no box here",
        "[1, 2, 3]",
        "[]",
        "[a, b, c, d, e, f, g]",
        "{",
        "}{",
        "[[[",
        "]]]",
        "null",
        "7",
        '{"center": [1, 2]}',
        "[1, 2, 3, 4, 5, 6, 7, 8]",
        "[1, 2, 3, 1_000, 1, 1, 0]",
        "[true, 1, 1, 1, 1, 1, 0]",
        "[0x10, 1, 1, 1, 1, 1, 0]",
        "(1, 2, 3, 1, 1, 1, 0)",
    ],
)
def test_returns_none_when_nothing_parses(text):
    assert parse_box3d(text) is None


def test_returns_none_for_a_missing_response():
    assert parse_box3d(None) is None


@pytest.mark.parametrize(
    "text",
    [
        "[1, 2, 3, 1, 1, 1, nan]",
        "[1, 2, inf, 1, 1, 1, 0]",
        "[1, 2, 3, 1e400, 1, 1, 0]",
        "[1, 2, 3, 1, 1, 1, NaN]",
        '{"center": [1, 2, Infinity], "size": [1, 1, 1]}',
        "[1, 2, 3, 1, 1, 1, " + "9" * 400 + "]",
    ],
)
def test_returns_none_for_non_finite_numbers(text):
    assert parse_box3d(text) is None


@pytest.mark.parametrize(
    "text", ["[1, 2, 3, 0, 1, 1, 0]", "[1, 2, 3, 1, -1, 1, 0]", '{"center": [0, 0, 0], "size": [1, 1, 0]}']
)
def test_returns_none_for_zero_or_negative_sizes(text):
    assert parse_box3d(text) is None


def test_an_invalid_final_box_is_not_replaced_by_an_earlier_valid_one():
    assert parse_box3d("Maybe [0, 0, 0, 1, 1, 1, 0]. Final: [0, 0, 0, 1, -1, 1, 0]") is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("[]{},. -+eE0123456789naif\"':xyz\n")) | st.characters()))
def test_never_raises_on_arbitrary_text(text):
    result = parse_box3d(text)
    assert result is None or (result.shape == (7,) and np.isfinite(result).all() and (result[3:6] > 0).all())


MEGABYTE = 1_000_000


@pytest.mark.parametrize(
    "text",
    [
        "[" * MEGABYTE,
        "{" * MEGABYTE,
        "[" + " " * MEGABYTE,
        "[1," * (MEGABYTE // 3),
        "1" * MEGABYTE,
        "[" + "1" * MEGABYTE + "]",
        '{"center": [' * (MEGABYTE // 12),
        "[1, " + "[a" * (MEGABYTE // 2),
        "[" * (MEGABYTE // 2) + "]" * (MEGABYTE // 2),
        "{[" * (MEGABYTE // 2),
        "```" + "\n" * MEGABYTE,
    ],
)
def test_megabyte_of_adversarial_text_gives_none(text):
    assert parse_box3d(text) is None


def test_box_at_the_end_of_a_megabyte_of_text_is_found():
    text = "[0, 1] blah, [2] {x} " * (MEGABYTE // 21) + "answer: [1, 2, 3, 1, 1, 1, 0.5]"
    np.testing.assert_array_equal(parse_box3d(text), [1, 2, 3, 1, 1, 1, 0.5])


# --- aggregates ----------------------------------------------------------------------------------------------


def test_mean_iou_counts_missing_boxes_as_zero():
    assert mean_iou([1.0, None, math.nan, 0.5]) == pytest.approx(0.375)


def test_accuracy_at_counts_missing_boxes_as_misses():
    assert accuracy_at([0.3, None, math.nan, 0.2], 0.25) == pytest.approx(0.25)


def test_accuracy_threshold_is_inclusive():
    assert accuracy_at([0.25, 0.5, 0.49], 0.5) == pytest.approx(1 / 3)
    assert accuracy_at([0.25, 0.5, 0.49], 0.25) == 1.0


def test_grounding_summary_reports_mean_iou_both_accuracies_and_counts():
    summary = grounding_summary([0.8, 0.3, 0.1, None])
    assert summary == {"mean_iou": pytest.approx(0.3), "acc@0.25": 0.5, "acc@0.5": 0.25, "n": 4, "n_missing": 1}


def test_aggregates_of_no_samples_are_nan():
    summary = grounding_summary([])
    assert math.isnan(summary["mean_iou"]) and math.isnan(summary["acc@0.5"]) and summary["n"] == 0


@pytest.mark.parametrize("bad", [1.5, -0.1, math.inf])
def test_aggregates_reject_values_that_are_not_ious(bad):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        mean_iou([0.5, bad])


def test_unparsable_responses_reach_the_summary_as_misses():
    reference = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    responses = ["[0, 0, 0, 1, 1, 1, 0]", "The box is [0.5, 0, 0, 1, 1, 1, 0].", "I cannot see it."]
    boxes = [parse_box3d(response) for response in responses]
    ious = [None if box is None else float(box3d_iou(box, reference)) for box in boxes]
    summary = grounding_summary(ious)
    assert summary["mean_iou"] == pytest.approx((1 + 1 / 3) / 3)
    assert (summary["acc@0.25"], summary["acc@0.5"], summary["n_missing"]) == (
        pytest.approx(2 / 3),
        pytest.approx(1 / 3),
        1,
    )
