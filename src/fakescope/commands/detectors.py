"""``fakescope detectors``: what is installed, and which scores the verdict does not count."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from fakescope.console import err, out


def detectors(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable list.")] = False,
) -> None:
    """List the installed detectors, and warn about any the verdict does not count."""
    from fakescope.core.plugins import plugin_failures
    from fakescope.core.registry import detector_specs, uncounted_detectors

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
