"""Evidence pictures are valid PNGs of the expected size."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from fakescope.image.render import heat_colours, heatmap_overlay, spectrum_plot


def test_heatmap_overlay_shape_and_colour(photo: np.ndarray) -> None:
    scores = np.zeros((16, 16))
    scores[:, 8:] = 1.0
    im = Image.open(io.BytesIO(heatmap_overlay(photo, scores, max_side=128)))
    assert im.size == (128, 128)
    arr = np.asarray(im.convert("RGB")).astype(int)
    # right half (machine-made) is redder than the left half
    assert (arr[:, 100:, 0] - arr[:, 100:, 2]).mean() > (arr[:, :28, 0] - arr[:, :28, 2]).mean()


def test_heat_colours_endpoints() -> None:
    assert heat_colours(np.array([0.5])).tolist() == [[240, 210, 60]]


def test_spectrum_plot_png() -> None:
    png = spectrum_plot(np.random.default_rng(0).random((64, 64)), np.linspace(0, -3, 32),
                        np.linspace(0, -2.5, 32))  # fmt: skip
    assert Image.open(io.BytesIO(png)).size == (254, 146)
