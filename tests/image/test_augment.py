"""Web laundering: same chain for both classes, valid uint8 views, deterministic per seed."""

from __future__ import annotations

import numpy as np

from fakescope.image.augment import encode, resize, web_launder


def test_views_are_valid_and_seeded(photo: np.ndarray) -> None:
    shapes = set()
    for k in range(20):
        a = web_launder(photo, np.random.default_rng(k))
        b = web_launder(photo, np.random.default_rng(k))
        assert a.dtype == np.uint8 and a.shape[2] == 3 and 128 <= min(a.shape[:2]) <= 256
        np.testing.assert_array_equal(a, b)
        shapes.add(a.shape)
    assert len(shapes) > 1  # some views were resized


def test_some_views_change_pixels(photo: np.ndarray) -> None:
    changed = [
        not np.array_equal(web_launder(photo, np.random.default_rng(k)), photo) for k in range(10)
    ]
    assert sum(changed) >= 7


def test_encode_and_resize(photo: np.ndarray) -> None:
    q = encode(photo, "JPEG", 60)
    assert q.shape == photo.shape and not np.array_equal(q, photo)
    assert resize(photo, 0.5).shape == (128, 128, 3)
