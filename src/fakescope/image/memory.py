"""Pictures handed to the scanner in memory: PIL images and NumPy arrays."""

from __future__ import annotations

from typing import Any

import numpy as np

from fakescope.core.media import Media, MediaError
from fakescope.image.loader import MAX_PIXELS, extract_metadata
from fakescope.image.pixels import UnusablePixels, array_to_image, picture_media


def image_from_object(obj: Any, name: str) -> list[Media] | None:
    """Converter for in-memory pictures: a ``PIL.Image.Image`` or a NumPy array (see
    :func:`fakescope.image.pixels.array_to_image`); ``None`` for anything else.

    Examples
    --------
    >>> image_from_object(np.zeros((80, 60, 3), np.uint8), "<array #1>")[0].data.shape
    (80, 60, 3)
    >>> image_from_object({"text": "hi"}, "<text #1>") is None
    True
    """
    from PIL import Image

    if isinstance(obj, np.ndarray):
        try:
            im = array_to_image(obj)
        except UnusablePixels as exc:
            raise MediaError(name, f"cannot be analysed: {exc}") from None
        fmt = "array"
    elif isinstance(obj, Image.Image):
        im, fmt = obj, obj.format or "in-memory"
        w, h = im.size
        if w * h > MAX_PIXELS:
            raise MediaError(name, f"the image is too large to analyse ({w} x {h})")
        try:
            im.load()
        except (OSError, ValueError, EOFError) as exc:
            raise MediaError(name, f"the image data cannot be read ({exc})") from None
    else:
        return None
    if min(im.size) <= 0:
        raise MediaError(name, "the image has no pixels")
    metadata = extract_metadata(im, b"", fmt)
    metadata["source"] = "memory"
    return [picture_media(im, name, metadata)]
