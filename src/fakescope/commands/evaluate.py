"""``fakescope evaluate``: ROC-AUC, AP, EER, TPR at 1 % FPR and accuracy on labelled data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from fakescope.commands.options import Weights, apply_weights
from fakescope.console import EXIT_FAILED, EXIT_OK, err, out, progress_bar, usage_error


def evaluate(
    real: Annotated[
        list[str], typer.Option("--real", help="Real samples: file, folder or .jsonl.")
    ],
    fake: Annotated[list[str], typer.Option("--fake", help="Machine-made samples.")],
    detector: Annotated[
        list[str] | None,
        typer.Option(
            "--detector",
            "-d",
            help="Evaluate these detectors' own scores instead of the fused verdict (repeat, or "
            "a comma list).",
        ),
    ] = None,
    extra: Annotated[
        list[str] | None,
        typer.Option(
            "--extra",
            "-x",
            help="Opt-in detectors to add to the fused verdict (repeat, or a comma list).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print exactly one JSON object.")] = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write the ROC curve (PNG).")] = None,
    samples: Annotated[
        bool, typer.Option("--samples", help="Include per-sample scores in --json.")
    ] = False,
    weights: Weights = None,
) -> None:
    """ROC-AUC, AP, EER, TPR at 1 % FPR and accuracy on labelled data.

    Modalities are never pooled: a run over several gives one result per modality. With several
    --detector names, each detector's own score is evaluated (one object per detector under
    "results" in --json).
    """
    from fakescope.core.evaluation import evaluate as run_evaluation
    from fakescope.core.evaluation import evaluate_detectors, plot_roc
    from fakescope.core.registry import parse_detector_names

    apply_weights(weights)
    names = parse_detector_names(detector) or []
    try:
        with progress_bar(err.is_terminal and not as_json, redirect_stdout=False) as progress:
            task = progress.add_task("evaluating", total=2)

            def tick(done: int, total: int, _side: str) -> None:
                progress.update(task, completed=done, total=total)

            if len(names) > 1:
                results = evaluate_detectors(real, fake, names, progress=tick)
            else:
                one = names[0] if names else None
                results = [run_evaluation(real, fake, detector=one, extra=extra, progress=tick)]
    except KeyError as exc:
        usage_error(str(exc.args[0]))
    if plot is not None:
        plot_roc(results, plot)
    if as_json:
        payload = (
            results[0].to_dict(include_samples=samples)
            if len(results) == 1
            else {"results": [r.to_dict(include_samples=samples) for r in results]}
        )
        if plot is not None:
            payload["plot"] = str(plot)
        out.print(json.dumps(payload), markup=False, highlight=False)
    else:
        print_evaluation(results, plot)
    for warning in dict.fromkeys(w for r in results for w in r.warnings):
        err.print(f"[yellow]note:[/yellow] {warning}")
    if all(c.n_real == 0 or c.n_fake == 0 for r in results for c in r.curves):
        err.print("[red]error:[/red] need at least one readable real and one readable fake sample")
        raise typer.Exit(EXIT_FAILED)
    raise typer.Exit(EXIT_FAILED if results[0].n_failed else EXIT_OK)


def print_evaluation(results: list, plot: Path | None) -> None:
    """The metrics as aligned lines, one block per detector and modality."""

    def fmt(v: float | None, pct: bool = False) -> str:
        return "n/a" if v is None else (f"{v:.2%}" if pct else f"{v:.4f}")

    first = results[0]
    out.print(
        f"samples             {first.n_real} real, {first.n_fake} fake"
        f" ({first.n_failed} failed, {first.n_abstained} abstained)"
    )
    several = len(first.curves) > 1 or len(results) > 1
    for c in (c for r in results for c in r.curves):
        on = f" on {c.modality}" if c.modality else ""
        out.print(f"{'' if not several else chr(10)}detector            {c.detector}{on}")
        if several:
            out.print(f"samples             {c.n_real} real, {c.n_fake} fake")
        out.print(f"ROC-AUC             {fmt(c.roc_auc)}")
        out.print(f"average precision   {fmt(c.average_precision)}")
        out.print(f"EER                 {fmt(c.eer, True)}")
        out.print(f"TPR at 1% FPR       {fmt(c.tpr_at_1pct_fpr, True)}")
        at = "each file's own" if c.threshold is None else f"{c.threshold:.2f}"
        out.print(f"accuracy @ {at:<8} {fmt(c.accuracy, True)}  ({c.threshold_meaning})")
        out.print(
            f"called fake @ {at:<5} {fmt(c.real_flagged, True)} of real, "
            f"{fmt(c.fake_flagged, True)} of fake"
        )
    for f in first.failed[:20]:
        err.print(f"[red]failed[/red] {f['path']}: {f['error']}")
    if plot is not None:
        out.print(f"ROC plot            {plot}")
