"""Temporal-consistency features of a face region: flicker and blending boundaries.

A pasted or re-rendered face is made frame by frame, so its colour and sharpness wobble against
the untouched surroundings from one frame to the next (*flicker*), and the seam where it was
blended in leaves extra gradient energy on a ring around the face (*boundary*). Both are measured
relative to the face's own surroundings, so global changes (a camera pan, an exposure change)
cancel out. A third cue is a level, not a change: a pasted face is usually blurrier than its
surroundings (*sharpness*). Pure functions over arrays; ``face`` boxes are ``(x, y, w, h)``
in pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

_EPS = 1e-6


def _grey(rgb: np.ndarray) -> np.ndarray:
    x = rgb.astype(np.float32)
    return 0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]


def laplacian_energy(grey: np.ndarray) -> np.ndarray:
    """Absolute 4-neighbour Laplacian (same shape; border set to 0): local high-frequency energy.

    Examples
    --------
    >>> float(laplacian_energy(np.ones((5, 5))).sum())
    0.0
    """
    g = grey.astype(np.float32)
    out = np.zeros_like(g)
    out[1:-1, 1:-1] = np.abs(
        4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    )
    return out


def gradient_magnitude(rgb: np.ndarray) -> np.ndarray:
    """Colour gradient magnitude (sum over channels of |dx| + |dy|), same height and width.

    Examples
    --------
    >>> img = np.zeros((4, 4, 3), np.uint8); img[:, 2:] = 10
    >>> gradient_magnitude(img)[0].tolist()
    [0.0, 30.0, 0.0, 0.0]
    """
    x = rgb.astype(np.float32)
    if x.ndim == 2:
        x = x[..., None]
    gx = np.zeros(x.shape[:2], np.float32)
    gy = np.zeros(x.shape[:2], np.float32)
    gx[:, :-1] = np.abs(np.diff(x, axis=1)).sum(axis=2)
    gy[:-1, :] = np.abs(np.diff(x, axis=0)).sum(axis=2)
    return gx + gy


def elliptic_radius(shape: tuple[int, int], face: Sequence[int]) -> np.ndarray:
    """Normalised elliptic distance from the face centre (1.0 on the ellipse inscribed in the box).

    Examples
    --------
    >>> r = elliptic_radius((10, 10), (0, 0, 10, 10))
    >>> round(float(r[5, 5]), 2), round(float(r[5, 0]), 2)
    (0.14, 0.91)
    """
    x, y, w, h = face
    cy, cx = y + h / 2.0, x + w / 2.0
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    dx = (xx + 0.5 - cx) / (w / 2.0 + _EPS)
    dy = (yy + 0.5 - cy) / (h / 2.0 + _EPS)
    return np.sqrt(dx**2 + dy**2)


def _window(face: Sequence[int], shape: tuple[int, ...], grow: float = 1.6) -> tuple[slice, slice]:
    x, y, w, h = face
    cx, cy = x + w / 2.0, y + h / 2.0
    x0, x1 = int(max(0, cx - grow * w / 2)), int(min(shape[1], cx + grow * w / 2))
    y0, y1 = int(max(0, cy - grow * h / 2)), int(min(shape[0], cy + grow * h / 2))
    return slice(y0, y1), slice(x0, x1)


def region_masks(
    shape: tuple[int, int], face: Sequence[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boolean masks: face interior (r < 0.7), seam ring (0.85 <= r <= 1.15), surround (1.2-1.5).

    ``shape`` and ``face`` are in the same coordinates. Cached: a burst of frames shares one box.
    """
    return _region_masks(tuple(int(v) for v in shape[:2]), tuple(int(v) for v in face))


