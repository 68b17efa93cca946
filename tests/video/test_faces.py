from __future__ import annotations

import numpy as np
import pytest

from fakescope.video.faces import FaceBox, FaceFinder, FaceTracker, iou

pytest.importorskip("cv2")


def test_box_geometry():
    box = FaceBox(10, 20, 30, 40)
    assert box.center == (25.0, 40.0)
    assert box.scaled(0.5).to_list() == [5, 10, 15, 20]
    grown = FaceBox(90, 90, 20, 20).expanded(2.0, (100, 100, 3))
    assert grown.x + grown.w <= 100 and grown.y + grown.h <= 100
    assert box.crop(np.zeros((100, 100, 3))).shape == (40, 30, 3)
    assert iou(box, box) == 1.0 and iou(box, FaceBox(50, 70, 5, 5)) == 0.0


def test_finds_the_astronauts_face():
    data = pytest.importorskip("skimage.data")
    img = data.astronaut()
    faces = FaceFinder().find(img)
    assert faces, "the astronaut's face should be found"
    x, y, w, h = faces[0].to_list()
    # The face sits around x 170-270, y 60-170 in the 512x512 picture.
    assert 150 < x + w / 2 < 290 and 50 < y + h / 2 < 180


def test_finds_the_face_when_the_frame_is_large():
    data = pytest.importorskip("skimage.data")
    big = np.zeros((720, 1280, 3), np.uint8)
    big[100:612, 600:1112] = data.astronaut()
    faces = FaceFinder().find(big)
    assert faces and 600 < faces[0].center[0] < 1112


def test_no_face_in_flat_or_noise_frames():
    finder = FaceFinder()
    assert finder.find(np.full((240, 320, 3), 128, np.uint8)) == []
    noise = np.random.default_rng(0).integers(0, 255, (240, 320, 3), dtype=np.uint8)
    assert finder.find(noise) == []


def test_tracker_follows_a_moving_face_with_cheap_searches():
    data = pytest.importorskip("skimage.data")
    face = data.astronaut()[0:300, 100:350]
    frames = []
    for dx in range(0, 60, 6):
        frame = np.zeros((400, 600, 3), np.uint8)
        frame[50:350, 100 + dx : 350 + dx] = face
        frames.append(frame)
    finder = FaceFinder()
    calls = {"full": 0}
    original = finder.find

    def counting(rgb):
        calls["full"] += 1
        return original(rgb)

    finder.find = counting
    tracker = FaceTracker(finder, full_every=5)
    boxes = [tracker.find(f) for f in frames]
    assert all(b is not None for b in boxes)
    centres = [b.center[0] for b in boxes]
    assert centres[-1] - centres[0] == pytest.approx(54, abs=15)  # it moved with the face
    assert calls["full"] <= 4  # most frames used the nearby search
