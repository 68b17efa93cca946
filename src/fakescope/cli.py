"""The ``fakescope`` command line: a thin layer over :mod:`fakescope.core`.

This module only assembles the app: the core commands (:mod:`fakescope.commands`: scan,
detectors, evaluate), ``serve`` (:mod:`fakescope.service.command`), ``robustness`` and the
``train`` / ``generate`` / ``provenance`` / ``analyze`` commands the plugins register. No
detection logic lives here or in the commands.

Results (the human-readable lines, ``--json`` records, the summary) go to standard output;
progress bars, notices and errors about the command itself go to standard error, so
``fakescope scan x > out.txt`` keeps only the results (:mod:`fakescope.console`).

Exit codes: 0 every input was analysed, 1 at least one input failed (missing, corrupt,
unsupported), 2 usage error (bad option, unknown detector).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from fakescope import __version__
from fakescope.commands.detectors import detectors
from fakescope.commands.evaluate import evaluate
from fakescope.commands.scan import scan
from fakescope.console import EXIT_OK, err, out
from fakescope.core.registry import commands

__all__ = ["app", "detectors", "evaluate", "main", "scan"]

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
app.command()(scan)
app.command()(detectors)
app.command()(evaluate)


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
