"""The fused text verdict as one logistic regression on the document's LM statistics.

Chosen on the chat-era protocol (docs/text.md): a standardised, L2-regularised logistic
regression on nine length-normalised statistics of the one LM pass (likelihood, rank, curvature,
surprisal tail, entropy, spread of the token log-likelihood, share of top-10 tokens, share of very
improbable tokens, one-model Binoculars). It is still a low-capacity linear model on
statistics that do not depend on topic words, so it cannot memorise a generator's vocabulary;
unlike the per-detector fusion it may give a statistic a negative weight (a statistic that only
helps next to another, such as entropy next to likelihood).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fakescope.core.fusion import sigmoid

STATISTICS = (
    "loglik",
    "log_rank",
    "curvature",
    "surprisal_tail",
    "entropy",
    "loglik_std",
    "top10",
    "tail_share",
    "binoculars1",
)
"""The statistics the shipped fused verdict reads (keys of ``TextStats.features``)."""


@dataclass
class FeatureFusion:
    """``P(machine) = sigmoid(intercept + sum_i coef_i * (x_i - mean_i) / scale_i)``.

    Examples
    --------
    >>> f = FeatureFusion(["loglik"], mean=[-3.0], scale=[0.5], coef=[2.0], intercept=0.0)
    >>> round(f.probability({"loglik": -2.5}), 3)
    0.881
    >>> f.probability({"other": 1.0}) is None
    True
    """

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float

    def logit(self, values: Mapping[str, float]) -> float | None:
        z = self.intercept
        for name, mu, sd, w in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            x = values.get(name)
            if x is None or not math.isfinite(float(x)):
                return None  # every statistic comes from the same pass: missing = not judged
            z += w * (float(x) - mu) / sd
        return z

    def probability(self, values: Mapping[str, float]) -> float | None:
        z = self.logit(values)
        return None if z is None else sigmoid(max(-50.0, min(50.0, z)))

    def weights(self) -> dict[str, float]:
        """Each statistic's share of the absolute standardised coefficients (sums to 1)."""
        total = sum(abs(w) for w in self.coef) or 1.0
        return {n: abs(w) / total for n, w in zip(self.features, self.coef, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": list(self.coef),
            "intercept": self.intercept,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureFusion:
        n = len(data["features"])
        fusion = cls(
            [str(f) for f in data["features"]],
            [float(v) for v in data["mean"]],
            [float(v) for v in data["scale"]],
            [float(v) for v in data["coef"]],
            float(data["intercept"]),
        )
        if not (len(fusion.mean) == len(fusion.scale) == len(fusion.coef) == n):
            raise ValueError("feature fusion: features, mean, scale and coef differ in length")
        return fusion


def fit_feature_fusion(
    features: Sequence[Mapping[str, float]],
    labels: Sequence[int],
    names: Sequence[str] = STATISTICS,
    c: float = 1.0,
) -> FeatureFusion:
    """Standardise each statistic and fit an L2 logistic regression (scikit-learn, ``C = c``).

    Examples
    --------
    >>> feats = [{"a": v, "b": 1.0 - v} for v in (0.1, 0.2, 0.3, 0.7, 0.8, 0.9)]
    >>> f = fit_feature_fusion(feats, [0, 0, 0, 1, 1, 1], names=["a", "b"])
    >>> f.probability({"a": 0.95, "b": 0.05}) > 0.5 > f.probability({"a": 0.05, "b": 0.95})
    True
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    missing = [n for n in names if any(n not in f for f in features)]
    if missing:
        raise ValueError(f"statistics {missing} are missing from some texts' features")
    x = np.array([[float(f[n]) for n in names] for f in features], dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, np.asarray(labels))
    return FeatureFusion(
        list(names),
        [float(v) for v in mean],
        [float(v) for v in scale],
        [float(v) for v in model.coef_[0]],
        float(model.intercept_[0]),
    )
