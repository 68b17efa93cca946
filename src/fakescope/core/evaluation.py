"""Evaluate a detector (or the fused verdict) on folders/files of known real and fake media.

Scores of different modalities are calibrated differently and judged against different
thresholds, so they are never pooled into one ROC: an evaluation over several modalities gives
one result per modality (``per_modality``) and says so in ``warnings``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fakescope.core import metrics
from fakescope.core.fusion import DEFAULT_DECISION_THRESHOLD
from fakescope.core.pipeline import Scanner
from fakescope.core.registry import parse_detector_names

FUSED = "fused"
#: What ``accuracy`` is measured against, per kind of score.
VERDICT_THRESHOLD = "the 'likely synthetic' threshold of the shipped verdict"
DETECTOR_THRESHOLD = "0.5 on the detector's own calibrated score"


@dataclass
class EvaluationResult:
    """Metrics of one evaluation run; ``to_dict`` is the JSON contract of ``fakescope evaluate``.

    ``accuracy`` counts a file as called machine-made when its score reaches ``threshold``: for
    the fused verdict that is the "likely synthetic" threshold the verdict uses (so the figure is
    what a user of ``scan`` sees), for one detector 0.5 on its calibrated score.
    ``real_flagged`` is the share of real files called machine-made at that threshold,
    ``fake_flagged`` the share of fakes.
    """

    detector: str
    threshold: float | None
    n_real: int
    n_fake: int
    modality: str | None = None
    threshold_meaning: str = VERDICT_THRESHOLD
    roc_auc: float | None = None
    average_precision: float | None = None
    eer: float | None = None
    eer_threshold: float | None = None
    tpr_at_1pct_fpr: float | None = None
    accuracy: float | None = None
    real_flagged: float | None = None
    fake_flagged: float | None = None
    n_failed: int = 0
    n_abstained: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    abstained: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    per_modality: list[EvaluationResult] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self, include_samples: bool = False) -> dict[str, Any]:
        out = asdict(self)
        out["per_modality"] = [r.to_dict(include_samples) for r in self.per_modality]
        if not include_samples:
            out.pop("samples")
        return out

    @property
    def curves(self) -> list[EvaluationResult]:
        """The results that have one ROC each (per modality when the run spans several)."""
        return self.per_modality or [self]


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
        Evaluate one detector's own score instead of the fused verdict.
    extra : sequence of str, optional
        Opt-in detectors added to the defaults (and to the fused verdict).

    Returns
    -------
    EvaluationResult
        When the samples span several modalities, the top-level metrics are ``None`` and
        ``per_modality`` holds one result per modality.

    See Also
    --------
    evaluate_detectors : several detectors' own scores from one pass over the files.

    Examples
    --------
    >>> result = evaluate(["real/"], ["fake/"])  # doctest: +SKIP
    >>> result.roc_auc  # doctest: +SKIP
    0.97
    """
    names = [detector] if detector else None
    scanner = scanner or Scanner(detectors=names, extra=extra)
    reports, failed = _scan(scanner, real, fake, progress)
    return _result(detector, reports, failed)


