"""Where the command line writes: results to stdout, progress and messages to stderr.

Every ``fakescope`` command prints through these two consoles, so ``fakescope scan x > out.txt``
keeps only the results, and exits with one of three codes: 0 every input was analysed, 1 at
least one input failed (missing, corrupt, unsupported), 2 usage error (bad option, unknown
detector).
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Say on stderr why the command stops, and exit with ``code``."""
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def usage_error(message: str) -> NoReturn:
    """Say what is wrong with the command line and exit with code 2."""
    fail(message, EXIT_USAGE)


def progress_bar(enabled: bool, *, redirect_stdout: bool = True) -> Progress:
    """A progress bar on stderr that vanishes when done (drawn only when ``enabled``).

    With ``redirect_stdout=False``, results printed to stdout reach stdout even while the bar
    is drawn (rich would otherwise route them through the bar's console).
    """
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not enabled,
        redirect_stdout=redirect_stdout,
    )


def print_result(progress: Progress, line: str, *, markup: bool = True) -> None:
    """Print one result line to stdout, above the progress bar when both share a terminal."""
    if out.is_terminal and not progress.disable:
        # The bar is redrawn on the same screen: print through it so the two do not tangle.
        progress.console.print(line, markup=markup, highlight=False)
    else:
        out.print(line, markup=markup, highlight=False)
