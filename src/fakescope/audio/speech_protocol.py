"""Held-out-family / held-out-source evaluation and many-source calibration of speech detectors.

A *split* holds out a set of synthesis families and a set of real sources; a model is fitted on
the rest and scores the held-out files. Inside every fit the training groups are hashed 75/25
into a fitting part and a calibration part (:func:`inner_split`): Platt scaling and the
"likely synthetic" threshold come from the calibration part (:func:`calibrate`), never from the
files being scored.

Schemes (:func:`loso_splits`, :func:`lorso_splits`, :func:`grouped_splits`):

- leave-one-system-out: every family F with every real fold k (real sources in K folds), so that
  every score comes from a model that saw neither the file's family nor its source;
- leave-one-real-source-out: every real source alone, all families in training;
- grouped K-fold: K splits, each holding out about 1/K of the families and of the real sources
  (cheaper; used for the CNN, stricter than leave-one-out).

Copy-synthesis items (``speech_data.COPY_FAMILIES``) are training data only: a copy is held out
with the real source it was made from (its ``origin``) and with the genuine families its vocoder
imitates (``speech_data.COPY_HELD_WITH``), goes to the side of the inner split of its origin, and
is never scored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from fakescope.core import metrics

NARROW_SHARE = 0.3  # share of narrow-band audio (weighted) in each class
FLAG_QUANTILE = 0.99  # round 1: "likely synthetic" above this quantile of pooled real scores
SOURCE_QUANTILE = 0.95  # round 2: every calibration source at most 5 % flagged ...
FLAG_MARGIN = 1.0  # ... plus this margin (logit units)
MIN_SOURCE_CLIPS = 8
THRESHOLD_RANGE = (0.5, 0.995)


@dataclass
class Split:
    """Held-out families and sources; ``name`` labels the row of the table."""

    name: str
    families: frozenset[str]
    sources: frozenset[str]


@dataclass
class Calibration:
    """``logit = a * raw + b``; ``threshold``: P(synthetic) at or above which a file is "likely
    synthetic" (set on real calibration speech, every source weighted equally)."""

    a: float
    b: float
    threshold: float
    info: dict = field(default_factory=dict)

    def logits(self, raw: np.ndarray) -> np.ndarray:
        return self.a * np.asarray(raw, dtype=np.float64) + self.b


def _h(text: str) -> float:
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def real_folds(source_sizes: dict[str, int], k: int = 5) -> list[list[str]]:
    """Real sources in ``k`` folds of similar size (largest first, into the smallest fold).

    Examples
    --------
    >>> real_folds({"a": 10, "b": 9, "c": 2, "d": 1}, 2)
    [['a', 'd'], ['b', 'c']]
    """
    folds: list[list[str]] = [[] for _ in range(k)]
    sizes = [0] * k
    for name, n in sorted(source_sizes.items(), key=lambda kv: (-kv[1], kv[0])):
        j = int(np.argmin(sizes))
        folds[j].append(name)
        sizes[j] += n
    return [sorted(f) for f in folds if f]


def loso_splits(families: Sequence[str], folds: list[list[str]]) -> list[Split]:
    """Every family with every real fold."""
    return [
        Split(f"{fam}|fold{k}", frozenset([fam]), frozenset(fold))
        for fam in sorted(families)
        for k, fold in enumerate(folds)
    ]


def lorso_splits(sources: Sequence[str]) -> list[Split]:
    """Every real source alone (no family held out)."""
    return [Split(f"real:{s}", frozenset(), frozenset([s])) for s in sorted(sources)]


def grouped_splits(families: Sequence[str], folds: list[list[str]]) -> list[Split]:
    """K splits: real fold k with every K-th family (families sorted by name, offset k)."""
    fams = sorted(families)
    k = len(folds)
    return [Split(f"group{j}", frozenset(fams[j::k]), frozenset(folds[j])) for j in range(k)]


def inner_split(groups: np.ndarray, share: float = 0.25) -> np.ndarray:
    """Boolean mask of the calibration part: whole groups hashed into it (about ``share``)."""
    return np.array([_h("cal|" + g) < share for g in groups])


