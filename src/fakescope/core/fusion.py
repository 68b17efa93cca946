"""Fuse a file's evidence into one calibrated probability and a verdict a person can act on."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fakescope.core.evidence import Evidence

LIKELY_REAL = "likely real"
UNCERTAIN = "uncertain"
LIKELY_SYNTHETIC = "likely synthetic"
CANNOT_JUDGE = "cannot judge"

DEFAULT_THRESHOLDS = (0.3, 0.7)
DEFAULT_DECISION_THRESHOLD = 0.5
_EPS = 1e-6


def logit(p: float) -> float:
    p = min(1.0 - _EPS, max(_EPS, float(p)))
    return math.log(p / (1.0 - p))


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class LogitMeanFuser:
    """Weighted mean of the detectors' log-odds: the default when a modality ships no fusion model.

    Examples
    --------
    >>> round(LogitMeanFuser().fuse([Evidence("a", 0.9, ""), Evidence("b", 0.9, "")]), 3)
    0.9
    """

    thresholds = DEFAULT_THRESHOLDS
    decision_threshold = DEFAULT_DECISION_THRESHOLD

    def fuse(self, evidence: list[Evidence]) -> float | None:
        voting = [e for e in evidence if e.score is not None and e.weight > 0]
        if not voting:
            return None
        total = sum(e.weight for e in voting)
        return sigmoid(sum(e.weight * logit(e.score) for e in voting) / total)

    def fusion_weights(self, evidence: list[Evidence]) -> dict[str, float]:
        """Each scored detector's weight on its log-odds in the fused log-odds."""
        voting = [e for e in evidence if e.score is not None and e.weight > 0]
        total = sum(e.weight for e in voting)
        weights = {e.detector: 0.0 for e in evidence if e.score is not None}
        weights.update({e.detector: e.weight / total for e in voting})
        return weights

    def fitted_detectors(self) -> frozenset[str] | None:
        """``None``: the logit mean counts every detector."""
        return None


@dataclass
class LogisticFuser:
    """Logistic regression over detector log-odds, fitted on held-out data by a ``train`` command.

    ``p = sigmoid(intercept + sum_d coef[d] * logit(score_d))``. A detector missing from ``coef``
    (installed after the fusion model was fitted) enters with ``fallback_coef``; an abstaining
    detector contributes nothing. If no known detector voted, falls back to the logit mean.

    Examples
    --------
    >>> f = LogisticFuser(coef={"a": 1.0}, intercept=0.0)
    >>> round(f.fuse([Evidence("a", 0.8, "")]), 2)
    0.8
    """

    coef: dict[str, float]
    intercept: float = 0.0
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS
    decision_threshold: float = DEFAULT_DECISION_THRESHOLD
    fallback_coef: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)

    def fuse(self, evidence: list[Evidence]) -> float | None:
        voting = [e for e in evidence if e.score is not None and e.weight > 0]
        if not voting:
            return None
        known = [e for e in voting if e.detector in self.coef]
        if not known:
            return LogitMeanFuser().fuse(voting)
        z = self.intercept
        for e in voting:
            z += self.coef.get(e.detector, self.fallback_coef) * logit(e.score)
        return sigmoid(z)

    def fusion_weights(self, evidence: list[Evidence]) -> dict[str, float]:
        """Each scored detector's coefficient in this verdict (0.0: not counted)."""
        voting = [e for e in evidence if e.score is not None and e.weight > 0]
        if not any(e.detector in self.coef for e in voting):
            return LogitMeanFuser().fusion_weights(evidence)
        weights = {e.detector: 0.0 for e in evidence if e.score is not None}
        weights.update({e.detector: self.coef.get(e.detector, self.fallback_coef) for e in voting})
        return weights

    def fitted_detectors(self) -> frozenset[str] | None:
        """The detectors this fusion was fitted with (others count only through
        ``fallback_coef``)."""
        return None if self.fallback_coef else frozenset(self.coef)

    def to_dict(self) -> dict[str, Any]:
        return {
            "coef": self.coef,
            "intercept": self.intercept,
            "thresholds": list(self.thresholds),
            "decision_threshold": self.decision_threshold,
            "fallback_coef": self.fallback_coef,
            "info": self.info,
        }

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LogisticFuser:
        return cls(
            coef={str(k): float(v) for k, v in data["coef"].items()},
            intercept=float(data.get("intercept", 0.0)),
            thresholds=tuple(data.get("thresholds", DEFAULT_THRESHOLDS)),  # type: ignore[arg-type]
            decision_threshold=float(data.get("decision_threshold", DEFAULT_DECISION_THRESHOLD)),
            fallback_coef=float(data.get("fallback_coef", 0.0)),
            info=dict(data.get("info", {})),
        )

    @classmethod
    def load(cls, path: str | Path) -> LogisticFuser:
        return cls.from_dict(json.loads(Path(path).read_text()))

    @classmethod
    def fit(
        cls,
        scores: Mapping[str, list[float]],
        labels: list[int],
        *,
        target_fpr: float | None = None,
        c: float = 1.0,
    ) -> LogisticFuser:
        """Fit on per-detector scores (lists aligned with ``labels``, 1 = machine-made).

        With ``target_fpr`` the "likely synthetic" threshold is set so that at most that share of
        the real training samples is called synthetic.
        """
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        names = sorted(scores)
        x = np.array([[logit(s) for s in scores[n]] for n in names]).T
        y = np.asarray(labels)
        model = LogisticRegression(C=c, max_iter=1000).fit(x, y)
        fuser = cls(
            coef={n: float(w) for n, w in zip(names, model.coef_[0], strict=True)},
            intercept=float(model.intercept_[0]),
        )
        if target_fpr is not None:
            fused = np.array([fuser._fuse_logits(row, names) for row in x])
            real = np.sort(fused[y == 0])
            hi = float(np.quantile(real, 1.0 - target_fpr)) if len(real) else 0.7
            hi = min(0.99, max(0.5, hi))
            fuser.thresholds = (min(0.3, hi / 2), hi)
        return fuser

    def _fuse_logits(self, row, names: list[str]) -> float:
        return sigmoid(
            self.intercept + sum(self.coef[n] * v for n, v in zip(names, row, strict=True))
        )


