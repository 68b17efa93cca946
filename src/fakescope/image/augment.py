"""What the web does to an image, applied alike to real and fake training images.

Genuine fakes and camera photos reach a detector after different histories (the shared data set's
fakes were JPEG at quality 68-100, its reals mostly at 90-94; some fakes were WebP). A detector
trained on the raw files learns those histories. Every training view of either class therefore
goes through the same random chain: resize 0.5-1.5x, crop, blur, noise, then JPEG 60-100 or
WebP 70-100 or nothing.
"""

from __future__ import annotations

import io

import numpy as np


def encode(rgb: np.ndarray, fmt: str, quality: int) -> np.ndarray:
    """Round-trip through JPEG or WebP at ``quality`` (Pillow; JPEG with 4:2:0 chroma).

    Examples
    --------
    >>> x = np.full((16, 16, 3), 128, np.uint8)
    >>> encode(x, "JPEG", 90).shape
    (16, 16, 3)
    """
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format=fmt, quality=int(quality))
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im.convert("RGB"))


def resize(rgb: np.ndarray, scale: float, method: str = "bilinear") -> np.ndarray:
    """Resize by ``scale`` with a Pillow filter: ``bilinear``, ``bicubic``, ``lanczos``, ``box``."""
    from PIL import Image

    filters = {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC,
               "lanczos": Image.LANCZOS, "box": Image.BOX}  # fmt: skip
    h, w = rgb.shape[:2]
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, filters[method]))


def web_launder(
    rgb: np.ndarray, rng: np.random.Generator, *, crop: int = 256, min_side: int = 128
) -> np.ndarray:
    """One random web-style view of ``rgb`` (uint8 HxWx3); the same chain for either class.

    Resize 0.5-1.5x (half the time), random crop of at most ``crop`` pixels, horizontal flip,
    Gaussian blur (10 %), Gaussian noise (10 %), then JPEG q60-100 (50 %), WebP q70-100 (20 %) or
    no compression (30 %).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> out = web_launder(np.zeros((256, 256, 3), np.uint8), rng)
    >>> out.dtype, out.ndim, min(out.shape[:2]) >= 128
    (dtype('uint8'), 3, True)
    """
    from PIL import Image, ImageFilter

    out = rgb
    if rng.random() < 0.5:
        scale = float(rng.uniform(0.5, 1.5))
        scale = max(scale, min_side / min(out.shape[:2]))
        out = resize(out, scale, str(rng.choice(["bilinear", "bicubic", "lanczos", "box"])))
    h, w = out.shape[:2]
    ch, cw = min(h, crop), min(w, crop)
    y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    out = out[y : y + ch, x : x + cw]
    if rng.random() < 0.5:
        out = out[:, ::-1]
    out = np.ascontiguousarray(out)
    if rng.random() < 0.1:
        radius = float(rng.uniform(0.4, 1.2))
        out = np.asarray(Image.fromarray(out).filter(ImageFilter.GaussianBlur(radius)))
    if rng.random() < 0.1:
        sigma = float(rng.uniform(1.0, 4.0))
        noisy = out.astype(np.float32) + rng.normal(0.0, sigma, out.shape)
        out = np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    u = rng.random()
    if u < 0.5:
        out = encode(out, "JPEG", int(rng.integers(60, 101)))
    elif u < 0.7:
        out = encode(out, "WEBP", int(rng.integers(70, 101)))
    return out
