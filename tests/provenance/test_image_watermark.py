from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from fakescope.provenance.image_watermark import WatermarkError, crc16, detect, embed, psnr


def _jpeg(a: np.ndarray, q: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "JPEG", quality=q)
    return np.asarray(Image.open(buf).convert("RGB"))


def _resize(a: np.ndarray, s: float) -> np.ndarray:
    h, w = a.shape[:2]
    im = Image.fromarray(a).resize((round(w * s), round(h * s)), Image.Resampling.BICUBIC)
    return np.asarray(im)


def test_round_trip_is_invisible_and_exact(photo):
    marked = embed(photo, 0xDEADBEEF)
    assert marked.shape == photo.shape and marked.dtype == np.uint8
    assert psnr(photo, marked) > 40
    det = detect(marked)
    assert det.found and det.payload == 0xDEADBEEF and det.crc_ok


@pytest.mark.parametrize(
    "attack",
    [lambda a: _jpeg(a, 75), lambda a: _resize(a, 0.75), lambda a: _jpeg(_resize(a, 0.75), 75)],
    ids=["jpeg75", "resize0.75", "resize+jpeg"],
)
def test_survives_jpeg_and_resizing(photo, attack):
    assert detect(attack(embed(photo, 0x01234567))).payload == 0x01234567


def test_unmarked_images_are_not_flagged(photo):
    rng = np.random.default_rng(1)
    images = [photo, np.full((100, 100, 3), 128, np.uint8), photo[::-1].copy()]
    images += [rng.integers(0, 256, (80, 120, 3), dtype=np.uint8) for _ in range(10)]
    assert not any(detect(im).found for im in images)


def test_other_key_does_not_see_the_mark(photo):
    marked = embed(photo, 42, key="alice")
    assert detect(marked, key="alice").payload == 42
    assert not detect(marked, key="bob").found


def test_gray_images_and_bad_input():
    gray = np.random.default_rng(0).integers(0, 256, (96, 96), dtype=np.uint8)
    assert detect(embed(gray, 7)).payload == 7
    with pytest.raises(WatermarkError, match="at least 64 px"):
        embed(np.zeros((32, 200, 3), np.uint8), 1)
    with pytest.raises(WatermarkError, match="32 bits"):
        embed(np.zeros((96, 96, 3), np.uint8), 2**32)
    assert not detect(np.zeros((4, 4, 3), np.uint8)).found


def test_crc16_known_value():
    assert crc16(0) != crc16(1) and crc16(0x12345678) == 0x30EC
