import math

import numpy as np
import pytest

from fakescope.video.alignment import (
    MAX_ALIGN_ERROR,
    LandmarkTracker,
    align,
    apply,
    face_mask,
    landmark_problem,
    paste_aligned,
    similarity_transform,
)

FACE = np.array([[30, 40], [70, 40], [50, 60], [35, 80], [65, 80]], float)


def _turn(points, degrees, scale=1.0, shift=(0.0, 0.0)):
    t = math.radians(degrees)
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    return points @ rot.T * scale + shift


def test_similarity_transform_recovers_rotation_scale_and_shift():
    target = _turn(FACE, 30, 1.7, (12, -4))
    m = similarity_transform(FACE, target)
    assert np.allclose(apply(m, FACE), target)


def test_a_mirror_cannot_be_fitted():
    mirrored = FACE * (-1, 1) + (100, 0)  # a reflection, labels kept: the best rotation misfits
    a = align(FACE, mirrored)
    assert not a.ok


@pytest.mark.parametrize("degrees", [0, 20, -35, 55])
def test_tilted_faces_align(degrees):
    a = align(FACE, _turn(FACE, degrees, 0.8, (40, 40)))
    assert a.ok and a.error < 1e-9


@pytest.mark.parametrize(
    "bad, why",
    [
        (_turn(FACE, 90, 1.0, (100, 0)), "rolled"),
        (FACE[[1, 0, 2, 4, 3]], "rolled"),  # left and right labels swapped
        (FACE[[0, 1, 3, 2, 4]], "face order"),  # nose below a mouth corner
        (FACE * 0.1, "too small"),
    ],
)
def test_implausible_landmarks_are_refused_with_a_reason(bad, why):
    assert why in landmark_problem(bad)
    assert not align(FACE, bad).ok


def test_different_geometry_beyond_the_limit_is_refused():
    squashed = FACE.copy()
    squashed[3:, 1] = 44  # mouth almost at the eyes: not the same kind of face
    squashed[2, 1] = 42
    a = align(FACE, squashed)
    assert not a.ok


def test_paste_aligned_turns_the_source_with_the_target():
    # A source "face" with a bright left-eye spot; after a 30 degree tilt the spot must land on
    # the target's left eye, not where an upright paste would put it.
    source = np.full((120, 100, 3), 90, np.uint8)
    source[38:43, 28:33] = 250
    frame = np.full((200, 200, 3), 90, np.uint8)
    target = _turn(FACE, 30, 1.0, (60, 40))
    a = align(FACE, target)
    out = paste_aligned(frame, a, source, blur=0.0)
    x, y = target[0].round().astype(int)
    assert out[y - 1 : y + 2, x - 1 : x + 2].mean() > 150
    assert out[0, 0].tolist() == [90, 90, 90]


def test_mask_follows_the_head():
    m = face_mask((140, 140), _turn(FACE, 40, 1.0, (40, 20)))
    assert m.max() == 1.0 and m[0, 0] == 0.0


def test_tracker_restarts_on_a_jump():
    t = LandmarkTracker()
    t.update(FACE)
    t.update(FACE + 1)
    assert np.allclose(t.current(), FACE + 0.5)
    far = FACE + 200
    assert np.allclose(t.update(far), far)


def test_limit_is_documented_sensibly():
    assert 0.1 < MAX_ALIGN_ERROR < 0.5