def balance_weights(labels: np.ndarray, groups: np.ndarray, narrow: np.ndarray) -> np.ndarray:
    """Per-clip training weights.

    Both classes weigh the same; inside a class a group of n clips weighs sqrt(n) (big sources
    count more, but not n times more); narrow-band clips make up ``NARROW_SHARE`` of each class's
    weight, whatever share of the class is 8 kHz by nature (FSDD and telephone prompts are all
    real, so without this "narrow band" would mean "real").
    """
    labels, groups, narrow = np.asarray(labels), np.asarray(groups), np.asarray(narrow, bool)
    w = np.zeros(len(labels), dtype=np.float64)
    for g in np.unique(groups):
        m = groups == g
        w[m] = np.sqrt(m.sum()) / m.sum()
    for c in (0, 1):
        m = labels == c
        if not m.any():
            continue
        for band, share in ((True, NARROW_SHARE), (False, 1 - NARROW_SHARE)):
            mb = m & (narrow == band)
            if mb.any():
                w[mb] *= share / w[mb].sum()
        w[m] /= w[m].sum()
    return w * len(w) / 2


def source_weighted_quantile(values: np.ndarray, sources: np.ndarray, q: float) -> float:
    """Quantile of ``values`` with every source weighted equally.

    Examples
    --------
    >>> v = np.r_[np.zeros(98), 1.0, 1.0]
    >>> s = np.r_[["a"] * 98, ["b"] * 2]
    >>> source_weighted_quantile(v, s, 0.6)
    1.0
    """
    values, sources = np.asarray(values, dtype=np.float64), np.asarray(sources)
    w = np.zeros(len(values))
    for s in np.unique(sources):
        m = sources == s
        w[m] = 1.0 / m.sum()
    order = np.argsort(values)
    cum = np.cumsum(w[order]) / w.sum()
    return float(values[order][min(np.searchsorted(cum, q), len(values) - 1)])


def source_threshold(logits: np.ndarray, sources: np.ndarray) -> float | None:
    """Protective "likely synthetic" threshold (a logit) from real calibration scores.

    The largest, over real sources with at least ``MIN_SOURCE_CLIPS`` clips, of that source's
    ``SOURCE_QUANTILE`` quantile, plus ``FLAG_MARGIN``: no calibration source has more than 5 %
    of its clips above it, with a margin for unseen sources. None without such a source.

    Examples
    --------
    >>> z = np.r_[np.zeros(20), np.ones(20)]
    >>> s = np.r_[["a"] * 20, ["b"] * 20]
    >>> source_threshold(z, s)
    2.0
    """
    logits, sources = np.asarray(logits, dtype=np.float64), np.asarray(sources)
    qs = [
        float(np.quantile(logits[sources == s], SOURCE_QUANTILE))
        for s in np.unique(sources)
        if (sources == s).sum() >= MIN_SOURCE_CLIPS
    ]
    return max(qs) + FLAG_MARGIN if qs else None


def calibrate(
    raw: np.ndarray, labels: np.ndarray, groups: np.ndarray, rule: str = "source-q95"
) -> Calibration:
    """Platt scaling on calibration scores, and the many-source "likely synthetic" threshold.

    ``rule="source-q95"`` (round 2, the default): :func:`source_threshold`, i.e. every real
    calibration source at most 5 % flagged, plus a margin of 1 logit, kept within
    ``THRESHOLD_RANGE``. ``rule="pooled-q99"`` (round 1): the ``FLAG_QUANTILE`` quantile of the
    real calibration clips with every source weighted equally, kept within [0.5, 0.98].
    """
    from sklearn.linear_model import LogisticRegression

    raw, labels, groups = np.asarray(raw, dtype=np.float64), np.asarray(labels), np.asarray(groups)
    w = np.where(labels == 1, 0.5 / max((labels == 1).sum(), 1), 0.5 / max((labels == 0).sum(), 1))
    lr = LogisticRegression(C=10.0).fit(raw[:, None], labels, sample_weight=w * len(w))
    a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    z = a * raw + b
    p = 1 / (1 + np.exp(-z))
    real = labels == 0
    q = source_weighted_quantile(p[real], groups[real], FLAG_QUANTILE)
    info = {"n": int(len(raw)), "real_q99": q, "rule": rule}
    t = source_threshold(z[real], groups[real]) if rule == "source-q95" else None
    if t is None:
        threshold = float(np.clip(q, 0.5, 0.98))
    else:
        threshold = float(np.clip(1 / (1 + np.exp(-t)), *THRESHOLD_RANGE))
    return Calibration(a, b, threshold, info)


