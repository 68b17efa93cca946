import io

import numpy as np
from PIL import Image

from fakescope.anomaly.heatmap import normalise_map, overlay_png, render_overlay, scale_map


def test_normalise_uses_reference_floor() -> None:
    res = np.full((4, 4), 0.1)
    # A real-looking map (residuals at the typical level) stays dim.
    assert normalise_map(res, reference=0.1).max() <= 0.5
    # Without a reference the map's own scale is used.
    assert normalise_map(res).max() == 1.0
    assert np.isnan(normalise_map(np.full((2, 2), np.nan))).all()


def test_overlay_is_a_png_of_the_image_size_capped() -> None:
    img = np.full((60, 80, 3), 128, np.uint8)
    res = np.zeros((60, 80))
    res[10:20, 10:20] = 1.0
    res[:, 70:] = np.nan
    pic = Image.open(io.BytesIO(overlay_png(img, res, reference=0.1)))
    assert pic.size == (80, 60)
    arr = np.asarray(pic.convert("RGB")).astype(int)
    assert np.abs(arr[15, 15] - 128).sum() > 60  # hot spot is coloured
    assert np.abs(arr[40, 75] - 128).sum() == 0  # uncovered pixels untouched
    big = overlay_png(np.zeros((1200, 900, 3), np.uint8), np.zeros((1200, 900)))
    assert max(Image.open(io.BytesIO(big)).size) == 512


def test_scale_map_and_render() -> None:
    values = np.array([[0.0, 5.0], [10.0, np.nan]])
    unit = scale_map(values, low=0.0, high=10.0)
    assert unit[0].tolist() == [0.0, 0.5] and np.isnan(unit[1, 1])
    png = render_overlay(np.zeros((2, 2, 3), np.uint8), unit)
    assert Image.open(io.BytesIO(png)).size == (2, 2)
