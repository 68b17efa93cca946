"""Event-detection scores (mir_eval conventions): F-measure with a tolerance window.

Beat tracking is scored with +-70 ms (``mir_eval.beat.f_measure``), drum onsets with +-50 ms (the
usual automatic-drum-transcription window). Each reference event matches at most one estimate.
"""

from __future__ import annotations

import numpy as np


def match_events(ref: np.ndarray, est: np.ndarray, tol: float) -> int:
    """Number of one-to-one matches within ``tol`` seconds (greedy on sorted times, which is
    optimal for equal windows on a line).

    Examples
    --------
    >>> match_events(np.array([1.0, 2.0, 3.0]), np.array([1.05, 2.2, 2.98]), 0.07)
    2
    """
    ref, est = np.sort(np.asarray(ref, float)), np.sort(np.asarray(est, float))
    i = j = hits = 0
    while i < len(ref) and j < len(est):
        if abs(ref[i] - est[j]) <= tol:
            hits += 1
            i += 1
            j += 1
        elif est[j] < ref[i]:
            j += 1
        else:
            i += 1
    return hits


def f_measure(ref: np.ndarray, est: np.ndarray, tol: float) -> float:
    """F-measure of ``est`` against ``ref``; 1.0 when both are empty, 0.0 when one is.

    Examples
    --------
    >>> round(f_measure(np.array([1.0, 2.0]), np.array([1.01, 3.0]), 0.07), 3)
    0.5
    """
    ref, est = np.asarray(ref, float), np.asarray(est, float)
    if len(ref) == 0 and len(est) == 0:
        return 1.0
    if len(ref) == 0 or len(est) == 0:
        return 0.0
    hits = match_events(ref, est, tol)
    return 2.0 * hits / (len(ref) + len(est))


def trim(times: np.ndarray, start: float = 5.0) -> np.ndarray:
    """Drop events in the first ``start`` seconds (mir_eval's beat evaluation skips 5 s)."""
    times = np.asarray(times, float)
    return times[times >= start]


def pooled_f(pairs: list[tuple[np.ndarray, np.ndarray]], tol: float) -> float:
    """F-measure over all events of several files pooled (counts summed before the ratio)."""
    hits = n_ref = n_est = 0
    for ref, est in pairs:
        hits += match_events(ref, est, tol)
        n_ref += len(ref)
        n_est += len(est)
    return 2.0 * hits / (n_ref + n_est) if n_ref + n_est else 1.0
