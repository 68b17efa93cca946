"""How much data a training command needs, and how far a figure measured on little data goes.

Every ``fakescope train ...`` command refuses to fit on fewer samples than its minimum (with a
message naming the data and the count), and says how uncertain a metric is when it was measured
on few samples: an ROC-AUC of 1.000 on three texts means little.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

#: Below this many samples of either class a reported metric gets an uncertainty note.
RELIABLE_PER_CLASS = 50


class TooLittleData(ValueError):
    """A training command got fewer samples than it needs."""


def require_samples(counts: Mapping[str, int], minimum: int, *, source: str = "") -> None:
    """Refuse to train when any class has fewer than ``minimum`` usable samples.

    Parameters
    ----------
    counts : mapping
        Usable samples per class, e.g. ``{"human texts": 3, "machine texts": 40}``.
    minimum : int
        Fewest samples of each class the command accepts.
    source : str
        Where the data came from (folder or file names), quoted in the message.

    Raises
    ------
    TooLittleData

    Examples
    --------
    >>> require_samples({"real images": 25}, 20)
    >>> require_samples({"human texts": 3, "machine texts": 40}, 20, source="h.jsonl")
    Traceback (most recent call last):
    ...
    fakescope.core.sample_size.TooLittleData: h.jsonl: need at least 20 human texts, got 3
    """
    short = [f"{minimum} {name}, got {n}" for name, n in counts.items() if n < minimum]
    if short:
        where = f"{source}: " if source else ""
        raise TooLittleData(f"{where}need at least {'; and '.join(short)}")


def auc_standard_error(auc: float, n_pos: int, n_neg: int) -> float:
    """Hanley & McNeil's (1982) standard error of an ROC-AUC measured on ``n_pos`` + ``n_neg``.

    Examples
    --------
    >>> round(auc_standard_error(0.9, 100, 100), 3)
    0.023
    """
    if n_pos < 1 or n_neg < 1:
        return float("nan")
    a = min(max(auc, 1e-6), 1 - 1e-6)
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    var = (a * (1 - a) + (n_pos - 1) * (q1 - a * a) + (n_neg - 1) * (q2 - a * a)) / (n_pos * n_neg)
    return math.sqrt(max(var, 0.0))


def reliability_note(n_pos: int, n_neg: int, auc: float | None = None) -> str | None:
    """A warning when a metric was measured on fewer than ``RELIABLE_PER_CLASS`` of a class.

    Examples
    --------
    >>> print(reliability_note(3, 3, auc=1.0))  # doctest: +NORMALIZE_WHITESPACE
    measured on only 3 + 3 samples: ROC-AUC 1.000, 95 % lower bound about 0.50; use at least 50 of
    each class to trust it
    >>> reliability_note(500, 400) is None
    True
    """
    if min(n_pos, n_neg) >= RELIABLE_PER_CLASS:
        return None
    note = f"measured on only {n_pos} + {n_neg} samples"
    if auc is not None:
        # An observed 1.000 has a Hanley-McNeil error of 0, which says nothing about what a
        # small set can show: the error at chance (0.5) is the honest width.
        se = max(auc_standard_error(auc, n_pos, n_neg), auc_standard_error(0.5, n_pos, n_neg))
        note += f": ROC-AUC {auc:.3f}, 95 % lower bound about {max(0.0, auc - 1.96 * se):.2f}"
    return note + f"; use at least {RELIABLE_PER_CLASS} of each class to trust it"
