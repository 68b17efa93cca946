"""The two detection metrics scikit-learn lacks: equal error rate and TPR at a fixed FPR.

Label 1 = machine-made, higher score = more likely machine-made. For ROC curves, ROC-AUC and
average precision use scikit-learn directly (``sklearn.metrics.roc_curve``, ``roc_auc_score``,
``average_precision_score``); both helpers here are built on its ``roc_curve``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _validate(labels: ArrayLike, scores: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels, dtype=int).ravel()
    s = np.asarray(scores, dtype=float).ravel()
    if y.shape != s.shape:
        raise ValueError(f"{len(y)} labels but {len(s)} scores")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("labels must be 0 (real) or 1 (machine-made)")
    if len(y) == 0 or y.min() == y.max():
        raise ValueError("need at least one real and one machine-made sample")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite")
    return y, s


def _roc(labels: ArrayLike, scores: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.metrics import roc_curve

    y, s = _validate(labels, scores)
    return roc_curve(y, s, drop_intermediate=False)


def equal_error_rate(labels: ArrayLike, scores: ArrayLike) -> tuple[float, float]:
    """Equal error rate and the threshold where FPR = FNR (linear interpolation on the ROC).

    Examples
    --------
    >>> equal_error_rate([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])[0]
    0.0
    >>> round(equal_error_rate([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])[0], 3)
    0.5
    """
    fpr, tpr, thr = _roc(labels, scores)
    fnr = 1.0 - tpr
    diff = fpr - fnr
    i = int(np.argmax(diff >= 0))
    if i == 0:
        return float(fpr[0]), float(thr[1] if len(thr) > 1 else thr[0])
    d0, d1 = diff[i - 1], diff[i]
    w = 0.0 if d1 == d0 else -d0 / (d1 - d0)
    eer = fpr[i - 1] + w * (fpr[i] - fpr[i - 1])
    t_hi = thr[i - 1] if np.isfinite(thr[i - 1]) else thr[i]
    return float(eer), float(t_hi + w * (thr[i] - t_hi))


def tpr_at_fpr(labels: ArrayLike, scores: ArrayLike, max_fpr: float = 0.01) -> float:
    """Highest true-positive rate reachable with false-positive rate <= ``max_fpr``.

    Examples
    --------
    >>> tpr_at_fpr([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], 0.0)
    0.5
    """
    fpr, tpr, _ = _roc(labels, scores)
    ok = fpr <= max_fpr + 1e-12
    return float(tpr[ok].max()) if ok.any() else 0.0


def roc_auc(labels: ArrayLike, scores: ArrayLike) -> float:
    """``sklearn.metrics.roc_auc_score`` after the checks above (kept for existing callers).

    Examples
    --------
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(*_validate(labels, scores)))


def average_precision(labels: ArrayLike, scores: ArrayLike) -> float:
    """``sklearn.metrics.average_precision_score`` after the checks above (kept for callers).

    Examples
    --------
    >>> round(average_precision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
    0.8333
    """
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(*_validate(labels, scores)))
