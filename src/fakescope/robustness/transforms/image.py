"""Image laundering: what a file goes through between a generator and a fact-checker.

Every transform maps an HxWx3 uint8 RGB array to another one (the size may change). Codecs are
real encoders (Pillow's libjpeg / libwebp), run in memory.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> img = np.random.default_rng(1).integers(0, 256, (64, 48, 3), dtype=np.uint8)
>>> Screenshot(0.75)(img, rng).shape
(48, 36, 3)
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from fakescope.robustness.transforms.base import Transform


def _encode(rgb: np.ndarray, fmt: str, **options) -> np.ndarray:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format=fmt, **options)
    buf.seek(0)
    with Image.open(buf) as im:
        return np.asarray(im.convert("RGB")).copy()


def _resize(rgb: np.ndarray, size: tuple[int, int], method: str = "bicubic") -> np.ndarray:
    from PIL import Image

    resample = {"bicubic": Image.BICUBIC, "bilinear": Image.BILINEAR, "lanczos": Image.LANCZOS}
    w, h = max(1, size[0]), max(1, size[1])
    return np.asarray(Image.fromarray(rgb).resize((w, h), resample[method]))


class ImageTransform(Transform):
    modality = "image"


@dataclass
class JPEG(ImageTransform):
    """Re-encode as JPEG at ``quality`` (1-100; 4:2:0 chroma as most tools do)."""

    quality: int = 75

    def __call__(self, data, rng):
        return _encode(data, "JPEG", quality=int(self.quality))


@dataclass
class WebP(ImageTransform):
    """Re-encode as lossy WebP at ``quality`` (what many platforms serve)."""

    quality: int = 75

    def __call__(self, data, rng):
        return _encode(data, "WEBP", quality=int(self.quality))


@dataclass
class Resize(ImageTransform):
    """Scale both sides by ``factor`` (< 1 shrinks, > 1 enlarges), bicubic."""

    factor: float = 0.5

    def __call__(self, data, rng):
        h, w = data.shape[:2]
        return _resize(data, (round(w * self.factor), round(h * self.factor)))


@dataclass
class Crop(ImageTransform):
    """Keep a random window of ``fraction`` of each side (re-framing, cut borders)."""

    fraction: float = 0.8

    def __call__(self, data, rng):
        h, w = data.shape[:2]
        ch, cw = max(1, round(h * self.fraction)), max(1, round(w * self.fraction))
        y = int(rng.integers(0, h - ch + 1))
        x = int(rng.integers(0, w - cw + 1))
        return np.ascontiguousarray(data[y : y + ch, x : x + cw])


@dataclass
class Blur(ImageTransform):
    """Gaussian blur of standard deviation ``sigma`` pixels."""

    sigma: float = 1.0

    def __call__(self, data, rng):
        from scipy.ndimage import gaussian_filter

        out = gaussian_filter(data.astype(np.float32), sigma=(self.sigma, self.sigma, 0))
        return np.clip(np.round(out), 0, 255).astype(np.uint8)


@dataclass
class Noise(ImageTransform):
    """Additive Gaussian noise of standard deviation ``sigma`` grey levels (of 255)."""

    sigma: float = 4.0

    def __call__(self, data, rng):
        noisy = data.astype(np.float32) + rng.normal(0.0, self.sigma, data.shape)
        return np.clip(np.round(noisy), 0, 255).astype(np.uint8)


@dataclass
class Gamma(ImageTransform):
    """Tone curve ``out = in ** gamma`` (brightness/contrast edits)."""

    gamma: float = 0.8

    def __call__(self, data, rng):
        lut = np.clip(np.round(255.0 * (np.arange(256) / 255.0) ** self.gamma), 0, 255)
        return lut.astype(np.uint8)[data]


@dataclass
class Sharpen(ImageTransform):
    """Unsharp mask of ``amount`` (radius 1 pixel), as viewers and editors apply."""

    amount: float = 0.6

    def __call__(self, data, rng):
        from scipy.ndimage import gaussian_filter

        x = data.astype(np.float32)
        out = x + self.amount * (x - gaussian_filter(x, sigma=(1.0, 1.0, 0)))
        return np.clip(np.round(out), 0, 255).astype(np.uint8)


@dataclass
class Screenshot(ImageTransform):
    """Screenshot-style re-render: shown at ``scale`` (bilinear), sharpened, saved as JPEG 90.

    A screen grab resamples the picture to the display, the viewer sharpens it, and the
    capture is saved again, usually as a JPEG.
    """

    scale: float = 0.75
    quality: int = 90

    def __call__(self, data, rng):
        h, w = data.shape[:2]
        shown = _resize(data, (round(w * self.scale), round(h * self.scale)), "bilinear")
        return JPEG(self.quality)(Sharpen(0.5)(shown, rng), rng)
