"""The image fusion model: learnt logistic fusion of the pixel detectors plus metadata evidence.

The pixel detectors (``spectrum``, ``residual-cnn``) are fused by a
:class:`~fakescope.core.fusion.LogisticFuser` fitted on held-out simulated data by
``fakescope train image``. Metadata cannot be learnt that way (the training photos carry none), so
its evidence enters as a log-likelihood ratio: ``weight * logit(score)`` is added to the fused
log-odds. A named generator (weight 3, score 0.97) therefore dominates, camera data (weight 0.3,
score 0.35) only nudges, and a file without metadata (score 0.5) adds nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakescope.core.evidence import Evidence
from fakescope.core.fusion import LogisticFuser, LogitMeanFuser, logit, sigmoid
from fakescope.core.weights import weights_file
from fakescope.image import SHIPPED_WEIGHTS

FUSION_FILE = "fusion.json"
# A found watermark is a likelihood ratio like metadata (see fakescope.provenance.detectors).
ADDITIVE_DETECTORS = ("metadata", "watermark")


@dataclass
class ImageFuser:
    """Logistic fusion of pixel detectors + additive log-odds from metadata.

    Examples
    --------
    >>> f = ImageFuser(LogisticFuser(coef={"spectrum": 1.0}))
    >>> round(f.fuse([Evidence("spectrum", 0.8, ""), Evidence("metadata", 0.5, "", weight=0.1)]), 2)
    0.8
    """

    pixel: LogisticFuser
    additive: tuple[str, ...] = ADDITIVE_DETECTORS
    info: dict[str, Any] = field(default_factory=dict)
    #: Fusions fitted for other sets of pixel detectors (e.g. without ``backbone-probe`` when
    #: the backbone is not installed, or with an opt-in detector).
    variants: list[LogisticFuser] = field(default_factory=list)

    def pixel_fuser(self, evidence: list[Evidence]) -> LogisticFuser:
        """The fusion fitted for exactly the pixel detectors that voted, else the largest one
        fitted for some of them, else the default one.

        A fusion fitted for other detectors would miscount the evidence: an abstaining detector
        would contribute nothing and one it was not fitted with would get weight 0.
        """
        voted = {e.detector for e in evidence if e.score is not None and e.weight > 0}
        voted -= set(self.additive)
        candidates = (self.pixel, *self.variants)
        for candidate in candidates:
            if voted == set(candidate.coef):
                return candidate
        # Else the fusion of the most detectors that all voted (the others are reported by
        # :meth:`uncounted`), so an abstaining detector is never counted as a neutral vote.
        inside = [c for c in candidates if set(c.coef) <= voted]
        return max(inside, key=lambda c: len(c.coef)) if inside else self.pixel

    def uncounted(self, evidence: list[Evidence]) -> list[str]:
        """Detectors that voted but that the chosen fusion was not fitted with (they do not
        change the verdict; a report should say so).

        Examples
        --------
        >>> f = ImageFuser(LogisticFuser(coef={"spectrum": 1.0}))
        >>> f.uncounted([Evidence("spectrum", 0.8, ""), Evidence("anomaly", 0.9, "")])
        ['anomaly']
        """
        fuser = self.pixel_fuser(evidence)
        voted = [e.detector for e in evidence if e.score is not None and e.weight > 0]
        return sorted(d for d in voted if d not in fuser.coef and d not in self.additive)

    @property
    def thresholds(self) -> tuple[float, float]:
        return self.pixel.thresholds

    @property
    def decision_threshold(self) -> float:
        return self.pixel.decision_threshold

    def fuse(self, evidence: list[Evidence]) -> float | None:
        voting = [e for e in evidence if e.score is not None and e.weight > 0]
        extra = [e for e in voting if e.detector in self.additive]
        pixel = [e for e in voting if e.detector not in self.additive]
        if pixel:
            fuser = self.pixel_fuser(pixel)
            p = fuser.fuse(pixel)
            if p is not None and fuser is not self.pixel:
                # Keep the verdict's thresholds meaningful: map the variant's own threshold
                # onto the default one (both are set for the same false-positive rate).
                p = sigmoid(logit(p) - logit(fuser.thresholds[1]) + logit(self.thresholds[1]))
        elif extra:
            p = LogitMeanFuser().fuse(extra)
            return p
        else:
            return None
        z = logit(p) + sum(e.weight * logit(e.score) for e in extra)
        return sigmoid(z)

    def fitted_detectors(self) -> frozenset[str]:
        """Detectors some fusion (the default or a variant) was fitted with, for the core's
        "not counted" note.

        Examples
        --------
        >>> b = LogisticFuser(coef={"b": 1.0})
        >>> sorted(ImageFuser(LogisticFuser(coef={"a": 1.0}), variants=[b]).fitted_detectors())
        ['a', 'b', 'metadata', 'watermark']
        """
        names = set(self.pixel.coef).union(*(v.coef for v in self.variants))
        return frozenset(names) | frozenset(self.additive)

    def fusion_weights(self, evidence: list[Evidence]) -> dict[str, float]:
        """How much each scored detector counts in the verdict on ``evidence``: the chosen
        fusion's coefficient (0.0 for a detector it was not fitted with, or fitted to weight 0),
        and the metadata evidence's own weight.

        Examples
        --------
        >>> f = ImageFuser(LogisticFuser(coef={"a": 1.5}))
        >>> f.fusion_weights([Evidence("a", 0.8, ""), Evidence("b", 0.9, "")])
        {'a': 1.5, 'b': 0.0}
        """
        fuser = self.pixel_fuser([e for e in evidence if e.detector not in self.additive])
        out: dict[str, float] = {}
        for e in evidence:
            if e.score is None:
                continue
            if e.detector in self.additive:
                out[e.detector] = float(e.weight)
            else:
                out[e.detector] = float(fuser.coef.get(e.detector, 0.0)) if e.weight > 0 else 0.0
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "pixel": self.pixel.to_dict(),
            "additive": list(self.additive),
            "info": self.info,
            "variants": [v.to_dict() for v in self.variants],
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> ImageFuser:
        data = json.loads(Path(path).read_text())
        return cls(
            pixel=LogisticFuser.from_dict(data["pixel"]),
            # Detectors added after the file was fitted (the watermark) still enter additively.
            additive=tuple(dict.fromkeys([*data.get("additive", []), *ADDITIVE_DETECTORS])),
            info=dict(data.get("info", {})),
            variants=[LogisticFuser.from_dict(v) for v in data.get("variants", [])],
        )


def load_image_fuser(path: str | Path | None = None) -> ImageFuser | None:
    """The shipped (or ``$FAKESCOPE_IMAGE_WEIGHTS``) fusion model, or ``None`` if absent."""
    path = weights_file("image", FUSION_FILE, SHIPPED_WEIGHTS, weights=path, required=False)
    if not path.exists():
        return None
    return ImageFuser.load(path)
