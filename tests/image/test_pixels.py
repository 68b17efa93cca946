"""Pixel safety rules: centre region of huge pictures, NaN refusal, flat pictures, arrays."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fakescope.image.pixels import (
    MAX_ANALYSIS_SIDE,
    UnusablePixels,
    analysis_crop,
    array_to_image,
    flat_reason,
    to_rgb_array,
)


def test_small_pictures_are_kept_whole() -> None:
    im = Image.new("RGB", (640, 480))
    part, note = analysis_crop(im)
    assert part is im and note is None


def test_huge_pictures_keep_their_centre_unresampled() -> None:
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, (300, MAX_ANALYSIS_SIDE + 1000, 3), dtype=np.uint8)
    part, note = analysis_crop(Image.fromarray(arr))
    assert part.size == (MAX_ANALYSIS_SIDE, 300)
    np.testing.assert_array_equal(np.asarray(part), arr[:, 500 : 500 + MAX_ANALYSIS_SIDE])
    assert "centre 4096 x 300" in note["analysis_note"]


def test_nan_float_pictures_are_refused() -> None:
    data = np.full((32, 32), np.nan, np.float32)
    with pytest.raises(UnusablePixels, match="100% of its float pixel values are NaN"):
        to_rgb_array(Image.fromarray(data, mode="F"))
    data[0, 0] = 1.0
    with pytest.raises(UnusablePixels, match="NaN or infinite"):
        to_rgb_array(Image.fromarray(data, mode="F"))
    fine = to_rgb_array(Image.fromarray(np.linspace(0, 1, 64, dtype=np.float32).reshape(8, 8)))
    assert fine.shape == (8, 8, 3) and fine.max() == 255


def test_modes_without_rgb_conversion_say_so() -> None:
    with pytest.raises(UnusablePixels, match="colour mode La cannot be converted"):
        to_rgb_array(Image.new("La", (4, 4)))
    for mode in ("1", "P", "CMYK", "YCbCr", "LAB", "HSV", "I", "I;16", "PA", "RGBX", "RGBa"):
        assert to_rgb_array(Image.new(mode, (4, 4))).shape == (4, 4, 3)


def test_flat_pictures_are_flagged() -> None:
    assert "same colour" in flat_reason(np.zeros((64, 64, 3), np.uint8))
    near = np.full((64, 64, 3), 100, np.uint8)
    near[0, 0] = 102
    assert "at most 2 grey levels" in flat_reason(near)
    near[0, 0] = 110
    assert flat_reason(near) is None


@pytest.mark.parametrize(
    ("array", "size"),
    [
        (np.zeros((20, 30), np.uint8), (30, 20)),
        (np.zeros((20, 30, 1), np.float32), (30, 20)),
        (np.ones((20, 30, 3), np.float64) * 0.5, (30, 20)),
        (np.zeros((20, 30, 4), np.uint8), (30, 20)),
        (np.zeros((20, 30), bool), (30, 20)),
        (np.zeros((20, 30), np.uint16), (30, 20)),
    ],
)
def test_arrays_become_pictures(array: np.ndarray, size: tuple[int, int]) -> None:
    assert array_to_image(array).size == size


@pytest.mark.parametrize(
    ("array", "words"),
    [
        (np.zeros(100), "not a picture"),
        (np.zeros((4, 4, 2)), "not a picture"),
        (np.full((4, 4), np.nan), "NaN"),
        (np.full((4, 4), -3.0), "give uint8"),
        (np.zeros((0, 4)), "no pixels"),
    ],
)
def test_bad_arrays_are_refused(array: np.ndarray, words: str) -> None:
    with pytest.raises(UnusablePixels, match=words):
        array_to_image(array)