def fusion_weights(fuser: Any, evidence: list[Evidence]) -> dict[str, float]:
    """How much each scored detector counted in ``fuser``'s verdict on ``evidence``.

    The weight is d logit(verdict) / d logit(score): a LogisticFuser's coefficient, a logit
    mean's share. ``0.0`` means the verdict did not count the score. A fuser may answer this
    itself (a ``fusion_weights`` method); otherwise each score is nudged and the verdict watched.
    An empty dict means the weights cannot be told (no verdict, or a saturated one).

    Examples
    --------
    >>> f = LogisticFuser(coef={"a": 1.5})
    >>> fusion_weights(f, [Evidence("a", 0.8, ""), Evidence("new", 0.9, "")])
    {'a': 1.5, 'new': 0.0}
    >>> class Opaque:  # a fuser that cannot say: measured by nudging each score
    ...     def fuse(self, ev):
    ...         return f.fuse(ev)
    >>> {k: round(v, 3) for k, v in fusion_weights(Opaque(), [Evidence("a", 0.8, "")]).items()}
    {'a': 1.5}
    """
    own = getattr(fuser, "fusion_weights", None)
    if callable(own):
        return dict(own(evidence))
    base = fuser.fuse(evidence)
    if base is None or not _EPS**2 < base < 1 - _EPS**2:
        return {}
    z0 = logit(base)
    weights: dict[str, float] = {}
    for i, e in enumerate(evidence):
        if e.score is None:
            continue
        z = logit(e.score)
        step = -0.5 if z > 0 else 0.5
        nudged = list(evidence)
        nudged[i] = replace(e, score=sigmoid(z + step))
        moved = fuser.fuse(nudged)
        w = 0.0 if moved is None else (logit(moved) - z0) / step
        weights[e.detector] = 0.0 if abs(w) < 1e-9 else w
    return weights


def fitted_detectors(fuser: Any) -> frozenset[str] | None:
    """The detectors ``fuser`` was fitted with, or ``None`` when it cannot say (or counts all).

    Examples
    --------
    >>> sorted(fitted_detectors(LogisticFuser(coef={"b": 1.0, "a": 0.5})))
    ['a', 'b']
    """
    own = getattr(fuser, "fitted_detectors", None)
    return own() if callable(own) else None


