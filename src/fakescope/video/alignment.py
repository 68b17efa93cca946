"""Align a source face onto a target face by their landmarks, and refuse when that fails.

A swap is only as good as its alignment: pasting an upright face onto a tilted one, or onto a box
that is not a face at all, makes garbage that no detector should learn from. The source's five
landmarks are mapped onto the target's by a similarity transform (rotation, uniform scale,
shift; no mirroring), and the swap is refused when the target's landmarks do not look like a face
(eyes above nose above mouth, not rolled past ``MAX_ROLL``) or when the best transform still
leaves them far apart (``MAX_ALIGN_ERROR`` of the eye distance). Pure functions over arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

#: Root-mean-square landmark misfit after alignment, as a share of the target's eye distance.
#: The same face tilted and mirrored fits within 0.02; mirrored landmarks (a wrong detection)
#: leave about 0.6. Different people's five points fit within ~0.15.
MAX_ALIGN_ERROR = 0.25
#: Largest head roll (degrees) a swap accepts; beyond it the landmarks are likely mislabelled.
MAX_ROLL = 60.0
MIN_EYE_DISTANCE = 6.0


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares rotation + uniform scale + shift mapping ``src`` points onto ``dst``
    (Umeyama 1991, reflections excluded); a 2x3 matrix for ``cv2.warpAffine``.

    Examples
    --------
    >>> src = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> m = similarity_transform(src, src * 2 + 5)
    >>> np.round(m, 6).tolist()
    [[2.0, 0.0, 5.0], [0.0, 2.0, 5.0]]
    """
    src, dst = np.asarray(src, np.float64), np.asarray(dst, np.float64)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s0, d0 = src - mu_s, dst - mu_d
    var = (s0**2).sum() / len(src)
    if var <= 0:
        raise ValueError("the source landmarks coincide")
    u, sig, vt = np.linalg.svd(d0.T @ s0 / len(src))
    sign = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        sign[-1] = -1.0  # the best fit would mirror: take the best rotation instead
    rot = u @ np.diag(sign) @ vt
    scale = float((sig * sign).sum() / var)
    shift = mu_d - scale * rot @ mu_s
    return np.hstack([scale * rot, shift[:, None]])


def apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Map (N, 2) points through a 2x3 affine matrix."""
    return np.asarray(points, np.float64) @ matrix[:, :2].T + matrix[:, 2]


def roll_degrees(landmarks: np.ndarray) -> float:
    """Angle of the line from the (image-)left eye to the right eye; 0 for an upright face."""
    (lx, ly), (rx, ry) = landmarks[0], landmarks[1]
    return math.degrees(math.atan2(ry - ly, rx - lx))


def landmark_problem(landmarks: np.ndarray) -> str | None:
    """Why five landmarks do not look like a face a swap can use, or ``None`` if they do.

    Examples
    --------
    >>> upright = np.array([[30, 40], [70, 40], [50, 60], [35, 80], [65, 80]], float)
    >>> landmark_problem(upright) is None
    True
    >>> landmark_problem(upright[[1, 0, 2, 4, 3]])  # left and right swapped
    'the face is rolled 180 degrees (limit 60): its landmarks are not trusted'
    """
    pts = np.asarray(landmarks, np.float64)
    eye_distance = float(np.linalg.norm(pts[1] - pts[0]))
    if eye_distance < MIN_EYE_DISTANCE:
        return f"the face is too small (eyes {eye_distance:.0f} px apart)"
    roll = roll_degrees(pts)
    if abs(roll) > MAX_ROLL:
        return (
            f"the face is rolled {abs(roll):.0f} degrees (limit {MAX_ROLL:.0f}): "
            "its landmarks are not trusted"
        )
    # In the face's own frame (eyes level): eyes above nose above mouth, mouth corners in order.
    c, s = math.cos(math.radians(-roll)), math.sin(math.radians(-roll))
    local = (pts - pts[:2].mean(0)) @ np.array([[c, s], [-s, c]]) / eye_distance
    nose_y, mouth_y = local[2, 1], local[3:5, 1].mean()
    if not 0.1 < nose_y < mouth_y:
        return "the landmarks are not in face order (eyes, nose, mouth from top to bottom)"
    if local[3, 0] >= local[4, 0] or abs(local[2, 0]) > 0.8:
        return "the mouth corners or the nose are out of place"
    return None


@dataclass
class Alignment:
    """How a source face maps onto a target face, and whether the swap may go ahead."""

    matrix: np.ndarray
    error: float
    problem: str | None = None
    target: np.ndarray = field(default_factory=lambda: np.zeros((5, 2)))

    @property
    def ok(self) -> bool:
        return self.problem is None


def align(source: np.ndarray, target: np.ndarray) -> Alignment:
    """Fit the source landmarks onto the target ones and judge the fit.

    Examples
    --------
    >>> face = np.array([[30, 40], [70, 40], [50, 60], [35, 80], [65, 80]], float)
    >>> theta = math.radians(25)
    >>> turned = face @ np.array([[math.cos(theta), math.sin(theta)],
    ...                           [-math.sin(theta), math.cos(theta)]]) * 1.5 + 20
    >>> a = align(face, turned)
    >>> a.ok, round(a.error, 6)
    (True, 0.0)
    >>> align(face, turned[[1, 0, 2, 4, 3]]).ok  # mirrored landmarks: refused
    False
    """
    source, target = np.asarray(source, np.float64), np.asarray(target, np.float64)
    problem = landmark_problem(target)
    matrix = similarity_transform(source, target)
    eye_distance = max(float(np.linalg.norm(target[1] - target[0])), 1e-6)
    misfit = apply(matrix, source) - target
    error = float(np.sqrt((misfit**2).sum(1).mean()) / eye_distance)
    if problem is None and error > MAX_ALIGN_ERROR:
        problem = (
            f"the faces do not line up (landmark misfit {error:.2f} of the eye distance, "
            f"limit {MAX_ALIGN_ERROR})"
        )
    return Alignment(matrix, error, problem, target)


def face_mask(shape: tuple[int, int], landmarks: np.ndarray, size: float = 1.0,
              feather: float = 0.15) -> np.ndarray:  # fmt: skip
    """Soft mask in [0, 1] over the face the landmarks describe: an ellipse turned with the
    head, covering brows to chin and cheek to cheek, fading out at its edge.

    Examples
    --------
    >>> pts = np.array([[30, 40], [70, 40], [50, 60], [35, 80], [65, 80]], float)
    >>> m = face_mask((120, 100), pts)
    >>> float(m[60, 50]), float(m[0, 0])
    (1.0, 0.0)
    """
    pts = np.asarray(landmarks, np.float64)
    eyes, mouth = pts[:2].mean(0), pts[3:5].mean(0)
    center = eyes + 0.55 * (mouth - eyes)
    eye_distance = float(np.linalg.norm(pts[1] - pts[0]))
    ax, ay = 1.05 * eye_distance * size, 1.45 * eye_distance * size
    roll = math.radians(roll_degrees(pts))
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    dx, dy = xx + 0.5 - center[0], yy + 0.5 - center[1]
    u = (dx * math.cos(roll) + dy * math.sin(roll)) / max(ax, 1e-3)
    v = (-dx * math.sin(roll) + dy * math.cos(roll)) / max(ay, 1e-3)
    t = np.clip((1.0 - np.sqrt(u * u + v * v)) / max(feather, 1e-3) + 0.5, 0.0, 1.0)
    return (t * t * (3 - 2 * t)).astype(np.float32)


def paste_aligned(
    frame: np.ndarray,
    alignment: Alignment,
    source_image: np.ndarray,
    *,
    blur: float = 0.6,
    mask_size: float = 0.95,
    feather: float = 0.15,
) -> np.ndarray:
    """Warp ``source_image`` by ``alignment`` onto ``frame``, colour-matched inside the face mask.

    Only the region around the target face is warped, so a 4K frame costs what a face does.
    """
    import cv2

    h, w = frame.shape[:2]
    target = alignment.target
    reach = 2.5 * float(np.linalg.norm(target[1] - target[0]))
    x0, y0 = (int(max(0, math.floor(v - reach))) for v in target.min(0))
    x1 = int(min(w, math.ceil(target[:, 0].max() + reach)))
    y1 = int(min(h, math.ceil(target[:, 1].max() + reach)))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return frame
    matrix = alignment.matrix.copy()
    matrix[:, 2] -= (x0, y0)
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpAffine(source_image.astype(np.float32), matrix, size, flags=cv2.INTER_LINEAR)
    valid = cv2.warpAffine(np.ones(source_image.shape[:2], np.float32), matrix, size) > 0.99
    patch = frame[y0:y1, x0:x1].astype(np.float32)
    mask = face_mask(patch.shape[:2], target - (x0, y0), mask_size, feather) * valid
    inside = mask > 0.5
    if inside.sum() > 8:
        mu_s, sd_s = warped[inside].mean(0), warped[inside].std(0) + 1e-3
        mu_t, sd_t = patch[inside].mean(0), patch[inside].std(0) + 1e-3
        # Reinhard colour transfer, with the contrast change bounded so a flat or dark target
        # region cannot wash the pasted face out.
        warped = (warped - mu_s) * np.clip(sd_t / sd_s, 0.5, 2.0) + mu_t
    warped = np.clip(warped, 0, 255)
    if blur >= 0.05:
        warped = cv2.GaussianBlur(warped, (0, 0), sigmaX=blur)
    out = frame.copy()
    m3 = mask[..., None]
    out[y0:y1, x0:x1] = np.clip(m3 * warped + (1 - m3) * patch + 0.5, 0, 255).astype(np.uint8)
    return out


@dataclass
class LandmarkTracker:
    """Smooths landmarks over frames and bridges short gaps where the detector misses.

    Examples
    --------
    >>> t = LandmarkTracker()
    >>> pts = np.zeros((5, 2))
    >>> t.update(pts).shape, t.update(None).shape
    ((5, 2), (5, 2))
    """

    smoothing: float = 0.5
    max_gap: int = 15
    _points: np.ndarray | None = field(default=None, repr=False)
    _missed: int = 0

    def update(self, points: np.ndarray | None) -> np.ndarray | None:
        if points is not None:
            new = np.asarray(points, np.float64)
            moved = self._points is None or np.linalg.norm(new - self._points, axis=1).max() > (
                0.5 * np.linalg.norm(new[1] - new[0])
            )
            # A jump (a new face, a cut) restarts the track instead of averaging two faces.
            self._points = (
                new if moved else self.smoothing * self._points + (1 - self.smoothing) * new
            )
            self._missed = 0
        else:
            self._missed += 1
            if self._missed > self.max_gap:
                self._points = None
        return self.current()

    def current(self) -> np.ndarray | None:
        return None if self._points is None else self._points.copy()
