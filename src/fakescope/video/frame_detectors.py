"""The image detectors that score a video's frames and faces, found in the registry by name.

The video plugin never imports an image detector: it asks the registry for the default image
detectors (or the names it was given) the first time a clip is scored, and fuses each picture's
evidence with the image modality's fuser, as a scan of that picture alone would.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from fakescope.core.evidence import Evidence
from fakescope.core.media import Media

# Image detectors that read the file rather than the pixels: a decoded frame has no EXIF/XMP.
FILE_LEVEL_DETECTORS = frozenset({"metadata"})


class FrameDetectors:
    """Image detectors for frame and face crops, started once, on first use.

    Parameters
    ----------
    names : sequence of str, optional
        Image detector names; default: every default image detector except file-level ones.

    Examples
    --------
    >>> panel = FrameDetectors(names=[])
    >>> panel.score([]), panel.notes
    ([], [])
    """

    def __init__(self, names: Sequence[str] | None = None) -> None:
        self._names = list(names) if names is not None else None
        self._detectors: list[Any] | None = None
        self._lock = threading.Lock()
        #: Why an image detector could not start (shown in the video's evidence).
        self.notes: list[str] = []

    @property
    def started(self) -> bool:
        return self._detectors is not None

    def detectors(self) -> list[Any]:
        """The image detector instances (built on the first call; thread-safe)."""
        with self._lock:
            if self._detectors is None:
                self._detectors = self._build()
            return self._detectors

    def _build(self) -> list[Any]:
        from fakescope.core.registry import create_detector, detector_specs

        names = self._names
        if names is None:
            names = [
                s.name
                for s in detector_specs("image")
                if s.default and s.name not in FILE_LEVEL_DETECTORS
            ]
        detectors = []
        for name in names:
            try:
                detectors.append(create_detector(name))
            except Exception as exc:  # one broken image detector must not stop the video
                self.notes.append(f"image detector {name} could not start ({exc})")
        return detectors

    def score(self, images: list[Media]) -> list[list[Evidence]]:
        """Every image detector's evidence per picture (batched where a detector can)."""
        per_image: list[list[Evidence]] = [[] for _ in images]
        # A frame of one flat colour (a black screen) has nothing to judge; image detectors
        # score such pictures 1.0, which made black videos "likely synthetic".
        judged = [i for i, m in enumerate(images) if np.ptp(m.data, axis=(0, 1)).max() > 2]
        images = [images[i] for i in judged]
        if not images:
            return per_image
        for det in self.detectors():
            batch = getattr(det, "score_batch", None)
            try:
                results = list(batch(images)) if batch is not None else None
            except Exception:
                results = None
            if results is None or len(results) != len(images):
                results = []
                for media in images:
                    try:
                        results.append(det.score(media))
                    except Exception as exc:
                        results.append(Evidence(det.name, None, f"failed on a frame: {exc}"))
            for i, ev in zip(judged, results, strict=True):
                per_image[i].append(ev)
        return per_image

    @staticmethod
    def fuse(evidence: list[Evidence]) -> float | None:
        """One picture's score from its evidence, with the image modality's fuser."""
        from fakescope.core.fusion import LogitMeanFuser
        from fakescope.core.registry import get_fuser

        fuser = get_fuser("image") or LogitMeanFuser()
        try:
            return fuser.fuse(evidence)
        except Exception:
            return LogitMeanFuser().fuse(evidence)
