"""Fitting the text calibrations and the fused verdict (``fakescope train text``).

One logistic calibration per LM statistic (so each detector can run on its own), then the fused
verdict: a logistic fuser over the default detectors' log-odds, or (the shipped recipe) one
logistic regression on the statistics themselves (:mod:`~fakescope.text.feature_fusion`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from fakescope.core.fusion import LogisticFuser
from fakescope.text.calibration import (
    DEFAULT_DETECTORS,
    DETECTOR_FEATURES,
    Calibration,
    TextWeights,
)
from fakescope.text.feature_fusion import FeatureFusion, fit_feature_fusion
from fakescope.text.hidden_head import HIDDEN_FEATURE, fit_hidden_fusion


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
    statistics: Sequence[str] | None = None,
    statistics_c: float = 1.0,
    pooled: Sequence[Sequence[float]] | None = None,
    head_layer: int | None = None,
    head_c: float = 0.05,
    groups: Sequence[str] | None = None,
    fallback_statistics: Sequence[str] | None = None,
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
    statistics : sequence of str, optional
        Fit the fused verdict as one logistic regression on these statistics instead
        (:mod:`~fakescope.text.feature_fusion`, L2 ``C = statistics_c``); the thresholds then
        come from its scores.
    pooled, head_layer, head_c : optional
        With ``statistics``: the token-mean hidden states of layer ``head_layer`` per text; the
        verdict is then one regression on the statistics and those states (L2 ``C = head_c``,
        :func:`~fakescope.text.hidden_head.fit_hidden_fusion`), and the statistics-only
        regression is kept as its fallback.
    fallback_statistics : sequence of str, optional
        With ``statistics``: also fit a regression on these (e.g. the LM statistics without the
        unigram ones) as the fallback for texts that lack a statistic of the verdict.
    groups : sequence of str, optional
        The source of each text (e.g. its file). The "likely synthetic" threshold is then the
        highest of the per-source human quantiles (sources with >= 20 human texts), so that no
        training source of human text is flagged above ``target_fpr``.
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
    fusion = head = fallback = None
    humans = [g for g, y in zip(groups or [""] * len(labels), labels, strict=True) if not y]
    if statistics:
        fusion = fit_feature_fusion(features, labels, statistics, c=statistics_c)
        if fallback_statistics is not None and list(fallback_statistics) != list(statistics):
            fallback = fit_feature_fusion(features, labels, fallback_statistics, c=statistics_c)
        if pooled is not None and head_layer is not None:
            fallback = fallback or fusion
            fusion, head = fit_hidden_fusion(
                features, np.asarray(pooled), labels, statistics, head_layer, head_c
            )
            features = [
                dict(f, **{HIDDEN_FEATURE: head.value(np.asarray(h))})
                for f, h in zip(features, pooled, strict=True)
            ]
        human_feats = [f for f, y in zip(features, labels, strict=True) if not y]
        by_source = humans if groups else None
        human_scores = [fusion.probability(f) or 0.0 for f in human_feats]
        fuser.thresholds = _thresholds(human_scores, target_fpr, by_source)
        if fallback is not None:
            own = _thresholds(
                [fallback.probability(f) or 0.0 for f in human_feats], target_fpr, by_source
            )
            fallback = _aligned(fallback, own[1], fuser.thresholds[1])
    return TextWeights(
        calibrations,
        fuser,
        model=model,
        window=window,
        feature_fusion=fusion,
        hidden=head,
        fallback=fallback,
    )


def _aligned(fusion: FeatureFusion, own: float, target: float) -> FeatureFusion:
    """``fusion`` with its intercept shifted so that probability ``own`` becomes ``target``."""
    from fakescope.core.fusion import logit

    shift = logit(target) - logit(own)
    return FeatureFusion(
        fusion.features, fusion.mean, fusion.scale, fusion.coef, fusion.intercept + shift
    )


def _thresholds(
    human_scores: Sequence[float], target_fpr: float, groups: Sequence[str] | None = None
) -> tuple[float, float]:
    """("likely real" at or below, "likely synthetic" at or above) from the training humans.

    With ``groups`` (the source of each human score), "likely synthetic" is the highest of the
    per-source quantiles over sources with at least 20 texts.

    Examples
    --------
    >>> _thresholds([0.1] * 95 + [0.9] * 5, 0.01)[1]
    0.9
    >>> scores, sources = [0.6] * 119 + [0.9], ["a"] * 100 + ["b"] * 20
    >>> _thresholds(scores, 0.01)[1], round(_thresholds(scores, 0.01, sources)[1], 3)
    (0.6, 0.843)
    """
    scores = np.asarray(human_scores, dtype=np.float64)
    hi = float(np.quantile(scores, 1.0 - target_fpr)) if len(scores) else 0.7
    if groups is not None and len(scores):
        g = np.asarray(groups)
        per = [scores[g == k] for k in sorted(set(groups))]
        per = [v for v in per if len(v) >= 20]
        if per:
            hi = max(float(np.quantile(v, 1.0 - target_fpr)) for v in per)
    hi = min(0.999, max(0.5, hi))
    return (min(0.3, hi / 2), hi)


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
    fuser.thresholds = _thresholds(list(fused[y == 0]), target_fpr)
    return fuser