def evaluate_detectors(
    real: Sequence[str],
    fake: Sequence[str],
    detectors: Sequence[str] | str,
    *,
    scanner: Scanner | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[EvaluationResult]:
    """Each named detector's own score, from one pass over the files (``evaluate -d a,b``).

    Examples
    --------
    >>> results = evaluate_detectors(["r/"], ["f/"], "spectrum,metadata")  # doctest: +SKIP
    >>> [r.detector for r in results]  # doctest: +SKIP
    ['spectrum', 'metadata']
    """
    names = parse_detector_names(detectors) or []
    scanner = scanner or Scanner(detectors=names)
    reports, failed = _scan(scanner, real, fake, progress)
    return [_result(name, reports, failed) for name in names]


def _scan(
    scanner: Scanner,
    real: Sequence[str],
    fake: Sequence[str],
    progress: Callable[[int, int, str], None] | None,
) -> tuple[list[tuple[int, Any]], list[dict[str, str]]]:
    reports: list[tuple[int, Any]] = []
    failed: list[dict[str, str]] = []
    for label, inputs in ((0, real), (1, fake)):
        side = "real" if label == 0 else "fake"
        for report in scanner.scan(list(inputs)):
            if report.error is not None:
                failed.append({"path": report.path, "label": side, "error": report.error})
            else:
                reports.append((label, report))
        if progress is not None:
            progress(label + 1, 2, side)  # progress is reported per side
    return reports, failed


def _result(
    detector: str | None, reports: list[tuple[int, Any]], failed: list[dict[str, str]]
) -> EvaluationResult:
    samples: list[dict[str, Any]] = []
    abstained: list[dict[str, str]] = []
    for label, report in reports:
        side = "real" if label == 0 else "fake"
        if detector is None:
            score, threshold = report.score, float(report.thresholds[1])
        else:
            score, threshold = report.detector_scores.get(detector), DEFAULT_DECISION_THRESHOLD
        if score is None:
            reason = report.verdict if detector is None else _reason(report, detector)
            abstained.append(
                {"path": report.path, "label": side, "reason": reason, "modality": report.modality}
            )
            continue
        samples.append(
            {
                "path": report.path,
                "label": label,
                "score": float(score),
                "modality": report.modality,
                "threshold": threshold,
            }
        )
    name = detector or FUSED
    modalities = sorted({r.modality for _, r in reports if r.modality})
    if len(modalities) <= 1:
        result = _metrics(name, samples, modalities[0] if modalities else None, detector)
    else:
        result = EvaluationResult(name, None, *_counts(samples), modality=None)
        result.per_modality = [
            _metrics(name, [s for s in samples if s["modality"] == m], m, detector)
            for m in modalities
        ]
        result.samples = samples
        result.warnings.append(
            f"the samples span {len(modalities)} modalities ({', '.join(modalities)}): their "
            "scores are calibrated differently, so metrics are given per modality, never pooled"
        )
    result.failed, result.n_failed = failed, len(failed)
    result.abstained, result.n_abstained = abstained, len(abstained)
    for r in result.per_modality:
        r.abstained = [a for a in abstained if a["modality"] == r.modality]
        r.n_abstained = len(r.abstained)
    return result


def _metrics(
    name: str, samples: list[dict[str, Any]], modality: str | None, detector: str | None
) -> EvaluationResult:
    thresholds = sorted({s["threshold"] for s in samples})
    result = EvaluationResult(
        name,
        thresholds[0] if len(thresholds) == 1 else None,
        *_counts(samples),
        modality=modality,
        threshold_meaning=VERDICT_THRESHOLD if detector is None else DETECTOR_THRESHOLD,
        samples=samples,
    )
    if len(thresholds) > 1:
        result.warnings.append(
            f"the verdict threshold differs between files ({thresholds[0]:.3f}-"
            f"{thresholds[-1]:.3f}); accuracy uses each file's own"
        )
    if result.n_real and result.n_fake:
        y = np.array([s["label"] for s in samples], dtype=int)
        s = np.array([s["score"] for s in samples], dtype=float)
        thr = np.array([x["threshold"] for x in samples], dtype=float)
        flagged = s >= thr
        result.roc_auc = metrics.roc_auc(y, s)
        result.average_precision = metrics.average_precision(y, s)
        result.eer, result.eer_threshold = metrics.equal_error_rate(y, s)
        result.tpr_at_1pct_fpr = metrics.tpr_at_fpr(y, s, 0.01)
        result.accuracy = float(np.mean(flagged == (y == 1)))
        result.real_flagged = float(flagged[y == 0].mean())
        result.fake_flagged = float(flagged[y == 1].mean())
    return result


def _counts(samples: list[dict[str, Any]]) -> tuple[int, int]:
    labels = [s["label"] for s in samples]
    return labels.count(0), labels.count(1)


def _reason(report: Any, detector: str) -> str:
    for e in report.evidence:
        if e.detector == detector:
            return e.reason
    return f"{detector} did not run on this {report.modality}"


def plot_roc(result: EvaluationResult | Sequence[EvaluationResult], path: str | Path) -> Path:
    """Write the ROC curves of ``result`` (one per modality or per detector) as a PNG."""
    from sklearn.metrics import roc_curve

    from fakescope.core.plotting import figure_to_png, new_figure

    results = [result] if isinstance(result, EvaluationResult) else list(result)
    curves = [c for r in results for c in r.curves]
    fig, ax = new_figure(4.8, 4.2)
    for c in curves:
        if c.roc_auc is None:
            continue
        y = np.array([s["label"] for s in c.samples], dtype=int)
        s = np.array([s["score"] for s in c.samples], dtype=float)
        fpr, tpr, _ = roc_curve(y, s)
        label = (
            c.detector if len(curves) == 1 or c.modality is None else f"{c.detector}, {c.modality}"
        )
        (line,) = ax.plot(fpr, tpr, lw=2, label=f"{label} (AUC {c.roc_auc:.3f})")
        ax.plot([c.eer], [1 - c.eer], "o", color=line.get_color(), label=f"EER {c.eer:.1%}")
    ax.plot([0, 1], [0, 1], "--", color="grey", lw=1, label="chance")
    ax.set_xlabel("false-positive rate (real called fake)")
    ax.set_ylabel("true-positive rate (fakes caught)")
    n_real, n_fake = results[0].n_real, results[0].n_fake
    ax.set_title(f"ROC: {n_real} real vs {n_fake} fake")
    ax.legend(loc="lower right", fontsize=8)
    out = Path(path)
    out.write_bytes(figure_to_png(fig))
    return out
