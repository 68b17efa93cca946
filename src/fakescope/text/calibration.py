"""Calibration of each LM statistic into P(machine) and the fused verdict, fitted by `train`.

The shipped file ``weights/fusion.json`` holds, for each detector, a one-feature logistic
calibration (``P = sigmoid(coef * feature + intercept)``) and a
:class:`~fakescope.core.fusion.LogisticFuser` over the detectors' log-odds. Because every
calibration is linear in its feature, the fused verdict is a low-capacity logistic regression on
a handful of length-normalised LM statistics: it cannot memorise topics or a generator's style.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakescope.core.fusion import LogisticFuser, sigmoid
from fakescope.core.weights import weights_env, weights_file, weights_source
from fakescope.text.feature_fusion import FeatureFusion
from fakescope.text.hidden_head import HiddenProjection

WEIGHTS_ENV = weights_env("text")
#: The variable's former name, still read after ``FAKESCOPE_TEXT_WEIGHTS``.
LEGACY_WEIGHTS_ENV = "FAKESCOPE_TEXT_FUSION"
WEIGHTS_PATH = Path(__file__).parent / "weights" / "fusion.json"

DETECTOR_FEATURES: dict[str, str] = {
    "lm-likelihood": "loglik",
    "lm-rank": "log_rank",
    "lm-curvature": "curvature",
    "lm-tail": "surprisal_tail",
    "lm-burstiness": "loglik_std",
    "lm-entropy": "entropy",
    "lm-cross": "binoculars",
}
"""The document feature each detector turns into a probability."""

DEFAULT_DETECTORS = ("lm-likelihood", "lm-rank", "lm-curvature", "lm-tail")
"""The detectors the shipped fused verdict combines."""


@dataclass
class Calibration:
    """``P(machine) = sigmoid(coef * value + intercept)`` for one feature.

    ``human_mean``/``machine_mean`` are the training means, quoted in the evidence so a reader
    can place the value.

    Examples
    --------
    >>> c = Calibration("loglik", coef=2.0, intercept=6.0)
    >>> round(c.probability(-3.0), 2)
    0.5
    """

    feature: str
    coef: float
    intercept: float
    human_mean: float | None = None
    machine_mean: float | None = None

    def logit(self, value: float) -> float:
        return self.coef * float(value) + self.intercept

    def probability(self, value: float) -> float:
        return sigmoid(self.logit(value))

    def to_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "coef": self.coef,
            "intercept": self.intercept,
            "human_mean": self.human_mean,
            "machine_mean": self.machine_mean,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        return cls(
            str(data["feature"]),
            float(data["coef"]),
            float(data["intercept"]),
            None if data.get("human_mean") is None else float(data["human_mean"]),
            None if data.get("machine_mean") is None else float(data["machine_mean"]),
        )


@dataclass
class TextWeights:
    """Everything ``fakescope train text`` fits: calibrations, fuser, and what they were fit on."""

    calibrations: dict[str, Calibration]
    fuser: LogisticFuser
    model: str = "smollm2-135m"
    window: int = 200
    info: dict[str, Any] = field(default_factory=dict)
    feature_fusion: FeatureFusion | None = None
    """When set, the fused verdict is this regression on the statistics (``fuser`` then only
    carries the thresholds and serves evidence without statistics)."""
    hidden: HiddenProjection | None = None
    """A head on the LM's pooled hidden states; ``feature_fusion`` then reads its
    ``hidden_logit`` next to the statistics (:mod:`~fakescope.text.hidden_head`)."""
    fallback: FeatureFusion | None = None
    """The zero-shot statistics regression used when a text has no ``hidden_logit`` (another
    model's states, or a scorer built without the head); its intercept is shifted so that its
    "likely synthetic" threshold is the same as the head's."""

    def to_dict(self) -> dict[str, Any]:
        out = {
            "model": self.model,
            "window": self.window,
            "calibration": {k: c.to_dict() for k, c in self.calibrations.items()},
            "fuser": self.fuser.to_dict(),
            "info": self.info,
        }
        if self.feature_fusion is not None:
            out["feature_fusion"] = self.feature_fusion.to_dict()
        if self.fallback is not None:
            out["fallback_fusion"] = self.fallback.to_dict()
        if self.hidden is not None:
            out["hidden_head"] = self.hidden.to_dict()
        return out

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n")
        return path

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TextWeights:
        return cls(
            calibrations={k: Calibration.from_dict(v) for k, v in data["calibration"].items()},
            fuser=LogisticFuser.from_dict(data["fuser"]),
            model=str(data.get("model", "smollm2-135m")),
            window=int(data.get("window", 200)),
            info=dict(data.get("info", {})),
            feature_fusion=(
                FeatureFusion.from_dict(data["feature_fusion"])
                if data.get("feature_fusion")
                else None
            ),
            hidden=(
                HiddenProjection.from_dict(data["hidden_head"]) if data.get("hidden_head") else None
            ),
            fallback=(
                FeatureFusion.from_dict(data["fallback_fusion"])
                if data.get("fallback_fusion")
                else None
            ),
        )

    @classmethod
    def load(cls, path: str | Path) -> TextWeights:
        path = Path(path)
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"cannot read text fusion weights {path} ({exc})") from None

    def fused_probability(self, features: Mapping[str, float]) -> float | None:
        """The fused P(machine) straight from document features (used per window)."""
        if self.feature_fusion is not None:
            p = self.feature_fusion.probability(features)
            if p is None and self.fallback is not None:
                return self.fallback.probability(features)
            return p
        logits = {}
        for name, cal in self.calibrations.items():
            value = features.get(cal.feature)
            if value is not None and math.isfinite(value) and name in self.fuser.coef:
                logits[name] = cal.logit(value)
        if not logits:
            return None
        z = self.fuser.intercept
        for name, value in logits.items():
            # Same clipping as LogisticFuser's logit(), so window and document scores agree.
            z += self.fuser.coef[name] * max(-13.8155, min(13.8155, value))
        return sigmoid(z)


