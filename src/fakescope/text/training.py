"""Fit the text calibration and fusion from labelled texts (``fakescope train text``).

The fitted model is deliberately tiny: one logistic calibration per LM statistic plus a logistic
fuser over four of them. Supervised heads over words or embeddings learn the topics and quirks of
the training generators and fail on newer ones; length-normalised LM statistics transfer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fakescope.core import metrics
from fakescope.core.media import MediaError
from fakescope.core.sample_size import reliability_note, require_samples
from fakescope.text.calibration import DEFAULT_DETECTORS, DETECTOR_FEATURES, TextWeights
from fakescope.text.feature_fusion import STATISTICS
from fakescope.text.fitting import fit_weights
from fakescope.text.hidden_head import HIDDEN_FEATURE
from fakescope.text.language import check_english
from fakescope.text.loader import load_text
from fakescope.text.scoring import MIN_TOKENS, TextScorer

MIN_TEXTS_PER_CLASS = 20
"""Fewer usable texts per class are refused (unless ``allow_small``): the fit would be noise."""

DEFAULT_RIDGE_C = 0.001
"""Strong shrinkage: fusion weights stay near each statistic's own evidence (docs/text.md)."""


@dataclass
class LabelledFeatures:
    """Document features of labelled texts; ``skipped`` lists (path, reason) not used."""

    features: list[dict[str, float]]
    labels: list[int]
    paths: list[str]
    skipped: list[tuple[str, str]]
    pooled: list[np.ndarray] | None = None
    """Token-mean hidden states of the scorer's first pooled layer, when it pools any."""


def read_texts(paths: Sequence[str | Path]) -> list[tuple[str, str]]:
    """``(display path, text)`` of every usable record in the given files.

    Raises
    ------
    MediaError
        When a file cannot be read at all.
    """
    out = []
    for p in paths:
        for media in load_text(Path(p)):
            if not media.metadata.get("error"):
                out.append((media.path, media.data))
    return out


def extract_features(
    scorer: TextScorer,
    texts: Sequence[tuple[str, str]],
    labels: Sequence[int],
    progress: Callable[[int, int], None] | None = None,
    batch: int = 64,
) -> LabelledFeatures:
    """Score each text once, ``batch`` texts per model batch, keeping those the detectors judge."""
    feats, ys, paths, skipped = [], [], [], []
    pooled: list[np.ndarray] | None = [] if scorer.pooled_layers else None
    pending: list[tuple[str, str, int]] = []

    def flush() -> None:
        stats = scorer.stats_batch([t for _, t, _ in pending])
        for (path, _, y), st in zip(pending, stats, strict=True):
            if st.n_scored < MIN_TOKENS:
                skipped.append((path, "too short to judge"))
            else:
                feats.append(dict(st.features))
                ys.append(int(y))
                paths.append(path)
                if pooled is not None and st.pooled is not None:
                    pooled.append(np.asarray(st.pooled[0], dtype=np.float32))
        pending.clear()

    for k, ((path, text), y) in enumerate(zip(texts, labels, strict=True)):
        lang = check_english(text)
        if not lang.ok:
            skipped.append((path, lang.reason))
        else:
            pending.append((path, text, int(y)))
        if len(pending) >= batch or k + 1 == len(texts):
            flush()
        if progress is not None:
            progress(k + 1, len(texts))
    return LabelledFeatures(feats, ys, paths, skipped, pooled)


def summary_metrics(scores: Sequence[float], labels: Sequence[int]) -> dict[str, float]:
    """ROC-AUC, AP, EER and TPR at 1 % FPR of ``scores`` (higher = machine).

    Examples
    --------
    >>> summary_metrics([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])["roc_auc"]
    1.0
    """
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    eer, _ = metrics.equal_error_rate(y, s)
    return {
        "roc_auc": float(metrics.roc_auc(y, s)),
        "average_precision": float(metrics.average_precision(y, s)),
        "eer": float(eer),
        "tpr_at_1pct_fpr": float(metrics.tpr_at_fpr(y, s, 0.01)),
    }


def score_features(weights: TextWeights, features: Sequence[dict[str, float]]) -> dict[str, list]:
    """Per-detector calibrated scores and the fused score of each feature dict."""
    out: dict[str, list] = {name: [] for name in weights.calibrations}
    out["fused"] = []
    for f in features:
        for name, cal in weights.calibrations.items():
            out[name].append(cal.probability(f[cal.feature]))
        out["fused"].append(weights.fused_probability(f))
    return out


