"""Evaluate a detector (or the fused verdict) on folders/files of known real and fake media."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fakescope.core import metrics
from fakescope.core.fusion import DEFAULT_DECISION_THRESHOLD
from fakescope.core.pipeline import Scanner
from fakescope.core.registry import get_fuser

FUSED = "fused"


@dataclass
class EvaluationResult:
    """Metrics of one evaluation run; ``to_dict`` is the JSON contract of ``fakescope evaluate``."""

    detector: str
    threshold: float
    n_real: int
    n_fake: int
    roc_auc: float | None = None
    average_precision: float | None = None
    eer: float | None = None
    eer_threshold: float | None = None
    tpr_at_1pct_fpr: float | None = None
    accuracy: float | None = None
    n_failed: int = 0
    n_abstained: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    abstained: list[dict[str, str]] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self, include_samples: bool = False) -> dict[str, Any]:
        out = asdict(self)
        if not include_samples:
            out.pop("samples")
        return out


def evaluate(
    real: Sequence[str],
    fake: Sequence[str],
    *,
    detector: str | None = None,
    extra: Sequence[str] | None = None,
    scanner: Scanner | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> EvaluationResult:
    """Score every real and fake sample and compute ROC-AUC, AP, EER and TPR at 1 % FPR.

    Parameters
    ----------
    real, fake : sequence of str
        Files, folders or glob patterns; a ``.jsonl`` counts one sample per record.
    detector : str, optional
        Evaluate one detector's score instead of the fused verdict.
    extra : sequence of str, optional
        Opt-in detectors added to the defaults (and to the fused verdict).

    Examples
    --------
    >>> result = evaluate(["real/"], ["fake/"])  # doctest: +SKIP
    >>> result.roc_auc  # doctest: +SKIP
    0.97
    """
    scanner = scanner or Scanner(detectors=[detector] if detector else None, extra=extra)
    samples: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []
    abstained: list[dict[str, str]] = []
    threshold = DEFAULT_DECISION_THRESHOLD
    for label, inputs in ((0, real), (1, fake)):
        side = "real" if label == 0 else "fake"
        for report in scanner.scan(list(inputs)):
            if report.error is not None:
                failed.append({"path": report.path, "label": side, "error": report.error})
                continue
            if detector is None:
                score = report.score
                fuser = get_fuser(report.modality or "")
                threshold = float(getattr(fuser, "decision_threshold", threshold))
            else:
                score = report.detector_scores.get(detector)
            if score is None:
                reason = report.verdict if detector is None else _reason(report, detector)
                abstained.append({"path": report.path, "label": side, "reason": reason})
                continue
            samples.append({"path": report.path, "label": label, "score": float(score)})
        if progress is not None:
            progress(label + 1, 2, side)  # progress is reported per side
    y = np.array([s["label"] for s in samples], dtype=int)
    s = np.array([s["score"] for s in samples], dtype=float)
    n_real, n_fake = int((y == 0).sum()), int((y == 1).sum())
    result = EvaluationResult(
        detector=detector or FUSED,
        threshold=threshold,
        n_real=n_real,
        n_fake=n_fake,
        n_failed=len(failed),
        n_abstained=len(abstained),
        failed=failed,
        abstained=abstained,
        samples=samples,
    )
    if n_real and n_fake:
        result.roc_auc = metrics.roc_auc(y, s)
        result.average_precision = metrics.average_precision(y, s)
        result.eer, result.eer_threshold = metrics.equal_error_rate(y, s)
        result.tpr_at_1pct_fpr = metrics.tpr_at_fpr(y, s, 0.01)
        result.accuracy = metrics.accuracy_at(y, s, threshold)
    return result


def _reason(report: Any, detector: str) -> str:
    for e in report.evidence:
        if e.detector == detector:
            return e.reason
    return f"{detector} did not run on this {report.modality}"


def plot_roc(result: EvaluationResult, path: str | Path) -> Path:
    """Write the ROC curve of ``result`` as a PNG."""
    from fakescope.core.plotting import figure_to_png, new_figure

    y = np.array([s["label"] for s in result.samples], dtype=int)
    s = np.array([s["score"] for s in result.samples], dtype=float)
    fig, ax = new_figure(4.8, 4.2)
    if result.roc_auc is not None:
        fpr, tpr, _ = metrics.roc_curve(y, s)
        ax.plot(fpr, tpr, lw=2, label=f"{result.detector} (AUC {result.roc_auc:.3f})")
        ax.plot([result.eer], [1 - result.eer], "o", label=f"EER {result.eer:.1%}")
    ax.plot([0, 1], [0, 1], "--", color="grey", lw=1, label="chance")
    ax.set_xlabel("false-positive rate (real called fake)")
    ax.set_ylabel("true-positive rate (fakes caught)")
    ax.set_title(f"ROC: {result.n_real} real vs {result.n_fake} fake")
    ax.legend(loc="lower right", fontsize=8)
    out = Path(path)
    out.write_bytes(figure_to_png(fig))
    return out
