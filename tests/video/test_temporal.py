from __future__ import annotations

import numpy as np

from fakescope.video.temporal import (
    boundary_energy,
    elliptic_radius,
    face_statistics,
    flicker,
    gradient_magnitude,
    laplacian_energy,
    region_masks,
    sharpness_ratio,
)

FACE = (40, 30, 40, 50)


def _scene(seed: int = 0, noise: float = 20.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(120 + rng.normal(0, noise, (120, 160, 3)), 0, 255).astype(np.uint8)


def test_filters_on_tiny_arrays():
    assert laplacian_energy(np.ones((4, 4))).sum() == 0
    assert laplacian_energy(np.eye(5) * 10)[2, 2] == 40
    step = np.zeros((3, 4, 3), np.uint8)
    step[:, 2:] = 5
    assert gradient_magnitude(step)[1].tolist() == [0.0, 15.0, 0.0, 0.0]


def test_regions_do_not_overlap():
    inner, ring, outer = region_masks((120, 160), FACE)
    assert inner.any() and ring.any() and outer.any()
    assert not (inner & ring).any() and not (ring & outer).any()
    r = elliptic_radius((120, 160), FACE)
    assert r[55, 60] < 0.1


def test_flicker_is_zero_for_a_still_face_and_grows_with_per_frame_changes():
    still = _scene()
    assert flicker([still, still, still], FACE) == {"hf": 0.0, "colour": 0.0}
    frames = [still]
    r = elliptic_radius(still.shape[:2], FACE)
    for k in (1, 2):
        f = still.astype(np.float32)
        f[r < 0.9] = f[r < 0.9] * (1 + 0.1 * k) + 8 * k  # the face alone changes colour
        frames.append(np.clip(f, 0, 255).astype(np.uint8))
    wobbly = flicker(frames, FACE)
    assert wobbly["colour"] > 5
    # A global change (whole frame brighter) is not flicker of the face.
    brighter = np.clip(still.astype(int) + 20, 0, 255).astype(np.uint8)
    assert flicker([still, brighter], FACE)["colour"] < 1.0


def test_flicker_needs_two_frames():
    assert np.isnan(flicker([_scene()], FACE)["hf"])


def test_boundary_energy_sees_a_pasted_face():
    img = _scene(1, noise=5.0)
    r = elliptic_radius(img.shape[:2], FACE)
    pasted = img.copy()
    pasted[r < 1.0] = np.clip(pasted[r < 1.0].astype(int) + 40, 0, 255)
    assert boundary_energy(pasted, FACE) > boundary_energy(img, FACE) + 0.2
    assert np.isnan(boundary_energy(img, (0, 0, 2, 2)))


def test_face_statistics_shape():
    assert face_statistics(_scene(), FACE).shape == (4,)


def test_a_blurred_face_is_less_sharp_than_its_surroundings():
    import cv2

    img = _scene(2, noise=15.0)
    r = elliptic_radius(img.shape[:2], FACE)
    blurred = img.copy()
    soft = cv2.GaussianBlur(img, (0, 0), 1.5)
    blurred[r < 1.0] = soft[r < 1.0]
    assert sharpness_ratio(blurred, FACE) < sharpness_ratio(img, FACE) - 0.3
