"""Options that several commands share, declared once so they read the same everywhere."""

from __future__ import annotations

from typing import Annotated

import typer

from fakescope.console import usage_error

WEIGHTS_HELP = (
    "Use your own weights: MODALITY=PATH (image, audio, text, video, anomaly; a folder from "
    "`fakescope train MODALITY --out`). Repeat for several. Same as $FAKESCOPE_<MODALITY>_WEIGHTS."
)

Weights = Annotated[
    list[str] | None, typer.Option("--weights", metavar="MODALITY=PATH", help=WEIGHTS_HELP)
]
PluginFiles = Annotated[
    list[str] | None,
    typer.Option("--plugin", help="A Python file that registers detectors (repeat)."),
]


def apply_weights(values: list[str] | None) -> None:
    """Point each named modality at the user's weights (``--weights MODALITY=PATH``)."""
    if not values:
        return
    from importlib.metadata import entry_points

    from fakescope.core.registry import detector_specs
    from fakescope.core.weights import apply_weights_options

    known = {ep.name for ep in entry_points(group="fakescope.plugins")}
    known |= {s.modality for s in detector_specs()}
    try:
        apply_weights_options(values, known)
    except ValueError as exc:
        usage_error(str(exc))
