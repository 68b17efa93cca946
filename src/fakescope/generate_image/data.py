"""Training data for ``fakescope train generator``: a folder with one sub-folder per class.

Examples
--------
>>> import tempfile, pathlib
>>> from PIL import Image
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for cls in ("cat", "dog"):
...     (root / cls).mkdir()
...     Image.new("RGB", (40, 30), (200, 10, 10)).save(root / cls / "a.png")
>>> ds = load_class_folders(root, resolution=16)
>>> ds.images.shape, ds.class_names, ds.channels
((2, 3, 16, 16), ['cat', 'dog'], 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif"}


class DataError(ValueError):
    """The training folder cannot be used (missing, no classes, unreadable images)."""


@dataclass
class ClassImages:
    """Images as float32 (N, C, R, R) in [-1, 1], labels (N,), class names in label order."""

    images: np.ndarray
    labels: np.ndarray
    class_names: list[str]
    channels: int
    skipped: list[str]


def _square(im, resolution: int):
    """Centre-crop to a square, then resize (area filter when shrinking)."""
    from PIL import Image

    w, h = im.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    im = im.crop((left, top, left + side, top + side))
    if side != resolution:
        method = Image.Resampling.BOX if side > resolution else Image.Resampling.BILINEAR
        im = im.resize((resolution, resolution), method)
    return im


def load_class_folders(
    root: str | Path, resolution: int = 32, max_per_class: int | None = None
) -> ClassImages:
    """Read ``root/<class>/*.png|jpg|...`` into arrays (grayscale kept as one channel).

    The data are grayscale (one channel) when every image is mode "L"/"1"/"I", else RGB.
    Unreadable files are skipped and listed in ``skipped``; no class, or a class without a readable
    image, is a :class:`DataError` naming the folder.
    """
    from PIL import Image, UnidentifiedImageError

    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: not a folder (give a folder with one sub-folder per class)")
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(class_dirs) < 1:
        raise DataError(f"{root}: no class sub-folders (expected e.g. {root}/cat/*.png)")
    files: list[tuple[Path, int]] = []
    for label, d in enumerate(class_dirs):
        found = sorted(p for p in d.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        if max_per_class is not None:
            found = found[:max_per_class]
        if not found:
            raise DataError(
                f"{d}: class folder has no images ({', '.join(sorted(IMAGE_SUFFIXES))})"
            )
        files += [(p, label) for p in found]
    opened, labels, skipped = [], [], []
    for path, label in files:
        try:
            with Image.open(path) as im:
                im.load()
                opened.append(im.copy())
                labels.append(label)
        except (OSError, UnidentifiedImageError, ValueError) as exc:
            skipped.append(f"{path}: {exc}")
    for label, d in enumerate(class_dirs):
        if label not in labels:
            raise DataError(f"{d}: no readable image in this class folder")
    gray = all(im.mode in ("L", "1", "I", "I;16") for im in opened)
    mode = "L" if gray else "RGB"
    arrays = [np.asarray(_square(im.convert(mode), resolution), np.float32) for im in opened]
    x = np.stack(arrays)
    x = x[:, None] if gray else x.transpose(0, 3, 1, 2)
    y = np.asarray(labels, np.int64)
    return ClassImages(
        images=(x / 127.5 - 1.0).astype(np.float32),
        labels=y,
        class_names=[d.name for d in class_dirs],
        channels=1 if gray else 3,
        skipped=skipped,
    )