@dataclass
class Scored:
    """Calibrated logits of held-out clips from one split."""

    split: Split
    index: np.ndarray  # indices into the copies
    logits: np.ndarray
    threshold: float


FitScore = Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, Calibration]]


def held_out(split: Split, labels, groups, origins=None) -> np.ndarray:
    """Mask of the items a split holds out (copies: with their origin source or with the genuine
    families their vocoder imitates)."""
    from fakescope.audio.speech_data import COPY_HELD_WITH, is_copy_family

    origins = [""] * len(labels) if origins is None else origins
    out = np.zeros(len(labels), dtype=bool)
    for i, (lab, g, o) in enumerate(zip(labels, groups, origins, strict=True)):
        if lab == 0:
            out[i] = g in split.sources
        elif is_copy_family(g):
            out[i] = o in split.sources or bool(COPY_HELD_WITH.get(g, frozenset()) & split.families)
        else:
            out[i] = g in split.families
    return out


def run_splits(
    splits: list[Split],
    labels: np.ndarray,
    groups: np.ndarray,
    is_test_copy: np.ndarray,
    fit_score: FitScore,
    log: Callable[[str], None] = print,
    origins: np.ndarray | None = None,
) -> list[Scored]:
    """For each split: train on everything not held out, score the held-out test copies.

    ``fit_score(train_idx, cal_idx, test_idx)`` fits on ``train_idx``, calibrates on ``cal_idx``
    and returns raw scores of ``test_idx`` and the calibration. ``origins``: the real source of
    each copy-synthesis item ("" for the others); copies are held out with it and never scored.
    """
    from fakescope.audio.speech_data import is_copy_family

    out = []
    groups = np.asarray(groups)
    origins = np.full(len(groups), "", dtype=object) if origins is None else np.asarray(origins)
    split_groups = np.array([o or g for o, g in zip(origins, groups, strict=True)])
    scorable = np.array([not is_copy_family(g) for g in groups])
    for n, split in enumerate(splits):
        held = held_out(split, labels, groups, origins)
        train_all = np.flatnonzero(~held)
        cal_mask = inner_split(split_groups[train_all])
        test = np.flatnonzero(held & is_test_copy & scorable)
        raw, cal = fit_score(train_all[~cal_mask], train_all[cal_mask], test)
        out.append(Scored(split, test, cal.logits(raw), cal.threshold))
        log(f"[{n + 1}/{len(splits)}] {split.name}: {len(test)} held-out clips scored")
    return out


def summarise(
    labels: np.ndarray, logits: np.ndarray, threshold: float | np.ndarray | None = None
) -> dict:
    """EER, ROC-AUC, TPR at 1 % FPR and (with ``threshold``) the shares flagged."""
    y, z = np.asarray(labels), np.asarray(logits, dtype=np.float64)
    out = {"n_real": int((y == 0).sum()), "n_fake": int((y == 1).sum())}
    if out["n_real"] and out["n_fake"]:
        out["eer"] = metrics.equal_error_rate(y, z)[0]
        out["auc"] = metrics.roc_auc(y, z)
        out["tpr_1pct"] = metrics.tpr_at_fpr(y, z, 0.01)
    if threshold is not None:
        p = 1 / (1 + np.exp(-z))
        flagged = p >= np.asarray(threshold)
        if out["n_real"]:
            out["real_flagged"] = float(flagged[y == 0].mean())
        if out["n_fake"]:
            out["fake_flagged"] = float(flagged[y == 1].mean())
    return out
