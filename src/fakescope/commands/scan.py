"""``fakescope scan``: one line (or one JSON record) per input, as each is ready."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from fakescope.commands.options import PluginFiles, Weights, apply_weights
from fakescope.console import (
    EXIT_FAILED,
    EXIT_OK,
    err,
    out,
    print_result,
    progress_bar,
    usage_error,
)
from fakescope.core.fusion import Report


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
    weights: Weights = None,
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
    plugin: PluginFiles = None,
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
        from fakescope.batch.task import ScanConfig

        apply_weights(weights)  # the local cluster's workers inherit it
        config = ScanConfig(
            detectors=tuple(detector) if detector else None,
            extra=tuple(extra or ()),
            batch_size=batch_size,
            threads=threads,
            plugin_files=tuple(str(Path(p).resolve()) for p in plugin or []),
            timeout=timeout or None,
        )
        scan_batch(
            paths, config, engine=engine, address=address, workers=workers, out=out_file, html=html
        )
    for path in plugin or []:
        from fakescope.service.worker import run_plugin_file

        run_plugin_file(path)
    if html is not None:
        problem = output_problem(html)
        if problem:  # found now, not after an hour of scanning
            usage_error(f"--html {html}: {problem}")
    set_threads(threads)
    apply_weights(weights)

    try:
        scanner = Scanner(
            detectors=detector, extra=extra, batch_size=batch_size, timeout=timeout or None
        )
    except KeyError as exc:
        usage_error(str(exc.args[0]))
    from fakescope.report.html import HtmlReport

    page = HtmlReport() if html is not None else None
    failed = 0
    verdicts: Counter[str] = Counter()
    with progress_bar(err.is_terminal, redirect_stdout=False) as progress:
        task = progress.add_task("scanning", total=None)

        def tick(done: int, total: int, _path: str) -> None:
            progress.update(task, completed=done, total=total)

        for report in scanner.scan(paths, progress=tick):
            failed += report.error is not None
            verdicts[report.verdict] += 1
            if page is not None:
                page.add(report)  # its pictures are drawn now, the data behind them let go
            if as_json:
                print_result(progress, json.dumps(report.to_dict()), markup=False)
            else:
                print_result(progress, human_line(report))
    if page is not None and html is not None:
        if not page:
            err.print("[yellow]nothing was scanned; no HTML written[/yellow]")
        else:
            page.write(html)
            err.print(f"wrote {html} ({len(page)} item(s))")
    if not as_json:
        out.print(summary_line(verdicts))
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


def output_problem(path: Path) -> str | None:
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


def set_threads(threads: int | None) -> None:
    if threads is None:
        return
    import torch

    torch.set_num_threads(threads)


def summary_line(verdicts: Counter[str]) -> str:
    """The closing line: how many inputs got which verdict.

    Examples
    --------
    >>> summary_line(Counter({"likely real": 2, "error": 1}))
    '3 item(s): 2 likely real, 1 could not be analysed'
    """
    total = sum(verdicts.values())
    parts = [f"{n} {v}" for v, n in verdicts.most_common() if v != "error"]
    if verdicts.get("error"):
        parts.append(f"{verdicts['error']} could not be analysed")
    return f"{total} item(s): " + ", ".join(parts) if total else "nothing to scan"


def human_line(report: Report) -> str:
    """One report as a line a person reads (rich markup: the verdict in colour)."""
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
