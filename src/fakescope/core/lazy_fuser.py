"""A modality's fuser that reads its weights on first use and follows the weights in use."""

from __future__ import annotations

from typing import Any

from fakescope.core.evidence import Evidence
from fakescope.core.fusion import (
    DEFAULT_DECISION_THRESHOLD,
    DEFAULT_THRESHOLDS,
    LogitMeanFuser,
    fitted_detectors,
    fusion_weights,
)


class LazyFuser:
    """A modality's fuser read from its weights on first use, and again if they change.

    Registering a fuser this way keeps plugin registration cheap and makes the fuser follow the
    weights the detectors use (``--weights MODALITY=PATH`` is set after plugins load).
    ``load()`` returns the fuser, or ``None`` for the logit mean.

    Examples
    --------
    >>> from fakescope.core.fusion import LogisticFuser
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

    def fusion_weights(self, evidence: list[Evidence]) -> dict[str, float]:
        return fusion_weights(self.fuser, evidence)

    def fitted_detectors(self) -> frozenset[str] | None:
        return fitted_detectors(self.fuser)
