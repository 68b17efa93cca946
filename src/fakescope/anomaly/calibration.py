"""Map raw anomaly scores to [0, 1] using held-out *real* data only (pure NumPy).

A one-class model never sees fakes, so the calibration is anchored on the false-positive side:
the median real image maps to 0.1 and the 99th percentile of real images to 0.5. A higher
score means "less like any real image the model learned", not a fitted P(fake).
"""

from __future__ import annotations

import math

import numpy as np

MEDIAN_PROBABILITY = 0.1
CENTER_QUANTILE = 0.99


def fit_calibration(real_raw_scores: np.ndarray, log: bool = True) -> dict[str, float]:
    """Fit a logistic map on (log) raw scores of held-out real images.

    Parameters
    ----------
    real_raw_scores : ndarray
        Raw scores of real images the model was not trained on (positive when ``log``).
    log : bool
        Work on log scores (residuals are positive and skewed); False for signed scores
        such as the critic's.

    Returns
    -------
    dict with ``center`` and ``scale`` (in (log-)score units), ``log`` and the quantiles used.

    Examples
    --------
    >>> cal = fit_calibration(np.exp(np.linspace(0, 1, 101)))
    >>> round(apply_calibration(np.exp(0.5), cal), 2)
    0.1
    """
    logs = _transform(np.asarray(real_raw_scores, dtype=np.float64), log)
    if logs.size < 2:
        raise ValueError("calibration needs at least two held-out real scores")
    median = float(np.median(logs))
    center = float(np.quantile(logs, CENTER_QUANTILE))
    # Guard against a degenerate spread (all scores equal): one unit of log score.
    spread = max(center - median, 1e-3)
    scale = spread / math.log((1 - MEDIAN_PROBABILITY) / MEDIAN_PROBABILITY)
    return {"center": center, "scale": scale, "median": median, "n": int(logs.size), "log": log}


def apply_calibration(raw: float | np.ndarray, calibration: dict[str, float]) -> float | np.ndarray:
    """Logistic map of log raw score(s) to [0, 1] with the fitted center and scale.

    Examples
    --------
    >>> round(float(apply_calibration(1.0, {"center": 0.0, "scale": 1.0})), 2)
    0.5
    """
    logs = _transform(np.asarray(raw, dtype=np.float64), bool(calibration.get("log", True)))
    z = np.clip((logs - calibration["center"]) / calibration["scale"], -50, 50)
    out = 1.0 / (1.0 + np.exp(-z))
    return float(out) if np.ndim(out) == 0 else out


def _transform(values: np.ndarray, log: bool) -> np.ndarray:
    return np.log(np.maximum(values, 1e-12)) if log else values


def fit_gaussian(features: np.ndarray, ridge: float = 1e-6) -> dict[str, list]:
    """Mean and inverse covariance of held-out real feature vectors (rows), for Mahalanobis.

    Examples
    --------
    >>> g = fit_gaussian(np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]]))
    >>> g["mean"]
    [1.0, 1.0]
    """
    x = np.asarray(features, dtype=np.float64)
    cov = np.atleast_2d(np.cov(x.T)) + ridge * np.eye(x.shape[1])
    return {"mean": x.mean(axis=0).tolist(), "inv_cov": np.linalg.inv(cov).tolist()}


def mahalanobis(features: np.ndarray, gaussian: dict[str, list]) -> np.ndarray:
    """Mahalanobis distance of feature vector(s) to a :func:`fit_gaussian` fit.

    Two-sided by nature: a statistic far *below* the real range is as atypical as one far above.

    Examples
    --------
    >>> g = {"mean": [0.0, 0.0], "inv_cov": [[1.0, 0.0], [0.0, 4.0]]}
    >>> mahalanobis(np.array([[3.0, 0.0], [0.0, -1.0]]), g).tolist()
    [3.0, 2.0]
    """
    d = np.atleast_2d(features) - np.asarray(gaussian["mean"])
    inv = np.asarray(gaussian["inv_cov"])
    return np.sqrt(np.einsum("ij,jk,ik->i", d, inv, d))