def not_counted_reason(detector: str, modality: str, fuser: Any, evidence: Evidence) -> str:
    """Why the verdict did not count ``detector``'s score, in a user's words."""
    fitted = fitted_detectors(fuser)
    if fitted is not None and detector not in fitted:
        return (
            f"not counted: the {modality} verdict's fusion model was not fitted with {detector}; "
            "its score is shown as evidence only"
        )
    if evidence.weight <= 0:
        return "not counted: the detector gave this evidence no weight"
    return f"not counted: the {modality} verdict gives this score no weight for this input"


@dataclass
class Report:
    """The verdict on one input, with every detector's evidence.

    Examples
    --------
    >>> r = Report.from_evidence("a.png", "image", [Evidence("x", 0.95, "peaks")], LogitMeanFuser())
    >>> r.verdict
    'likely synthetic'
    """

    path: str
    modality: str | None
    score: float | None
    verdict: str
    thresholds: tuple[float, float] = DEFAULT_THRESHOLDS
    evidence: list[Evidence] = field(default_factory=list)
    error: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    #: Each scored detector's weight in the verdict (see :func:`fusion_weights`).
    fusion_weights: dict[str, float] = field(default_factory=dict)
    #: Detectors whose score the verdict did not count, and why.
    not_counted: dict[str, str] = field(default_factory=dict)

    @classmethod
    def failed(cls, path: str, reason: str, modality: str | None = None) -> Report:
        return cls(path=path, modality=modality, score=None, verdict="error", error=reason)

    @classmethod
    def from_evidence(
        cls,
        path: str,
        modality: str,
        evidence: list[Evidence],
        fuser: Any,
        metadata: dict[str, Any] | None = None,
    ) -> Report:
        thresholds = tuple(getattr(fuser, "thresholds", DEFAULT_THRESHOLDS))
        score = fuser.fuse(evidence)
        weights: dict[str, float] = {}
        not_counted: dict[str, str] = {}
        if score is None:
            reasons = [e.reason for e in evidence if e.score is None and e.reason]
            verdict = reasons[0] if reasons else CANNOT_JUDGE
        else:
            verdict = verdict_for(score, thresholds)  # type: ignore[arg-type]
            weights = fusion_weights(fuser, evidence)
            not_counted = {
                e.detector: not_counted_reason(e.detector, modality, fuser, e)
                for e in evidence
                if e.score is not None and weights.get(e.detector, 1.0) == 0.0
            }
        return cls(
            path, modality, score, verdict, thresholds, evidence, None, metadata or {},  # type: ignore[arg-type]
            weights, not_counted,
        )  # fmt: skip

    @property
    def detector_scores(self) -> dict[str, float | None]:
        return {e.detector: e.score for e in self.evidence}

    def to_dict(self, include_png: bool = False) -> dict[str, Any]:
        """The JSON Lines record of ``fakescope scan --json``."""
        from fakescope.core.evidence import to_jsonable

        return {
            "path": self.path,
            "modality": self.modality,
            "score": None if self.score is None else round(self.score, 6),
            "verdict": self.verdict,
            "thresholds": {
                "likely_real_below": self.thresholds[0],
                "likely_synthetic_above": self.thresholds[1],
            },
            "detectors": {
                k: None if v is None else round(v, 6) for k, v in self.detector_scores.items()
            },
            "error": self.error,
            "not_counted": dict(self.not_counted),
            "evidence": [self._evidence_dict(e, include_png) for e in self.evidence],
            "metadata": to_jsonable(self.metadata),
        }

    def _evidence_dict(self, evidence: Evidence, include_png: bool) -> dict[str, Any]:
        out = evidence.to_dict(include_png)
        if evidence.score is not None and evidence.detector in self.fusion_weights:
            # The weight the verdict gave it, not the detector's own hint: an uncounted
            # detector shows 0.0, never 1.0.
            out["weight"] = round(self.fusion_weights[evidence.detector], 6)
        out["counted"] = evidence.score is not None and evidence.detector not in self.not_counted
        if evidence.detector in self.not_counted:
            out["not_counted"] = self.not_counted[evidence.detector]
        return out


def verdict_for(score: float, thresholds: tuple[float, float] = DEFAULT_THRESHOLDS) -> str:
    """Map a calibrated probability to a verdict.

    Examples
    --------
    >>> verdict_for(0.5)
    'uncertain'
    """
    low, high = thresholds
    if score >= high:
        return LIKELY_SYNTHETIC
    if score <= low:
        return LIKELY_REAL
    return UNCERTAIN
