"""A linear head on the language model's pooled hidden states, read from the same forward pass.

The scorer keeps the mean over a text's tokens of one layer's hidden states (no extra model
work: the states exist during the pass anyway). The head's contribution to the fused logit is one
number per text, ``hidden_logit = w . h + b``; the fused verdict is then a
:class:`~fakescope.text.feature_fusion.FeatureFusion` over the LM statistics plus that number.
Splitting it this way keeps the statistics part readable (each statistic's share of the verdict)
and lets the scorer add ``hidden_logit`` to a text's features like any other statistic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fakescope.text.feature_fusion import FeatureFusion

HIDDEN_FEATURE = "hidden_logit"
"""Name of the head's contribution among a text's features."""


@dataclass
class HiddenProjection:
    """``hidden_logit = weight . h + bias`` for ``h`` the token mean of hidden layer ``layer``.

    Examples
    --------
    >>> p = HiddenProjection(layer=8, weight=[1.0, -1.0], bias=0.5)
    >>> p.value(np.array([2.0, 1.0]))
    1.5
    """

    layer: int
    weight: list[float]
    bias: float
    pool: str = "mean"

    @property
    def size(self) -> int:
        return len(self.weight)

    def value(self, pooled: np.ndarray) -> float:
        h = np.asarray(pooled, dtype=np.float64).reshape(-1)
        if h.shape[0] != self.size:
            raise ValueError(f"hidden head expects {self.size} values, got {h.shape[0]}")
        return float(h @ np.asarray(self.weight, dtype=np.float64) + self.bias)

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "pool": self.pool,
            "bias": self.bias,
            "weight": [round(float(w), 7) for w in self.weight],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HiddenProjection:
        pool = str(data.get("pool", "mean"))
        if pool != "mean":
            raise ValueError(f"hidden head pooling {pool!r} is not supported (only 'mean')")
        return cls(
            int(data["layer"]), [float(w) for w in data["weight"]], float(data["bias"]), pool
        )


def fit_hidden_fusion(
    features: Sequence[Mapping[str, float]],
    pooled: np.ndarray,
    labels: Sequence[int],
    statistics: Sequence[str],
    layer: int,
    c: float,
) -> tuple[FeatureFusion, HiddenProjection]:
    """Standardised L2 logistic regression (scikit-learn, ``C = c``) on the statistics and the
    pooled states ``pooled`` (n_texts, hidden), split into the statistics fusion and the head.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = np.array([0, 1] * 20)
    >>> h = rng.normal(size=(40, 3)) + y[:, None]
    >>> feats = [{"a": float(v)} for v in rng.normal(size=40) + y]
    >>> fusion, head = fit_hidden_fusion(feats, h, y, ["a"], layer=1, c=1.0)
    >>> f = dict(feats[1], hidden_logit=head.value(h[1]))
    >>> fusion.probability(f) > 0.5
    True
    """
    from sklearn.linear_model import LogisticRegression

    stats = np.array([[float(f[n]) for n in statistics] for f in features], dtype=np.float64)
    h = np.asarray(pooled, dtype=np.float64)
    x = np.hstack([stats, h])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, np.asarray(labels))
    coef = model.coef_[0]
    k = len(statistics)
    weight = coef[k:] / scale[k:]
    head = HiddenProjection(layer, [float(w) for w in weight], float(-(weight @ mean[k:])))
    # Stored as a standardised feature like the statistics (mean 0, scale = its spread on the
    # training texts, coef = scale: the same logit), so its share of the verdict is comparable.
    spread = float((h @ weight + head.bias).std()) or 1.0
    fusion = FeatureFusion(
        list(statistics) + [HIDDEN_FEATURE],
        [float(v) for v in mean[:k]] + [0.0],
        [float(v) for v in scale[:k]] + [spread],
        [float(v) for v in coef[:k]] + [spread],
        float(model.intercept_[0]),
    )
    return fusion, head
