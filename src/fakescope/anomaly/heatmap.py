"""Render a residual map over its image as a PNG heat map (the f-AnoGAN evidence)."""

from __future__ import annotations

import io
from functools import lru_cache

import numpy as np

DISPLAY_SIDE = 512


def normalise_map(residual: np.ndarray, reference: float | None = None) -> np.ndarray:
    """Scale a residual map to [0, 1] (NaN stays NaN).

    With ``reference`` (the typical 99th-percentile residual of real images, stored with the
    model's calibration) a real image stays dim and only unusually large residuals glow; without
    it the map's own 99th percentile is used.

    Examples
    --------
    >>> normalise_map(np.array([[0.0, 1.0], [2.0, np.nan]]), reference=1.0).tolist()[0]
    [0.0, 0.5]
    """
    finite = residual[np.isfinite(residual)]
    if finite.size == 0:
        return np.full_like(residual, np.nan, dtype=np.float64)
    top = float(np.quantile(finite, 0.99))
    scale = max(top, 2.0 * reference) if reference else max(top, 1e-6)
    return np.clip(residual / scale, 0.0, 1.0)


def overlay_png(image: np.ndarray, residual: np.ndarray, reference: float | None = None) -> bytes:
    """Blend an inferno-coloured residual map over an HxWx3 uint8 image; returns PNG bytes.

    Low residuals are transparent, high ones opaque; pixels no patch covered are left as is.
    The picture is shrunk to at most 512 px on its long side.

    Examples
    --------
    >>> png = overlay_png(np.zeros((8, 8, 3), np.uint8), np.ones((8, 8)))
    >>> png[:4] == b"\\x89PNG"
    True
    """
    return render_overlay(image, normalise_map(residual, reference))


def scale_map(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map ``low`` -> 0 and ``high`` -> 1, clipped (NaN stays NaN).

    Examples
    --------
    >>> scale_map(np.array([0.0, 1.0, 3.0]), low=1.0, high=2.0).tolist()
    [0.0, 0.0, 1.0]
    """
    return np.clip((values - low) / max(high - low, 1e-9), 0.0, 1.0)


def render_overlay(image: np.ndarray, value: np.ndarray) -> bytes:
    """Blend a [0, 1] map (NaN = not covered) over an HxWx3 uint8 image; returns PNG bytes."""
    from PIL import Image

    h, w = value.shape
    shrink = max(h, w) / DISPLAY_SIDE
    if shrink > 1:
        # Shrink first: blending full-size 20-megapixel photos would dominate the scan time.
        size = (max(int(w / shrink), 1), max(int(h / shrink), 1))
        image = np.asarray(Image.fromarray(image).resize(size, Image.BILINEAR))
        rows = (np.arange(size[1]) * h // size[1]).clip(0, h - 1)
        cols = (np.arange(size[0]) * w // size[0]).clip(0, w - 1)
        value = value[rows][:, cols]
    covered = np.isfinite(value)
    value = np.where(covered, value, 0.0)
    colours = _inferno_lut()[np.round(value * 255).astype(np.intp)]
    alpha = ((0.65 * value) * covered)[..., None]  # low values stay see-through
    blended = image.astype(np.float32) * (1 - alpha) + colours * alpha
    picture = Image.fromarray(blended.clip(0, 255).astype(np.uint8))
    buf = io.BytesIO()
    picture.save(buf, format="PNG", compress_level=3)  # speed over a few kB
    return buf.getvalue()


@lru_cache(maxsize=1)
def _inferno_lut() -> np.ndarray:
    from matplotlib import colormaps

    return colormaps["inferno"](np.linspace(0, 1, 256))[:, :3] * 255.0
