"""The ``fakescope`` command line: a thin layer over :mod:`fakescope.core`.

Results (the human-readable lines, ``--json`` records, the summary) go to standard output;
progress bars, notices and errors about the command itself go to standard error, so
``fakescope scan x > out.txt`` keeps only the results.

Exit codes: 0 every input was analysed, 1 at least one input failed (missing, corrupt,
unsupported), 2 usage error (bad option, unknown detector).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from fakescope import __version__
from fakescope.core.fusion import Report
from fakescope.core.registry import commands, detector_specs

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

app = typer.Typer(
    help="fakescope: tell whether images, video, audio and text were made or altered by a machine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(help="Train a detector's weights from your own data.", no_args_is_help=True)
generate_app = typer.Typer(
    help="Create synthetic media locally (for test sets).", no_args_is_help=True
)
provenance_app = typer.Typer(
    help="Read, validate and write provenance: C2PA manifests and invisible watermarks.",
    no_args_is_help=True,
)
app.add_typer(train_app, name="train")


def _print_version(value: bool) -> None:
    if value:
        out.print(f"fakescope {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the fakescope version and exit.",
        ),
    ] = False,
) -> None:
    """fakescope: tell whether images, video, audio and text were made or altered by a machine."""


app.add_typer(generate_app, name="generate")
app.add_typer(provenance_app, name="provenance")
analyze_app = typer.Typer(
    help="Describe media without judging it (music: tempo, beats, drums, vocals).",
    no_args_is_help=True,
)
app.add_typer(analyze_app, name="analyze")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _progress(enabled: bool) -> Progress:
    # redirect_stdout=False: results printed to stdout must reach stdout even while the bar
    # is drawn on stderr (rich would otherwise route them through the bar's console).
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not enabled,
        redirect_stdout=False,
    )


def _usage_error(message: str) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(EXIT_USAGE)


WEIGHTS_HELP = (
    "Use your own weights: MODALITY=PATH (image, audio, text, video, anomaly; a folder from "
    "`fakescope train MODALITY --out`). Repeat for several. Same as $FAKESCOPE_<MODALITY>_WEIGHTS."
)


def _apply_weights(values: list[str] | None) -> None:
    if not values:
        return
    from importlib.metadata import entry_points

    from fakescope.core.weights import apply_weights_options

    known = {ep.name for ep in entry_points(group="fakescope.plugins")}
    known |= {s.modality for s in detector_specs()}
    try:
        apply_weights_options(values, known)
    except ValueError as exc:
        _usage_error(str(exc))


@app.command()
def scan(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders (recursive), globs, or - for stdin.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per input (JSON Lines).")
    ] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write a report a person reads.")
    ] = None,
    detector: Annotated[
        list[str] | None,
        typer.Option(
            "--detector", "-d", help="Run only these detectors (repeat, or a comma list)."
        ),
    ] = None,
    extra: Annotated[
        list[str] | None,
        typer.Option("--extra", "-x", help="Opt-in detectors to add (repeat, or a comma list)."),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Files scored together.")] = 16,
    threads: Annotated[
        int | None, typer.Option(min=1, help="CPU threads for the models (default: all cores).")
    ] = None,
    weights: Annotated[
        list[str] | None, typer.Option("--weights", metavar="MODALITY=PATH", help=WEIGHTS_HELP)
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            help="local, dask or ray: the same analysis on a cluster, JSON Lines as files finish."
        ),
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(help="Scheduler of an existing cluster (default: start a local one)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Workers of the local cluster (default: 2).")
    ] = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Append JSON Lines here; a rerun skips inputs already in it (resume).",
        ),
    ] = None,
    plugin: Annotated[
        list[str] | None,
        typer.Option("--plugin", help="A Python file that registers detectors (repeat)."),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            min=0,
            help="Seconds one file may take to read, and to analyse, before it is stopped and "
            "reported (0: no limit).",
        ),
    ] = 900.0,
) -> None:
    """Scan files and say, per file, how likely it is machine-made, with the evidence."""
    from fakescope.core.pipeline import Scanner

    if engine != "local" or out_file is not None:
        from fakescope.batch.command import scan_batch

        _apply_weights(weights)  # the local cluster's workers inherit it
        scan_batch(
            paths,
            detector,
            extra,
            batch_size,
            threads,
            engine,
            address,
            workers,
            out_file,
            plugin,
            html,
            timeout or None,
        )
    for path in plugin or []:
        from fakescope.service.worker import run_plugin_file

        run_plugin_file(path)
    if html is not None:
        problem = _output_problem(html)
        if problem:  # found now, not after an hour of scanning
            _usage_error(f"--html {html}: {problem}")
    _set_threads(threads)
    _apply_weights(weights)

    try:
        scanner = Scanner(
            detectors=detector, extra=extra, batch_size=batch_size, timeout=timeout or None
        )
    except KeyError as exc:
        _usage_error(str(exc.args[0]))
    from fakescope.report.html import HtmlReport

    page = HtmlReport() if html is not None else None
    failed = 0
    verdicts: Counter[str] = Counter()
    with _progress(err.is_terminal) as progress:
        task = progress.add_task("scanning", total=None)

        def tick(done: int, total: int, _path: str) -> None:
            progress.update(task, completed=done, total=total)

        for report in scanner.scan(paths, progress=tick):
            failed += report.error is not None
            verdicts[report.verdict] += 1
            if page is not None:
                page.add(report)  # its pictures are drawn now, the data behind them let go
            if as_json:
                _result(progress, json.dumps(report.to_dict()), markup=False)
            else:
                _result(progress, _human_line(report))
    if page is not None and html is not None:
        if not page:
            err.print("[yellow]nothing was scanned; no HTML written[/yellow]")
        else:
            page.write(html)
            err.print(f"wrote {html} ({len(page)} item(s))")
    if not as_json:
        out.print(_summary_line(verdicts))
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def _output_problem(path: Path) -> str | None:
    """Why a report cannot be written at ``path``, checked before the scan starts."""
    if path.is_dir():
        return "is a folder; give a file name"
    folder = path.parent
    if not folder.exists():
        return f"the folder {folder} does not exist"
    if not folder.is_dir():
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "cannot be written (permission denied)"
    return None


def _result(progress: Progress, line: str, *, markup: bool = True) -> None:
    """Print one result line to stdout, above the progress bar when both share a terminal."""
    if out.is_terminal and not progress.disable:
        # The bar is redrawn on the same screen: print through it so the two do not tangle.
        progress.console.print(line, markup=markup, highlight=False)
    else:
        out.print(line, markup=markup, highlight=False)


def _set_threads(threads: int | None) -> None:
    if threads is None:
        return
    import torch

    torch.set_num_threads(threads)


def _summary_line(verdicts: Counter[str]) -> str:
    total = sum(verdicts.values())
    parts = [f"{n} {v}" for v, n in verdicts.most_common() if v != "error"]
    if verdicts.get("error"):
        parts.append(f"{verdicts['error']} could not be analysed")
    return f"{total} item(s): " + ", ".join(parts) if total else "nothing to scan"


def _human_line(report: Report) -> str:
    from rich.markup import escape

    if report.error is not None:
        return f"[red]ERROR[/red]  {escape(report.path)}: {escape(report.error)}"
    colour = {"likely real": "green", "likely synthetic": "red", "uncertain": "yellow"}.get(
        report.verdict, "cyan"
    )
    score = "  –  " if report.score is None else f"{report.score:5.2f}"
    dets = ", ".join(
        f"{k} {'–' if v is None else f'{v:.2f}'}"
        + (" not counted" if k in report.not_counted else "")
        for k, v in report.detector_scores.items()
    )
    verdict = f"[{colour}]{report.verdict:<17}[/{colour}]"
    note = report.metadata.get("analysis_note")
    note = f" [dim]- {escape(str(note))}[/dim]" if note else ""
    return f"{verdict} {score}  {escape(report.path)}  [dim]({dets})[/dim]{note}"


@app.command()
def detectors(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable list.")] = False,
) -> None:
    """List the installed detectors, and warn about any the verdict does not count."""
    from fakescope.core.plugins import plugin_failures
    from fakescope.core.registry import uncounted_detectors

    specs = sorted(detector_specs(), key=lambda s: (s.modality, s.name))
    uncounted = uncounted_detectors()
    if as_json:
        rows = [
            {
                "name": s.name,
                "modality": s.modality,
                "default": s.default,
                "counted_in_verdict": s.name not in uncounted,
                "description": s.description,
            }
            for s in specs
        ]
        payload = {"detectors": rows, "not_counted": uncounted, "plugin_errors": plugin_failures()}
        out.print(json.dumps(payload), markup=False)
        return
    from rich.table import Table

    table = Table("name", "modality", "runs by default", "counts in verdict", "what it looks at")
    for s in specs:
        counts = "[yellow]no[/yellow]" if s.name in uncounted else "yes"
        table.add_row(
            s.name, s.modality, "yes" if s.default else "on request", counts, s.description
        )
    out.print(table)
    for name, why in uncounted.items():
        err.print(f"[yellow]warning: {name}: {why}[/yellow]")
    for name, why in plugin_failures().items():
        err.print(f"[yellow]plugin {name} is not available: {why}[/yellow]")


@app.command()
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
    weights: Annotated[
        list[str] | None, typer.Option("--weights", metavar="MODALITY=PATH", help=WEIGHTS_HELP)
    ] = None,
) -> None:
    """ROC-AUC, AP, EER, TPR at 1 % FPR and accuracy on labelled data.

    Modalities are never pooled: a run over several gives one result per modality. With several
    --detector names, each detector's own score is evaluated (one object per detector under
    "results" in --json).
    """
    from fakescope.core.evaluation import evaluate as run_evaluation
    from fakescope.core.evaluation import evaluate_detectors, plot_roc
    from fakescope.core.registry import parse_detector_names

    _apply_weights(weights)
    names = parse_detector_names(detector) or []
    try:
        with _progress(err.is_terminal and not as_json) as progress:
            task = progress.add_task("evaluating", total=2)

            def tick(done: int, total: int, _side: str) -> None:
                progress.update(task, completed=done, total=total)

            if len(names) > 1:
                results = evaluate_detectors(real, fake, names, progress=tick)
            else:
                one = names[0] if names else None
                results = [run_evaluation(real, fake, detector=one, extra=extra, progress=tick)]
    except KeyError as exc:
        _usage_error(str(exc.args[0]))
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
        _print_evaluation(results, plot)
    for warning in dict.fromkeys(w for r in results for w in r.warnings):
        err.print(f"[yellow]note:[/yellow] {warning}")
    if all(c.n_real == 0 or c.n_fake == 0 for r in results for c in r.curves):
        err.print("[red]error:[/red] need at least one readable real and one readable fake sample")
        raise typer.Exit(EXIT_FAILED)
    raise typer.Exit(EXIT_FAILED if results[0].n_failed else EXIT_OK)


def _print_evaluation(results, plot: Path | None) -> None:
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


def _serve_command():
    from fakescope.service.command import serve

    return serve


def _robustness_command() -> None:
    # the robustness package owns its command; mounted here like the plugin commands
    from fakescope.robustness.cli import robustness_command

    app.command("robustness")(robustness_command)


@app.command()
def version() -> None:
    """Print the fakescope version."""
    out.print(f"fakescope {__version__}")


app.command(name="serve")(_serve_command())


def _mount_plugin_commands() -> None:
    for name, fn in sorted(commands("train").items()):
        train_app.command(name)(fn)
    for name, fn in sorted(commands("generate").items()):
        generate_app.command(name)(fn)
    for name, fn in sorted(commands("provenance").items()):
        provenance_app.command(name)(fn)
    for name, fn in sorted(commands("analyze").items()):
        analyze_app.command(name)(fn)
    _robustness_command()


def main() -> None:
    """Entry point of the ``fakescope`` script."""
    _mount_plugin_commands()
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