@lru_cache(maxsize=16)
def _region_masks(
    shape: tuple[int, int], face: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r = elliptic_radius(shape, face)
    masks = r < 0.7, (r >= 0.85) & (r <= 1.15), (r >= 1.2) & (r <= 1.5)
    for m in masks:
        m.setflags(write=False)  # shared between callers through the cache
    return masks


def _local(rgb: np.ndarray, face: Sequence[int]) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    sy, sx = _window(face, rgb.shape)
    x, y, w, h = face
    return rgb[sy, sx], (x - sx.start, y - sy.start, w, h)


def face_statistics(rgb: np.ndarray, face: Sequence[int]) -> np.ndarray:
    """Per-frame statistics compared across frames by :func:`flicker`.

    Returns
    -------
    np.ndarray
        ``[log hf(inside/surround), mean R, G, B inside minus surround]`` (4 values).

    Examples
    --------
    >>> img = np.full((40, 40, 3), 100, np.uint8); img[10:30, 10:30] = 150
    >>> face_statistics(img, (10, 10, 20, 20))[1:].round().tolist()
    [46.0, 46.0, 46.0]
    """
    patch, local = _local(rgb, face)
    inner, _, outer = region_masks(patch.shape[:2], local)
    if inner.sum() < 4 or outer.sum() < 4:
        return np.full(4, np.nan)
    hf = laplacian_energy(_grey(patch))
    hf_ratio = np.log((hf[inner].mean() + 1.0) / (hf[outer].mean() + 1.0))
    x = patch.astype(np.float32)
    colour = x[inner].mean(axis=0) - x[outer].mean(axis=0)
    return np.concatenate([[hf_ratio], colour]).astype(float)


def flicker(frames: Sequence[np.ndarray], face: Sequence[int]) -> dict[str, float]:
    """Frame-to-frame wobble of face-vs-surround sharpness and colour over consecutive frames.

    Parameters
    ----------
    frames : sequence of np.ndarray
        Two or more consecutive HxWx3 RGB frames of the same size.
    face : (x, y, w, h)
        Face box, assumed still across these few frames (they are 1/fps apart).

    Returns
    -------
    dict
        ``hf``: mean absolute change of the log sharpness ratio; ``colour``: mean absolute change
        (grey levels) of the face-minus-surround colour. NaN when fewer than two frames.

    Examples
    --------
    >>> a = np.full((40, 40, 3), 100, np.uint8)
    >>> b = a.copy(); b[12:28, 12:28] += 20
    >>> out = flicker([a, b, a], (10, 10, 20, 20))
    >>> out["colour"] > 10, flicker([a, a], (10, 10, 20, 20))["colour"]
    (True, 0.0)
    """
    if len(frames) < 2:
        return {"hf": float("nan"), "colour": float("nan")}
    return flicker_from_statistics(np.stack([face_statistics(f, face) for f in frames]))


def flicker_from_statistics(stats: np.ndarray) -> dict[str, float]:
    """:func:`flicker` from precomputed per-frame :func:`face_statistics` rows (F x 4).

    Examples
    --------
    >>> flicker_from_statistics(np.array([[0.0, 1, 1, 1], [0.5, 3, 3, 3]]))
    {'hf': 0.5, 'colour': 2.0}
    """
    if len(stats) < 2:
        return {"hf": float("nan"), "colour": float("nan")}
    d = np.abs(np.diff(stats, axis=0))
    return {
        "hf": float(np.nanmean(d[:, 0])) if np.isfinite(d[:, 0]).any() else float("nan"),
        "colour": float(np.nanmean(d[:, 1:])) if np.isfinite(d[:, 1:]).any() else float("nan"),
    }


def sharpness_ratio(rgb: np.ndarray, face: Sequence[int]) -> float:
    """Log ratio of high-frequency energy inside the face to that of its surroundings.

    A face that was resampled, warped or generated at a lower resolution and pasted in is
    blurrier than the untouched pixels around it (negative values); a real face in focus is
    about as sharp as its surroundings or sharper.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> img = np.clip(120 + rng.normal(0, 15, (60, 60, 3)), 0, 255).astype(np.uint8)
    >>> blurred = img.copy(); blurred[20:40, 20:40] = 120
    >>> sharpness_ratio(blurred, (15, 15, 30, 30)) < sharpness_ratio(img, (15, 15, 30, 30))
    True
    """
    return float(face_statistics(rgb, face)[0])


def measure_face(
    rgb: np.ndarray, burst: Sequence[np.ndarray], face: Sequence[int]
) -> tuple[dict[str, float] | None, float, float]:
    """All per-frame consistency measurements of one face: flicker, seam and sharpness.

    Returns
    -------
    flicker : dict or None
        :func:`flicker` over ``[rgb, *burst]`` (None without a burst).
    boundary : float
        :func:`boundary_energy` of ``rgb``.
    sharpness : float
        :func:`sharpness_ratio` of ``rgb``.

    Examples
    --------
    >>> img = np.random.default_rng(0).integers(0, 255, (60, 60, 3), dtype=np.uint8)
    >>> fl, seam, sharp = measure_face(img, [img], (15, 15, 30, 30))
    >>> fl["colour"], round(seam, 2) == round(boundary_energy(img, (15, 15, 30, 30)), 2)
    (0.0, True)
    """
    stats = np.stack([face_statistics(f, face) for f in [rgb, *burst]])
    fl = flicker_from_statistics(stats) if len(burst) else None
    return fl, boundary_energy(rgb, face), float(stats[0, 0])


def boundary_energy(rgb: np.ndarray, face: Sequence[int]) -> float:
    """Log ratio of colour-gradient energy on the seam ring to that of interior and surround.

    A blended-in face leaves a faint seam where the blending mask falls off; real faces have
    edges there too (jaw, hair), so this is weak alone and is read together with flicker.

    Examples
    --------
    >>> img = np.full((60, 60, 3), 120, np.uint8)
    >>> r = elliptic_radius((60, 60), (15, 15, 30, 30))
    >>> seam = img.copy(); seam[r < 1.0] = 150
    >>> boundary_energy(seam, (15, 15, 30, 30)) > boundary_energy(img, (15, 15, 30, 30))
    True
    """
    patch, local = _local(rgb, face)
    inner, ring, outer = region_masks(patch.shape[:2], local)
    if inner.sum() < 4 or ring.sum() < 4 or outer.sum() < 4:
        return float("nan")
    g = gradient_magnitude(patch)
    reference = 0.5 * (g[inner].mean() + g[outer].mean())
    return float(np.log((g[ring].mean() + 1.0) / (reference + 1.0)))
