"""Evidence pictures drawn directly with Pillow (a heat map overlay, a spectrum plot).

Matplotlib takes tens of milliseconds per figure, which alone would halve scan throughput, so the
two pictures every image gets are drawn here in about a millisecond each.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

import numpy as np

_PNG_LEVEL = 1  # fast zlib level: these pictures are small and made for every file


def _png(img) -> bytes:
    return encode_png(np.asarray(img.convert("RGB")))


def encode_png(rgb: np.ndarray, level: int = _PNG_LEVEL) -> bytes:
    """Minimal PNG writer for HxWx3 uint8 arrays (no row filters).

    Pillow's encoder tries a filter per row, which costs several milliseconds even at low
    compression; evidence pictures are made for every scanned file, so this matters.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> arr = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    >>> np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(arr)))), arr)
    True
    """
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = rgb.shape[:2]
    rows = np.zeros((h, w * 3 + 1), np.uint8)  # filter byte 0 ("None") at the start of each row
    rows[:, 1:] = rgb.reshape(h, w * 3)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), level))
        + chunk(b"IEND", b"")
    )


def heat_colours(values: np.ndarray) -> np.ndarray:
    """Map values in [0, 1] to RGB (blue = real, yellow = unsure, red = machine-made).

    Examples
    --------
    >>> heat_colours(np.array([0.0, 1.0])).tolist()
    [[40, 90, 220], [220, 30, 30]]
    """
    v = np.clip(np.asarray(values, dtype=np.float64), 0, 1)[..., None]
    blue = np.array([40, 90, 220.0])
    yellow = np.array([240, 210, 60.0])
    red = np.array([220, 30, 30.0])
    lo = blue + (yellow - blue) * np.clip(v * 2, 0, 1)
    out = np.where(v < 0.5, lo, yellow + (red - yellow) * np.clip(v * 2 - 1, 0, 1))
    return out.round().astype(np.uint8)


def heatmap_overlay(rgb: np.ndarray, patch_scores: np.ndarray, max_side: int = 160) -> bytes:
    """PNG of the image (shrunk to ``max_side``) with per-patch scores blended over it.

    Parameters
    ----------
    rgb : ndarray
        HxWx3 uint8 image.
    patch_scores : ndarray
        h x w grid of probabilities covering the image.

    Examples
    --------
    >>> heatmap_overlay(np.zeros((64, 64, 3), np.uint8), np.full((4, 4), 0.9))[:4]
    b'\\x89PNG'
    """
    from PIL import Image

    im = Image.fromarray(np.ascontiguousarray(rgb))
    scale = min(1.0, max_side / max(im.size))
    size = (max(1, round(im.size[0] * scale)), max(1, round(im.size[1] * scale)))
    if size != im.size:
        im = im.resize(size, Image.Resampling.BILINEAR)
    heat = Image.fromarray(heat_colours(np.asarray(patch_scores))).resize(
        size, Image.Resampling.BILINEAR
    )
    grey = im.convert("L").convert("RGB")
    return _png(Image.blend(grey, heat, 0.45))


def spectrum_plot(
    spec2d: np.ndarray, profile: np.ndarray, reference: np.ndarray | None = None
) -> bytes:
    """PNG with the centred log power spectrum (left) and its azimuthal profile (right).

    The profile is drawn in red; ``reference`` (the mean profile of real photos) in grey.

    Examples
    --------
    >>> spectrum_plot(np.random.default_rng(0).random((32, 32)), np.linspace(1, 0, 16))[:4]
    b'\\x89PNG'
    """
    from PIL import Image, ImageDraw

    side = _SIDE
    s = np.asarray(spec2d, dtype=np.float64)
    lo, hi = float(s.min()), float(s.max())
    lo = lo + 0.25 * (hi - lo)  # the darkest quarter is noise floor: show the structure
    g = np.clip((s - lo) / max(hi - lo, 1e-9), 0, 1)
    spec_img = Image.fromarray((g * 255).astype(np.uint8)).resize(
        (side, side), Image.Resampling.BILINEAR
    )
    canvas = _plot_template().copy()
    canvas.paste(spec_img.convert("RGB"), (5, 5))
    draw = ImageDraw.Draw(canvas)
    x0, y0, w, h = side + 20, 5, side, side
    curves = [np.asarray(profile, dtype=np.float64)]
    if reference is not None:
        curves.append(np.asarray(reference, dtype=np.float64))
    allv = np.concatenate(curves)
    vmin, vmax = float(allv.min()), float(allv.max())
    span = max(vmax - vmin, 1e-9)

    def pts(c: np.ndarray) -> list[tuple[float, float]]:
        xs = np.linspace(x0, x0 + w, len(c))
        ys = y0 + h - (c - vmin) / span * h
        return list(zip(xs.tolist(), ys.tolist(), strict=True))

    if reference is not None:
        draw.line(pts(curves[1]), fill=(130, 130, 130), width=2)
    draw.line(pts(curves[0]), fill=(210, 30, 30), width=2)
    return _png(canvas)


_SIDE = 112


@lru_cache(maxsize=1)
def _plot_template():
    """Blank canvas with the frame and captions (text rendering is the slow part: do it once)."""
    from PIL import Image, ImageDraw

    side = _SIDE
    canvas = Image.new("RGB", (side * 2 + 30, side + 34), "white")
    draw = ImageDraw.Draw(canvas)
    x0 = side + 20
    draw.rectangle([x0, 5, x0 + side, 5 + side], outline=(150, 150, 150))
    draw.text((5, side + 8), "log power spectrum", fill=(0, 0, 0))
    draw.text((x0, side + 8), "radial profile (red)", fill=(0, 0, 0))
    draw.text((x0, side + 20), "mean real photo (grey)", fill=(0, 0, 0))
    return canvas
