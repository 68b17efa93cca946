"""Patch geometry and the model's input representation: pure functions over NumPy arrays.

A full image is scored as a grid of square patches at its native resolution (resampling would
change exactly the pixel statistics the model learned); training draws random patches.
"""

from __future__ import annotations

import math

import numpy as np

REPRESENTATIONS = ("residual", "rgb")


def grid_positions(
    height: int, width: int, patch: int, max_patches: int = 256
) -> list[tuple[int, int]]:
    """Top-left corners of a regular grid of ``patch`` squares covering an image.

    The stride starts at half a patch (each pixel seen by up to four patches) and grows for
    large images so that at most about ``max_patches`` patches are scored.

    Parameters
    ----------
    height, width : int
        Image size in pixels; both must be >= ``patch``.
    patch : int
        Patch side.
    max_patches : int
        Upper bound on the grid size (keeps the cost per image bounded).

    Returns
    -------
    list of (y, x)

    Examples
    --------
    >>> len(grid_positions(64, 64, 32))
    9
    >>> grid_positions(32, 40, 32)
    [(0, 0), (0, 8)]
    """
    if height < patch or width < patch:
        raise ValueError(f"image {width}x{height} is smaller than one {patch}x{patch} patch")
    stride = max(patch // 2, 1)
    while True:
        ys = _axis(height, patch, stride)
        xs = _axis(width, patch, stride)
        if len(ys) * len(xs) <= max_patches or stride >= max(height, width):
            return [(y, x) for y in ys for x in xs]
        stride = int(math.ceil(stride * 1.25))


def _axis(length: int, patch: int, stride: int) -> list[int]:
    starts = list(range(0, length - patch + 1, stride))
    if starts[-1] != length - patch:
        starts.append(length - patch)  # the last patch touches the border
    return starts


def extract_patches(image: np.ndarray, positions: list[tuple[int, int]], patch: int) -> np.ndarray:
    """Cut ``patch`` squares at ``positions`` from an HxWx3 image -> Nxpatchxpatchx3 (same dtype).

    Examples
    --------
    >>> img = np.zeros((40, 40, 3), np.uint8)
    >>> extract_patches(img, [(0, 0), (8, 8)], 32).shape
    (2, 32, 32, 3)
    """
    return np.stack([image[y : y + patch, x : x + patch] for y, x in positions])


def random_patches(
    images: list[np.ndarray], n: int, patch: int, rng: np.random.Generator
) -> np.ndarray:
    """Draw ``n`` random ``patch`` squares from a list of HxWx3 images (uniform over images).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> random_patches([np.zeros((40, 50, 3), np.uint8)], 5, 32, rng).shape
    (5, 32, 32, 3)
    """
    which = rng.integers(0, len(images), size=n)
    out = np.empty((n, patch, patch, 3), dtype=np.uint8)
    for i, k in enumerate(which):
        img = images[k]
        y = int(rng.integers(0, img.shape[0] - patch + 1))
        x = int(rng.integers(0, img.shape[1] - patch + 1))
        out[i] = img[y : y + patch, x : x + patch]
    return out


def high_pass(patches: np.ndarray) -> np.ndarray:
    """Pixel minus the mean of its 3x3 neighbourhood (edge-replicated), per channel.

    Parameters
    ----------
    patches : ndarray, NxPxPx3, values in [0, 255]

    Returns
    -------
    ndarray, float32, same shape

    Examples
    --------
    >>> float(np.abs(high_pass(np.full((1, 8, 8, 3), 7.0))).max())
    0.0
    """
    x = patches.astype(np.float32)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    h, w = x.shape[1], x.shape[2]
    box = np.zeros_like(x)
    for dy in range(3):
        for dx in range(3):
            box += padded[:, dy : dy + h, dx : dx + w]
    return x - box / 9.0


def to_model_input(patches: np.ndarray, representation: str = "residual") -> np.ndarray:
    """uint8 NxPxPx3 patches -> float32 Nx3xPxP network input in [-1, 1].

    ``"rgb"`` is the plain image scaled to [-1, 1], as in the f-AnoGAN paper. ``"residual"``
    is the 3x3 high-pass residual, normalised per patch to unit spread and divided by 3: the
    model then describes the fine texture of real pixels (sensor noise, optics, compression)
    whatever the patch's brightness or contrast. In that representation an over-smooth or
    periodically interpolated patch (up-sampled, decoded from a latent) looks structured where
    real pixels look noisy, so it becomes hard to reconstruct instead of trivially easy.

    Examples
    --------
    >>> p = np.random.default_rng(0).integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    >>> x = to_model_input(p)
    >>> x.shape, bool(x.min() >= -1 and x.max() <= 1)
    ((2, 3, 16, 16), True)
    """
    if representation == "rgb":
        x = patches.astype(np.float32) / 127.5 - 1.0
    elif representation == "residual":
        r = high_pass(patches)
        # 1 grey level floor: a flat patch stays flat instead of amplifying rounding noise.
        spread = np.sqrt((r**2).mean(axis=(1, 2, 3), keepdims=True)) + 1.0
        x = np.clip(r / spread / 3.0, -1.0, 1.0)
    else:
        raise ValueError(f"unknown representation {representation!r}; use one of {REPRESENTATIONS}")
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2), dtype=np.float32)
