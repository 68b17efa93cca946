"""``fakescope scan --engine dask|ray`` / ``--out``: the command side of batch scans."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
err = Console(stderr=True, highlight=False, soft_wrap=True)


def usage_error(message: str) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(EXIT_USAGE)


def progress_bar(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not enabled,
    )


def scan_batch(
    paths,
    detector,
    extra,
    batch_size,
    threads,
    engine,
    address,
    workers,
    out,
    plugin,
    html,
    timeout=None,
) -> None:
    """``scan --engine dask|ray`` or ``--out``: JSON Lines per input as it finishes, resumable."""
    from fakescope.batch.engines import ENGINES, EngineUnavailable
    from fakescope.batch.run import run_batch
    from fakescope.batch.task import ScanConfig

    if engine not in ENGINES:
        usage_error(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if html is not None:
        usage_error("--html cannot be combined with --engine or --out (write JSON Lines)")
    if out is not None and out.is_dir():
        usage_error(f"{out} is a folder; give a file name for --out")
    from fakescope.core.pipeline import Scanner

    plugins = tuple(str(Path(p).resolve()) for p in plugin or [])
    for path in plugins:
        from fakescope.service.worker import run_plugin_file

        run_plugin_file(path)
    try:
        Scanner(detectors=detector, extra=extra)  # unknown detector names: usage error, early
    except KeyError as exc:
        usage_error(str(exc.args[0]))
    config = ScanConfig(
        detectors=tuple(detector) if detector else None,
        extra=tuple(extra or ()),
        batch_size=batch_size,
        threads=threads,
        plugin_files=plugins,
        timeout=timeout,
    )
    with progress_bar(err.is_terminal) as progress:
        task = progress.add_task(f"scanning ({engine})", total=None)

        def tick(done: int, total: int, _path: str) -> None:
            progress.update(task, completed=done, total=total)

        def emit(line: str) -> None:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

        try:
            summary = run_batch(paths, config, engine, address, workers, out, emit, tick)
        except (EngineUnavailable, ValueError) as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(EXIT_USAGE) from None
    where = f" to {out}" if out is not None else ""
    skipped = f", {summary.skipped} already done" if summary.skipped else ""
    err.print(
        f"{summary.scanned} input(s) scanned{where}{skipped}: {summary.records} record(s), "
        f"{summary.failed} could not be analysed"
    )
    raise typer.Exit(EXIT_FAILED if summary.failed else EXIT_OK)
