"""From a decoded Pillow image to the RGB pixels the detectors analyse, safely.

Input-safety rules applied to every picture, whether it came from a file or from memory:

- a picture larger than :data:`MAX_ANALYSIS_SIDE` on a side is reduced to its centre region of
  that size *before* conversion, so a 10000 x 9999 PNG costs one decode, not gigabytes of
  float copies in each detector. A crop, not a resize: resampling would erase the up-sampling
  traces the detectors measure, and every shipped content detector already reads only a centre
  region smaller than this (spectrum 256 px, residual CNN 1536 px), so their scores do not
  change;
- float pictures with NaN or infinite values are refused rather than scored;
- a picture of one flat colour is flagged: there is nothing in it for a content detector.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fakescope.core.media import Media, MediaError

#: Longest side analysed; larger pictures are reduced to their centre region of this size.
MAX_ANALYSIS_SIDE = 4096
#: A picture whose channels each span at most this many grey levels is "flat".
FLAT_LEVELS = 2


class UnusablePixels(ValueError):
    """The pixel values cannot be analysed (NaN, an unsupported colour mode, ...)."""


def analysis_crop(im: Any) -> tuple[Any, dict[str, Any] | None]:
    """The centre region of at most :data:`MAX_ANALYSIS_SIDE` a side, and a note of what was
    kept (``None`` when the whole picture is kept).

    Examples
    --------
    >>> from PIL import Image
    >>> part, note = analysis_crop(Image.new("L", (5000, 100)))
    >>> part.size, note["analysed_region"]
    ((4096, 100), [452, 0, 4548, 100])
    """
    w, h = im.size
    if w <= MAX_ANALYSIS_SIDE and h <= MAX_ANALYSIS_SIDE:
        return im, None
    cw, ch = min(w, MAX_ANALYSIS_SIDE), min(h, MAX_ANALYSIS_SIDE)
    left, top = (w - cw) // 2, (h - ch) // 2
    box = (left, top, left + cw, top + ch)
    note = {
        "analysed_region": list(box),
        "analysis_note": f"only the centre {cw} x {ch} of the {w} x {h} picture was analysed",
    }
    return im.crop(box), note


def to_rgb_array(im: Any) -> np.ndarray:
    """Convert any Pillow mode to an HxWx3 uint8 RGB array.

    16-bit and float images are scaled to 8 bits; transparency is composited on white so that
    a transparent region does not become arbitrary colours.

    Raises
    ------
    UnusablePixels
        Float pixels that are NaN or infinite; colour modes Pillow cannot turn into RGB.

    Examples
    --------
    >>> from PIL import Image
    >>> to_rgb_array(Image.new("LA", (2, 1), (0, 0))).tolist()
    [[[255, 255, 255], [255, 255, 255]]]
    """
    from PIL import Image

    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.float64)
        top = 65535.0 if arr.max() > 255 else 255.0
        g = np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(g[..., None], 3, axis=2)
    if mode == "F":
        arr = np.asarray(im, dtype=np.float64)
        finite = np.isfinite(arr)
        if not finite.all():
            share = 1.0 - float(finite.mean())
            raise UnusablePixels(
                f"{share:.0%} of its float pixel values are NaN or infinite; it holds "
                "measurements, not a picture that can be judged"
            )
        lo, hi = float(arr.min()), float(arr.max())
        g = (
            np.zeros(arr.shape, np.uint8)
            if hi <= lo
            else ((arr - lo) / (hi - lo) * 255).astype(np.uint8)
        )
        return np.repeat(g[..., None], 3, axis=2)
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        mode == "P" and "transparency" in im.info
    )
    try:
        if has_alpha:
            rgba = im.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
        if mode != "RGB":
            im = im.convert("RGB")
    except ValueError as exc:
        raise UnusablePixels(f"its colour mode {mode} cannot be converted to RGB ({exc})") from None
    return np.asarray(im)


def flat_reason(rgb: np.ndarray) -> str | None:
    """Why a picture cannot be judged when it is (almost) one flat colour, else ``None``.

    Examples
    --------
    >>> flat_reason(np.full((64, 64, 3), 200, np.uint8))
    'flat image: every pixel has the same colour, so there is nothing to judge'
    >>> flat_reason(np.arange(64 * 64 * 3, dtype=np.uint8).reshape(64, 64, 3)) is None
    True
    """
    if rgb.size == 0:
        return "the image has no pixels"
    flat = rgb.reshape(-1, rgb.shape[-1])
    spread = int((flat.max(axis=0).astype(np.int16) - flat.min(axis=0)).max())
    if spread > FLAT_LEVELS:
        return None
    if spread == 0:
        return "flat image: every pixel has the same colour, so there is nothing to judge"
    return (
        f"flat image: the pixels differ by at most {spread} grey levels, so there is nothing "
        "to judge"
    )


def array_to_image(arr: Any) -> Any:
    """A NumPy picture (H x W, or H x W x 1/3/4 channels, RGB order) as a Pillow image.

    uint8 is taken as it is, uint16 as 16-bit, bool as black and white, floats in [0, 1]
    (or [0, 255]) are scaled to 8 bits.

    Raises
    ------
    UnusablePixels
        Wrong number of dimensions or channels, non-finite or out-of-range values.

    Examples
    --------
    >>> array_to_image(np.zeros((4, 6, 3))).size
    (6, 4)
    """
    from PIL import Image

    a = np.asarray(arr)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)):
        raise UnusablePixels(
            f"an array of shape {a.shape} is not a picture (H x W, or H x W x 1, 3 or 4); "
            'pass audio as {"raw": samples, "sampling_rate": rate}'
        )
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise UnusablePixels("the array has no pixels")
    if a.dtype == np.bool_:
        a = a.astype(np.uint8) * 255
    elif a.dtype == np.uint16 and a.ndim == 2:
        return Image.fromarray(a.astype(np.int32), mode="I")
    elif a.dtype != np.uint8:
        if not np.issubdtype(a.dtype, np.number) or np.iscomplexobj(a):
            raise UnusablePixels(f"an array of {a.dtype} is not a picture")
        a = a.astype(np.float64)
        if not np.isfinite(a).all():
            raise UnusablePixels("the array holds NaN or infinite values")
        lo, hi = float(a.min()), float(a.max())
        if lo < 0 or hi > 255:
            raise UnusablePixels(
                f"its values run from {lo:g} to {hi:g}; give uint8, or floats in [0, 1]"
            )
        scale = 255.0 if hi <= 1.0 else 1.0
        a = np.clip(a * scale + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(np.ascontiguousarray(a))


def picture_media(im: Any, shown: str, metadata: dict[str, Any]) -> Media:
    """The analysed pixels of a decoded picture: its centre if it is huge, flagged if flat."""
    part, note = analysis_crop(im)
    try:
        rgb = to_rgb_array(part)
    except UnusablePixels as exc:
        raise MediaError(shown, f"cannot be analysed: {exc}") from None
    if note:
        metadata.update(note)
    return Media(shown, "image", rgb, metadata, abstain=flat_reason(rgb))
