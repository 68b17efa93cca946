"""Pictures cut from decoded frames for the image detectors, and thumbnails for the report.

Crops keep the native resolution (no resampling), so pixel-level traces survive.
"""

from __future__ import annotations

import numpy as np

from fakescope.core.media import Media
from fakescope.video.faces import FaceBox


def centre_crop(rgb: np.ndarray, size: int) -> np.ndarray:
    """The central ``size`` x ``size`` window (or the whole side when smaller), no resampling.

    Examples
    --------
    >>> centre_crop(np.zeros((720, 1280, 3), np.uint8), 512).shape
    (512, 512, 3)
    """
    h, w = rgb.shape[:2]
    ch, cw = min(h, size), min(w, size)
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    return rgb[y0 : y0 + ch, x0 : x0 + cw]


def face_crop(rgb: np.ndarray, face: FaceBox, grow: float = 1.3, step: int = 32) -> np.ndarray:
    """Square crop around a face, its side rounded to ``step`` pixels and kept inside the frame.

    Rounded sides make crops from neighbouring frames the same size, so image detectors can
    score them in one batch; no resampling, so pixel-level traces survive.

    Examples
    --------
    >>> face_crop(np.zeros((360, 640, 3), np.uint8), FaceBox(300, 100, 90, 100)).shape
    (128, 128, 3)
    >>> face_crop(np.zeros((100, 100, 3), np.uint8), FaceBox(80, 80, 40, 40)).shape
    (64, 64, 3)
    """
    h, w = rgb.shape[:2]
    side = max(step, int(round(max(face.w, face.h) * grow / step)) * step)
    side = min(side, h, w)
    cx, cy = face.center
    x0 = int(min(max(0, round(cx - side / 2)), w - side))
    y0 = int(min(max(0, round(cy - side / 2)), h - side))
    return np.ascontiguousarray(rgb[y0 : y0 + side, x0 : x0 + side])


def frame_media(path: str, rgb: np.ndarray) -> Media:
    """A crop as the image detectors take it (``path`` names the clip, the time, the face).

    Examples
    --------
    >>> frame_media("a.mp4@1.00s", np.zeros((64, 48, 3), np.uint8)).metadata["size"]
    [48, 64]
    """
    h, w = rgb.shape[:2]
    return Media(
        path=path,
        modality="image",
        data=np.ascontiguousarray(rgb),
        metadata={"format": "video-frame", "width": w, "height": h, "size": [w, h]},
    )


def shrink(rgb: np.ndarray, scale: float) -> np.ndarray:
    """``rgb`` resized by ``scale`` (area averaging with OpenCV, else Pillow's bilinear).

    Examples
    --------
    >>> shrink(np.zeros((90, 160, 3), np.uint8), 0.5).shape
    (45, 80, 3)
    """
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    try:
        import cv2
    except ImportError:
        cv2 = None
    if cv2 is not None:
        return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    from PIL import Image

    return np.asarray(Image.fromarray(rgb).resize(size, Image.BILINEAR))
