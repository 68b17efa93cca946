"""``fakescope scan --engine dask|ray`` / ``--out``: the command side of batch scans."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from fakescope.batch.task import ScanConfig
from fakescope.console import EXIT_FAILED, EXIT_OK, EXIT_USAGE, err, progress_bar, usage_error


def scan_batch(
    paths: list[str],
    config: ScanConfig,
    *,
    engine: str,
    address: str | None = None,
    workers: int | None = None,
    out: Path | None = None,
    html: Path | None = None,
) -> None:
    """``scan --engine dask|ray`` or ``--out``: JSON Lines per input as it finishes, resumable.

    ``config`` is what every worker builds its Scanner from (detectors, batch size, threads,
    plugin files, the per-file time limit and the memory budget).
    """
    from fakescope.batch.engines import ENGINES, EngineUnavailable
    from fakescope.batch.run import run_batch

    if engine not in ENGINES:
        usage_error(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if html is not None:
        usage_error("--html cannot be combined with --engine or --out (write JSON Lines)")
    if out is not None and out.is_dir():
        usage_error(f"{out} is a folder; give a file name for --out")
    from fakescope.core.pipeline import Scanner

    for path in config.plugin_files:
        from fakescope.service.worker import run_plugin_file

        run_plugin_file(path)
    try:
        # unknown detector names: a usage error now, not on every worker later
        Scanner(detectors=config.detectors, extra=config.extra)
    except KeyError as exc:
        usage_error(str(exc.args[0]))
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
