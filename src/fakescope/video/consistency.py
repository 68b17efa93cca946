"""Turn a clip's face-consistency features into a probability with a small logistic model.

The model is fitted by ``fakescope train video`` on real clips and their self-blended copies
(see docs/video.md) and shipped as ``weights/temporal.json``: one coefficient per feature and an
intercept over standardised features, plus the training numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FEATURES = ("flicker_hf", "flicker_colour", "boundary", "sharpness")
SHIPPED = Path(__file__).resolve().parent / "weights" / "temporal.json"


def clip_features(
    flickers: Sequence[dict[str, float]],
    boundaries: Sequence[float],
    sharpness: Sequence[float] = (),
) -> dict[str, float]:
    """Median of the per-frame measurements (robust to a few frames with a bad face box).

    Examples
    --------
    >>> clip_features([{"hf": 0.1, "colour": 2.0}, {"hf": 0.3, "colour": 4.0}], [0.5], [-0.1])
    {'flicker_hf': 0.2, 'flicker_colour': 3.0, 'boundary': 0.5, 'sharpness': -0.1}
    """

    def med(values: Sequence[float]) -> float:
        arr = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
        return float(np.median(arr)) if len(arr) else float("nan")

    return {
        "flicker_hf": med([f["hf"] for f in flickers]),
        "flicker_colour": med([f["colour"] for f in flickers]),
        "boundary": med(list(boundaries)),
        "sharpness": med(list(sharpness)),
    }


def _transform(feats: dict[str, float]) -> np.ndarray:
    # Flicker values are positive and heavy-tailed: compare them on a log scale.
    return np.asarray(
        [
            math.log(feats["flicker_hf"] + 1e-3),
            math.log(feats["flicker_colour"] + 1e-2),
            feats["boundary"],
            feats["sharpness"],
        ],
        dtype=float,
    )


@dataclass
class TemporalModel:
    """Logistic regression over log flicker, boundary and sharpness features.

    Examples
    --------
    >>> m = TemporalModel(mean=[0] * 4, scale=[1] * 4, coef=[0, 1, 0, 0], intercept=0.0)
    >>> feats = {"flicker_hf": 0.1, "flicker_colour": 0.99, "boundary": 0.0, "sharpness": 0.0}
    >>> round(m.predict(feats), 2)
    0.5
    """

    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    info: dict[str, Any] = field(default_factory=dict)

    def predict(self, feats: dict[str, float]) -> float | None:
        """P(manipulated) for one clip's features; ``None`` if a feature is missing."""
        if any(not math.isfinite(feats.get(k, float("nan"))) for k in FEATURES):
            return None
        z = (_transform(feats) - np.asarray(self.mean)) / np.asarray(self.scale)
        logit = float(np.dot(self.coef, z) + self.intercept)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))

    @classmethod
    def fit(
        cls, feats: Sequence[dict[str, float]], labels: Sequence[int], *, c: float = 1.0
    ) -> TemporalModel:
        """Fit on clips' features (label 1 = manipulated); rows missing a feature are dropped."""
        from sklearn.linear_model import LogisticRegression

        rows = [
            (_transform(f), y)
            for f, y in zip(feats, labels, strict=True)
            if all(math.isfinite(f.get(k, float("nan"))) for k in FEATURES)
        ]
        if len({y for _, y in rows}) < 2:
            raise ValueError("need usable clips of both classes to fit the temporal model")
        x = np.stack([r for r, _ in rows])
        y = np.asarray([y for _, y in rows])
        mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
        # Balanced classes: 0.5 stays "no evidence either way" whatever the fake:real ratio.
        lr = LogisticRegression(C=c, class_weight="balanced").fit((x - mean) / scale, y)
        return cls(
            mean=mean.tolist(),
            scale=scale.tolist(),
            coef=lr.coef_[0].tolist(),
            intercept=float(lr.intercept_[0]),
            info={"clips": int(len(y)), "manipulated": int(y.sum())},
        )

    def save(self, path: str | Path) -> None:
        data = {
            "features": list(FEATURES),
            "mean": self.mean,
            "scale": self.scale,
            "coef": self.coef,
            "intercept": self.intercept,
            "info": self.info,
        }
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> TemporalModel:
        data = json.loads(Path(path).read_text())
        if list(data.get("features", [])) != list(FEATURES):
            raise ValueError(f"{path} was fitted on other features: {data.get('features')}")
        return cls(data["mean"], data["scale"], data["coef"], float(data["intercept"]),
                   data.get("info", {}))  # fmt: skip


def load_shipped() -> TemporalModel | None:
    """The model in use (:mod:`fakescope.core.weights`): ``--weights video=PATH``,
    ``$FAKESCOPE_VIDEO_WEIGHTS`` (a ``temporal.json`` or the ``train video --out`` folder), or the
    shipped one; ``None`` if this install ships none and the user named none."""
    from fakescope.core.weights import weights_file, weights_source

    user = weights_source("video") is not None
    path = weights_file("video", SHIPPED.name, SHIPPED.parent, single_file=True, required=user)
    return TemporalModel.load(path) if path.exists() else None


def measure_clip(
    clip: Any,
    times: Sequence[float],
    finder: Any,
    *,
    burst: int = 2,
    max_side: int = 1280,
) -> tuple[dict[str, float], int]:
    """Face-consistency features of a clip at the given sample times.

    Returns
    -------
    features : dict
        See :func:`clip_features` (NaN where no face was found).
    frames_with_face : int

    Examples
    --------
    >>> feats, n = measure_clip(clip, [0.0, 0.5], FaceFinder())  # doctest: +SKIP
    """
    from fakescope.video.decoding import FrameReader
    from fakescope.video.faces import FaceTracker
    from fakescope.video.temporal import measure_face

    flickers: list[dict[str, float]] = []
    seams: list[float] = []
    sharp: list[float] = []
    with_face = 0
    tracker = FaceTracker(finder)
    for frame in FrameReader(clip, list(times), burst=burst, max_side=max_side):
        face = tracker.find(frame.rgb)
        if face is None or min(face.w, face.h) < 48:
            continue
        with_face += 1
        fl, seam, sharpness = measure_face(frame.rgb, frame.burst, face.to_list())
        if fl is not None:
            flickers.append(fl)
        seams.append(seam)
        sharp.append(sharpness)
    return clip_features(flickers, seams, sharp), with_face
