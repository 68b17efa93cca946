"""Read a folder of "normal" images for training: any domain, nothing forensic-specific."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakescope.core.media import MediaError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm")


def list_images(folder: Path) -> list[Path]:
    """All image files under ``folder`` (recursive), sorted for reproducibility.

    Raises
    ------
    MediaError
        If the folder does not exist or holds no image file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise MediaError(str(folder), "is not a folder of images")
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS
    )
    if not files:
        raise MediaError(str(folder), f"holds no image files ({', '.join(IMAGE_EXTENSIONS)})")
    return files


def read_rgb(path: Path, max_side: int = 1024) -> np.ndarray:
    """Decode an image file to HxWx3 uint8 RGB, centre-cropped (never resized) to ``max_side``.

    Cropping keeps the native pixel statistics the model learns; it only bounds memory.

    Raises
    ------
    MediaError
        If the file cannot be decoded.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.load()
            rgb = np.asarray(im.convert("RGB"))
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise MediaError(
            str(path), f"cannot be read as an image ({exc.__class__.__name__})"
        ) from None
    h, w = rgb.shape[:2]
    top, left = max((h - max_side) // 2, 0), max((w - max_side) // 2, 0)
    return np.ascontiguousarray(rgb[top : top + max_side, left : left + max_side])


def load_folder(
    folder: Path, patch: int, max_side: int = 1024
) -> tuple[list[np.ndarray], list[str]]:
    """Decode every usable image in ``folder``; returns (images, skipped-file messages).

    Files that cannot be decoded or are smaller than one patch are skipped with a message, so
    one bad file does not stop a long training run.
    """
    images: list[np.ndarray] = []
    skipped: list[str] = []
    for path in list_images(folder):
        try:
            img = read_rgb(path, max_side)
        except MediaError as exc:
            skipped.append(str(exc))
            continue
        if img.shape[0] < patch or img.shape[1] < patch:
            skipped.append(f"{path}: smaller than one {patch}x{patch} patch")
            continue
        images.append(img)
    return images, skipped


def split_holdout(
    n: int, fraction: float, seed: int, minimum: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Split ``range(n)`` into (train, held-out) index arrays; held-out calibrates the score.

    Examples
    --------
    >>> tr, ho = split_holdout(10, 0.2, seed=0)
    >>> len(tr), len(ho), sorted(set(tr) | set(ho)) == list(range(10))
    (8, 2, True)
    >>> len(split_holdout(4, 0.1, seed=0)[1])
    2
    """
    if n < minimum + 1:
        raise ValueError(
            f"need at least {minimum + 1} usable images: {minimum} are held out to calibrate "
            f"the score and the rest are trained on (found {n})"
        )
    k = min(max(int(round(n * fraction)), minimum), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[k:]), np.sort(order[:k])
