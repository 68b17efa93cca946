from __future__ import annotations

import io

import numpy as np
from PIL import Image

from fakescope.video.render import thumbnail_png, timeline_png


def test_timeline_is_a_png_and_marks_the_unread_part():
    png = timeline_png(
        [0, 0.5, 1.0], [0.1, 0.5, None], [None, 0.9, 0.8], duration=4.0, stopped_at=1.2
    )
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.width > 300


def test_thumbnail_draws_boxes_in_red_and_shrinks():
    frame = np.zeros((720, 1280, 3), np.uint8)
    png = thumbnail_png(frame, [(100, 100, 200, 200)], max_side=320)
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert img.shape == (180, 320, 3)
    assert (img[..., 0] == 255).sum() > 50 and img[..., 1].max() == 0