_CACHE: dict[str, TextWeights] = {}
_LOCK = threading.Lock()


def shipped_weights_path(model: str) -> Path:
    """Where the shipped calibration for ``model`` lives (it may not exist).

    ``weights/fusion.json`` for the embedded SmolLM2; ``weights/fusion-<name>.json`` for another
    model, named by its file or folder name without ``.gguf``.

    Examples
    --------
    >>> shipped_weights_path("/models/gemma-3-270m-q4_k_m.gguf").name
    'fusion-gemma-3-270m-q4_k_m.json'
    >>> shipped_weights_path("Qwen/Qwen2.5-1.5B").name
    'fusion-qwen2.5-1.5b.json'
    """
    from fakescope.text.lm import EMBEDDED

    if model == EMBEDDED:
        return WEIGHTS_PATH
    name = Path(model.rstrip("/")).name.lower().removesuffix(".gguf")
    return WEIGHTS_PATH.with_name(f"fusion-{name}.json")


def weights_path() -> Path:
    """The user's calibration (:mod:`fakescope.core.weights`: ``--weights text=PATH`` or
    ``$FAKESCOPE_TEXT_WEIGHTS``, a file or a ``train text --out`` folder) if named; else the
    shipped calibration of the configured model when there is one (`shipped_weights_path`),
    else the shipped ``weights/fusion.json``."""
    from fakescope.text.lm import configured_model

    matched = shipped_weights_path(configured_model())
    if weights_source("text", LEGACY_WEIGHTS_ENV) is not None:
        return weights_file(
            "text", matched.name, WEIGHTS_PATH.parent, single_file=True,
            legacy_env=LEGACY_WEIGHTS_ENV, required=False,
        )  # fmt: skip
    return matched if matched.is_file() else WEIGHTS_PATH


def load_weights(path: str | Path | None = None) -> TextWeights:
    """Load (once per process) the calibration and fusion weights."""
    p = Path(path) if path is not None else weights_path()
    key = str(p.resolve())
    with _LOCK:
        if key not in _CACHE:
            if not p.is_file():
                raise FileNotFoundError(
                    f"text fusion weights not found at {p}; run `fakescope train text` "
                    f"or set {WEIGHTS_ENV}"
                )
            _CACHE[key] = TextWeights.load(p)
        return _CACHE[key]


def clear_weights_cache() -> None:
    with _LOCK:
        _CACHE.clear()


class TextFuser:
    """The text modality's fuser: the trained :class:`LogisticFuser`, loaded on first use.

    Loading is deferred so that plugin registration stays cheap.
    """

    def _weights(self) -> TextWeights:
        return load_weights()

    @property
    def thresholds(self) -> tuple[float, float]:
        return tuple(self._weights().fuser.thresholds)  # type: ignore[return-value]

    @property
    def decision_threshold(self) -> float:
        return float(self._weights().fuser.decision_threshold)

    def fuse(self, evidence: list[Any]) -> float | None:
        weights = self._weights()
        if weights.feature_fusion is not None:
            stats = _statistics(evidence)
            if stats is not None:
                return weights.fused_probability(stats)
        return weights.fuser.fuse(evidence)

    def fitted_detectors(self) -> frozenset[str] | None:
        """Detectors the verdict counts (for the core's "not counted" note)."""
        weights = self._weights()
        if weights.feature_fusion is not None:
            used = set(weights.feature_fusion.features)
            return frozenset(d for d, f in DETECTOR_FEATURES.items() if f in used)
        return weights.fuser.fitted_detectors()

    def fusion_weights(self, evidence: list[Any]) -> dict[str, float]:
        """Each scored detector's share of the verdict: for the statistics regression, its
        statistic's share of the absolute standardised coefficients."""
        weights = self._weights()
        if weights.feature_fusion is None or _statistics(evidence) is None:
            return weights.fuser.fusion_weights(evidence)
        share = weights.feature_fusion.weights()
        return {
            e.detector: share.get(DETECTOR_FEATURES.get(e.detector, ""), 0.0)
            for e in evidence
            if e.score is not None
        }


def _statistics(evidence: list[Any]) -> dict[str, float] | None:
    """The document statistics a text detector's evidence carries (all share one LM pass)."""
    for e in evidence:
        stats = (e.details or {}).get("features") if e.score is not None else None
        if isinstance(stats, dict) and stats:
            return stats
    return None