def train(
    human: Sequence[str | Path],
    machine: Sequence[str | Path],
    scorer: TextScorer,
    *,
    detectors: Sequence[str] = DEFAULT_DETECTORS,
    target_fpr: float = 0.01,
    nonnegative: bool = True,
    ridge_c: float = DEFAULT_RIDGE_C,
    progress: Callable[[int, int], None] | None = None,
    min_texts: int = MIN_TEXTS_PER_CLASS,
    statistics: Sequence[str] | None = STATISTICS,
    head_c: float = 0.05,
    threshold_by_source: bool = False,
) -> tuple[TextWeights, LabelledFeatures]:
    """Fit :class:`TextWeights` on human (label 0) and machine (label 1) text files.

    Raises :class:`~fakescope.core.sample_size.TooLittleData` (a ``ValueError``) when fewer than
    ``min_texts`` usable texts of either class remain (short and non-English texts are dropped
    first): a calibration on a handful of texts reports a perfect in-sample fit and means nothing.

    A scorer that pools a hidden layer (``TextScorer(pooled_layers=(k,))``) adds a head on that
    layer's token-mean states to the statistics regression (L2 ``C = head_c``). With
    ``threshold_by_source`` the "likely synthetic" threshold keeps every human source (file) at
    or below ``target_fpr`` instead of the pooled human texts.

    Examples
    --------
    >>> weights, data = train(["human.jsonl"], ["machine.jsonl"], scorer)  # doctest: +SKIP
    >>> weights.save("fusion.json")  # doctest: +SKIP
    """
    unknown = [d for d in detectors if d not in DETECTOR_FEATURES]
    if unknown:
        raise ValueError(
            f"unknown text detector(s) {unknown}; choose from {list(DETECTOR_FEATURES)}"
        )
    h = read_texts(human)
    m = read_texts(machine)
    if not h or not m:
        side = "human" if not h else "machine"
        raise MediaError(side, f"no usable {side} texts were found in the given files")
    texts = h + m
    labels = [0] * len(h) + [1] * len(m)
    data = extract_features(scorer, texts, labels, progress)
    if len(set(data.labels)) < 2:
        raise ValueError("after dropping short and non-English texts only one class is left")
    require_samples(
        {
            "usable human texts": data.labels.count(0),
            "usable machine texts": data.labels.count(1),
        },
        min_texts,
        source=", ".join(str(p) for p in [*human, *machine]),
    )
    head_layer = scorer.pooled_layers[0] if data.pooled is not None else None
    if head_layer is not None and not statistics:
        raise ValueError("a hidden-state head needs the statistics fusion (--fusion statistics)")
    weights = fit_weights(
        data.features,
        data.labels,
        pooled=data.pooled,
        head_layer=head_layer,
        head_c=head_c,
        groups=[p.split("#")[0] for p in data.paths] if threshold_by_source else None,
        detectors=detectors,
        target_fpr=target_fpr,
        nonnegative=nonnegative,
        c=ridge_c,
        model=scorer.lm.name,
        window=scorer.window,
        statistics=statistics,
        # texts without some statistic of the verdict (the unigram ones of another tokenizer)
        # get the nine LM statistics' regression, at the same threshold
        fallback_statistics=STATISTICS if statistics else None,
    )
    if weights.hidden is not None and data.pooled is not None:
        for f, h in zip(data.features, data.pooled, strict=True):
            f[HIDDEN_FEATURE] = weights.hidden.value(h)
    scores = score_features(weights, data.features)
    weights.info = {
        "n_human": int(data.labels.count(0)),
        "n_machine": int(data.labels.count(1)),
        "max_tokens": scorer.max_tokens,
        "target_fpr": target_fpr,
        "nonnegative": nonnegative,
        "ridge_c": ridge_c,
        "fusion": "statistics" if statistics else "detectors",
        "head": None if head_layer is None else {"layer": head_layer, "c": head_c},
        "threshold_by_source": threshold_by_source,
        "train_metrics": {k: summary_metrics(v, data.labels) for k, v in scores.items()},
        "human_files": [str(p) for p in human],
        "machine_files": [str(p) for p in machine],
    }
    return weights, data


def small_sample_warnings(weights: TextWeights) -> list[str]:
    """What a reader of the training summary must know about its size.

    Examples
    --------
    >>> from fakescope.core.fusion import LogisticFuser
    >>> w = TextWeights({}, LogisticFuser({}), info={"n_human": 30, "n_machine": 500,
    ...                                              "target_fpr": 0.01})
    >>> small_sample_warnings(w)[0][:51]
    "the 'likely synthetic' threshold aims at 1.0% false"
    """
    info = weights.info
    n_human, n_machine = int(info.get("n_human", 0)), int(info.get("n_machine", 0))
    target = float(info.get("target_fpr", 0.01))
    out = []
    if target > 0 and n_human < 1.0 / target:
        out.append(
            f"the 'likely synthetic' threshold aims at {target:.1%} false positives but rests on "
            f"only {n_human} human texts (at least {int(round(1 / target))} are needed to place "
            "it); expect more false positives on new human text"
        )
    fused = info.get("train_metrics", {}).get("fused", {})
    note = reliability_note(n_machine, n_human, fused.get("roc_auc"))
    if note is not None:
        out.append(f"the training fit was {note}")
    out.append(
        "these metrics are measured on the training texts themselves; evaluate on held-out "
        "files with `fakescope evaluate`"
    )
    return out


def describe(weights: TextWeights) -> list[list[Any]]:
    """Rows ``[name, roc_auc, eer, tpr@1%]`` of the training metrics, for printing."""
    rows = []
    for name, m in weights.info.get("train_metrics", {}).items():
        rows.append([name, m["roc_auc"], m["eer"], m["tpr_at_1pct_fpr"]])
    return rows
