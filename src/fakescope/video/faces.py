"""Find faces in frames with OpenCV's Haar cascades (shipped inside ``opencv-python-headless``).

Haar cascades are old but install offline, need no weights download and run in a few
milliseconds on a downscaled frame, which is what a 2-core scan of a 720p clip can afford.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CASCADE = "haarcascade_frontalface_default.xml"


@dataclass(frozen=True)
class FaceBox:
    """An axis-aligned face box in pixel coordinates of the frame it was found in.

    Examples
    --------
    >>> FaceBox(10, 20, 30, 40).scaled(2.0)
    FaceBox(x=20, y=40, w=60, h=80, score=1.0)
    """

    x: int
    y: int
    w: int
    h: int
    score: float = 1.0

    @property
    def area(self) -> int:
        return self.w * self.h

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.w / 2.0, self.y + self.h / 2.0

    def scaled(self, factor: float) -> FaceBox:
        return FaceBox(
            int(round(self.x * factor)),
            int(round(self.y * factor)),
            int(round(self.w * factor)),
            int(round(self.h * factor)),
            self.score,
        )

    def expanded(self, factor: float, shape: tuple[int, ...]) -> FaceBox:
        """Grow around the centre by ``factor`` and clip to an image of ``shape`` (H, W, ...).

        Examples
        --------
        >>> FaceBox(40, 40, 20, 20).expanded(2.0, (100, 100))
        FaceBox(x=30, y=30, w=40, h=40, score=1.0)
        >>> FaceBox(0, 0, 20, 20).expanded(2.0, (100, 100))
        FaceBox(x=0, y=0, w=30, h=30, score=1.0)
        """
        cx, cy = self.center
        w, h = self.w * factor, self.h * factor
        x0 = int(round(max(0.0, cx - w / 2)))
        y0 = int(round(max(0.0, cy - h / 2)))
        x1 = int(round(min(float(shape[1]), cx + w / 2)))
        y1 = int(round(min(float(shape[0]), cy + h / 2)))
        return FaceBox(x0, y0, max(0, x1 - x0), max(0, y1 - y0), self.score)

    def crop(self, image: np.ndarray) -> np.ndarray:
        return image[self.y : self.y + self.h, self.x : self.x + self.w]

    def to_list(self) -> list[int]:
        return [self.x, self.y, self.w, self.h]


def iou(a: FaceBox, b: FaceBox) -> float:
    """Intersection over union of two boxes.

    Examples
    --------
    >>> iou(FaceBox(0, 0, 10, 10), FaceBox(5, 0, 10, 10))
    0.3333333333333333
    """
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.x + a.w, b.x + b.w), min(a.y + a.h, b.y + b.h)
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


def opencv_available() -> bool:
    """True when OpenCV (and so the face finder) can be imported."""
    try:
        import cv2  # noqa: F401
    except ImportError:
        return False
    return True


class FaceFinder:
    """Frontal-face detector over RGB frames.

    Parameters
    ----------
    max_side : int
        Frames are searched at this long-side size (faster; boxes are mapped back). Below
        ~480 px a 100-px face in a 720p frame shrinks under the ~35 px the cascade needs to
        find it reliably.
    min_face : float
        Smallest face searched for, as a fraction of the frame's short side.
    min_neighbors : int
        Haar cascade vote count; higher means fewer but surer faces.
    max_faces : int
        Keep the largest few faces.

    Raises
    ------
    ImportError
        When OpenCV is not installed (``pip install "opencv-python-headless<5"``).

    Examples
    --------
    >>> from skimage.data import astronaut  # doctest: +SKIP
    >>> FaceFinder().find(astronaut())  # doctest: +SKIP
    [FaceBox(x=172, y=..., ...)]
    """

    def __init__(
        self,
        max_side: int = 480,
        min_face: float = 0.08,
        min_neighbors: int = 5,
        max_faces: int = 4,
    ) -> None:
        import cv2

        path = cv2.data.haarcascades + CASCADE
        self._cv2 = cv2
        self._cascade = cv2.CascadeClassifier(path)
        if self._cascade.empty():
            raise ImportError(f"OpenCV's face model {path} could not be loaded")
        self.max_side = max_side
        self.min_face = min_face
        self.min_neighbors = min_neighbors
        self.max_faces = max_faces

    def find(self, rgb: np.ndarray) -> list[FaceBox]:
        """Faces in an HxWx3 uint8 RGB frame, largest first, in that frame's pixel coordinates."""
        h, w = rgb.shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        smallest = max(20, int(self.min_face * min(h, w) * scale))
        return self._detect(rgb, scale, smallest, None)[: self.max_faces]

    def find_near(self, rgb: np.ndarray, previous: FaceBox) -> list[FaceBox]:
        """Look for a face of about ``previous``'s size around where it was (a few ms).

        The search window is twice the old box, rescaled so the face is ~48 px, and only
        sizes from 0.6x to 1.7x of it are tried: a handful of cascade scales instead of the
        whole pyramid, which is what makes tracking a face over many frames cheap.
        """
        region = previous.expanded(2.2, rgb.shape)
        if region.w < 24 or region.h < 24:
            return []
        scale = min(1.0, 48.0 / max(previous.w, 1))
        found = self._detect(region.crop(rgb), scale, 29, 82)
        return [FaceBox(f.x + region.x, f.y + region.y, f.w, f.h, f.score) for f in found][:1]

    def _detect(
        self, rgb: np.ndarray, scale: float, smallest: int, largest: int | None
    ) -> list[FaceBox]:
        cv2 = self._cv2
        h, w = rgb.shape[:2]
        grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
        if scale < 1.0:
            grey = cv2.resize(
                grey,
                (max(1, int(round(w * scale))), max(1, int(round(h * scale)))),
                interpolation=cv2.INTER_AREA,
            )
        grey = cv2.equalizeHist(grey)
        kwargs = {"maxSize": (largest, largest)} if largest else {}
        boxes, _, weights = self._cascade.detectMultiScale3(
            grey,
            scaleFactor=1.15,
            minNeighbors=self.min_neighbors,
            minSize=(smallest, smallest),
            outputRejectLevels=True,
            **kwargs,
        )
        if len(boxes) == 0:
            return []
        weights = np.asarray(weights, dtype=float).reshape(-1)
        faces = [
            FaceBox(int(x), int(y), int(bw), int(bh), float(s)).scaled(1.0 / scale)
            for (x, y, bw, bh), s in zip(boxes, weights, strict=False)
        ]
        faces.sort(key=lambda f: f.area, reverse=True)
        return faces


class FaceTracker:
    """Largest face per frame over a sequence of frames: full search now and then, else nearby.

    Parameters
    ----------
    finder : FaceFinder
    full_every : int
        Run the full-frame search every this many frames (and whenever the nearby search
        loses the face), so new or moved faces are still picked up.

    Examples
    --------
    >>> tracker = FaceTracker(FaceFinder())  # doctest: +SKIP
    >>> [tracker.find(frame) for frame in frames]  # doctest: +SKIP
    """

    def __init__(self, finder: FaceFinder, full_every: int = 5) -> None:
        self.finder = finder
        self.full_every = max(1, full_every)
        self._previous: FaceBox | None = None
        self._count = 0

    def find(self, rgb: np.ndarray) -> FaceBox | None:
        """The main face in this frame (None if none), given the frames seen before."""
        faces: list[FaceBox] = []
        if self._previous is not None and self._count % self.full_every:
            faces = self.finder.find_near(rgb, self._previous)
        if not faces:
            faces = self.finder.find(rgb)
        self._count += 1
        self._previous = faces[0] if faces else None
        return self._previous
