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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakescope.core.fusion import LogisticFuser, sigmoid
from fakescope.core.weights import weights_env, weights_file, weights_source

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "window": self.window,
            "calibration": {k: c.to_dict() for k, c in self.calibrations.items()},
            "fuser": self.fuser.to_dict(),
            "info": self.info,
        }

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
        return self._weights().fuser.fuse(evidence)

    def fitted_detectors(self) -> frozenset[str] | None:
        """Detectors the verdict counts (for the core's "not counted" note)."""
        return self._weights().fuser.fitted_detectors()


def fit_calibration(values: Sequence[float], labels: Sequence[int], feature: str) -> Calibration:
    """One-feature logistic regression (standardised inside, stored in raw units).

    Examples
    --------
    >>> cal = fit_calibration([-4.0, -3.8, -2.2, -2.0], [0, 0, 1, 1], "loglik")
    >>> cal.probability(-1.5) > 0.5 > cal.probability(-4.5)
    True
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(values, dtype=np.float64)
    y = np.asarray(labels, dtype=int)
    mu, sd = float(x.mean()), float(x.std()) or 1.0
    model = LogisticRegression(C=1.0, max_iter=1000).fit(((x - mu) / sd)[:, None], y)
    a = float(model.coef_[0, 0]) / sd
    b = float(model.intercept_[0]) - a * mu
    return Calibration(
        feature,
        a,
        b,
        human_mean=float(x[y == 0].mean()) if (y == 0).any() else None,
        machine_mean=float(x[y == 1].mean()) if (y == 1).any() else None,
    )


def fit_weights(
    features: Sequence[Mapping[str, float]],
    labels: Sequence[int],
    *,
    detectors: Sequence[str] = DEFAULT_DETECTORS,
    target_fpr: float = 0.01,
    c: float = 1.0,
    nonnegative: bool = True,
    model: str = "smollm2-135m",
    window: int = 200,
) -> TextWeights:
    """Fit the per-detector calibrations and the logistic fuser on labelled document features.

    Parameters
    ----------
    features : sequence of dict
        Document features (``TextStats.features``), one per text.
    labels : sequence of int
        1 = machine-written, 0 = human.
    detectors : sequence of str
        Which detectors the fused verdict combines (keys of :data:`DETECTOR_FEATURES`).
    target_fpr : float
        The "likely synthetic" threshold is set so that at most this share of the training
        human texts is called synthetic.
    nonnegative : bool
        Keep every fusion weight >= 0 (see :func:`fit_fuser`).
    """
    calibrations: dict[str, Calibration] = {}
    scores: dict[str, list[float]] = {}
    # Every detector whose feature was measured gets a calibration (so it can run on its own);
    # only ``detectors`` enter the fused verdict.
    for name, feat in DETECTOR_FEATURES.items():
        if name not in detectors and not all(feat in f for f in features):
            continue
        values = [float(f[feat]) for f in features]
        cal = fit_calibration(values, labels, feat)
        calibrations[name] = cal
        if name in detectors:
            scores[name] = [cal.probability(v) for v in values]
    fuser = fit_fuser(scores, labels, target_fpr=target_fpr, c=c, nonnegative=nonnegative)
    return TextWeights(calibrations, fuser, model=model, window=window)


def fit_fuser(
    scores: Mapping[str, Sequence[float]],
    labels: Sequence[int],
    *,
    target_fpr: float = 0.01,
    c: float = 1.0,
    nonnegative: bool = True,
) -> LogisticFuser:
    """Logistic regression over the detectors' log-odds, optionally with weights >= 0.

    Every calibrated detector already points towards "machine"; a negative weight would mean
    "more machine-like by this statistic, so more human", which only fits quirks of the training
    generators (on ../shared, likelihood gets a small negative weight next to curvature, and that
    inverts it on chat-model text, where likelihood is the strongest statistic). L2 penalty
    ``1 / (2 c)``, as scikit-learn's ``C``: a small ``c`` keeps the weights close to each
    detector's own evidence instead of the best mix for the training generators (more robust to
    new generators); the fitted direction is then re-scaled by an unpenalised logistic fit, so
    the fused probabilities stay calibrated whatever ``c`` is.

    Examples
    --------
    >>> f = fit_fuser({"a": [0.1, 0.2, 0.8, 0.9], "b": [0.9, 0.1, 0.9, 0.2]}, [0, 0, 1, 1])
    >>> f.coef["a"] > 0 and f.coef["b"] >= 0
    True
    """
    import numpy as np
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression

    from fakescope.core.fusion import logit

    names = sorted(scores)
    x = np.array([[logit(v) for v in scores[n]] for n in names], dtype=np.float64).T
    y = np.asarray(labels, dtype=np.float64)
    sign = 2.0 * y - 1.0

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w[1:] + w[0]
        m = -sign * z
        nll = np.logaddexp(0.0, m).sum()
        g = -sign / (1.0 + np.exp(-m))  # d nll / d z
        grad = np.concatenate([[g.sum()], x.T @ g])
        reg = 0.5 / c * float(w[1:] @ w[1:])
        grad[1:] += w[1:] / c
        return float(nll + reg), grad

    bounds = [(None, None)] + [(0.0, None) if nonnegative else (None, None)] * len(names)
    w0 = np.r_[0.0, np.full(len(names), 1.0 / max(len(names), 1))]
    res = minimize(loss, w0, jac=True, method="L-BFGS-B", bounds=bounds)
    w = res.x[1:]
    # The penalty only chooses the direction (a small c shrinks it towards each detector's own
    # evidence); an unpenalised 1-D logistic on that direction restores calibrated probabilities.
    z = x @ w
    scale, intercept = 0.0, float(res.x[0])
    if float(z.std()) > 0:
        platt = LogisticRegression(C=1e6, max_iter=1000).fit(z[:, None], y.astype(int))
        scale, intercept = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        w = w * max(scale, 0.0)
    fuser = LogisticFuser(
        coef={n: float(v) for n, v in zip(names, w, strict=True)}, intercept=intercept
    )
    fused = 1.0 / (1.0 + np.exp(-(x @ w + intercept)))
    real = fused[y == 0]
    hi = float(np.quantile(real, 1.0 - target_fpr)) if len(real) else 0.7
    hi = min(0.99, max(0.5, hi))
    fuser.thresholds = (min(0.3, hi / 2), hi)
    return fuser
