"""Fuse a file's evidence into one calibrated probability and a verdict a person can act on."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
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


class LazyFuser:
    """A modality's fuser read from its weights on first use, and again if they change.

    Registering a fuser this way keeps plugin registration cheap and makes the fuser follow the
    weights the detectors use (``--weights MODALITY=PATH`` is set after plugins load).
    ``load()`` returns the fuser, or ``None`` for the logit mean.

    Examples
    --------
    >>> lazy = LazyFuser(lambda: LogisticFuser(coef={"a": 1.0}), "demo")
    >>> round(lazy.fuse([Evidence("a", 0.8, "")]), 2), lazy.thresholds
    (0.8, (0.3, 0.7))
    """

    def __init__(self, load: Any, modality: str) -> None:
        self._load = load
        self.modality = modality
        self._key: object = object()
        self._fuser: Any = None

    @property
    def fuser(self) -> Any:
        """The fuser for the weights in use now."""
        from fakescope.core.weights import weights_source

        key = weights_source(self.modality)
        if key != self._key:
            self._fuser = self._load() or LogitMeanFuser()
            self._key = key
        return self._fuser

    @property
    def thresholds(self) -> tuple[float, float]:
        return tuple(getattr(self.fuser, "thresholds", DEFAULT_THRESHOLDS))  # type: ignore[return-value]

    @property
    def decision_threshold(self) -> float:
        return float(getattr(self.fuser, "decision_threshold", DEFAULT_DECISION_THRESHOLD))

    def fuse(self, evidence: list[Evidence]) -> float | None:
        return self.fuser.fuse(evidence)


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
        if score is None:
            reasons = [e.reason for e in evidence if e.score is None and e.reason]
            verdict = reasons[0] if reasons else CANNOT_JUDGE
        else:
            verdict = verdict_for(score, thresholds)  # type: ignore[arg-type]
        return cls(path, modality, score, verdict, thresholds, evidence, None, metadata or {})  # type: ignore[arg-type]

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
            "evidence": [e.to_dict(include_png) for e in self.evidence],
            "metadata": to_jsonable(self.metadata),
        }


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
