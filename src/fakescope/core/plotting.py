"""Render matplotlib figures to PNG bytes for reports (headless, Agg backend)."""

from __future__ import annotations

import io
from typing import Any


def new_figure(width: float = 5.0, height: float = 3.2) -> tuple[Any, Any]:
    """A figure and axes on the non-interactive Agg canvas (safe without a display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot(1, 1, 1)


def figure_to_png(fig: Any) -> bytes:
    """Encode a figure as PNG bytes.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> _ = ax.plot([0, 1], [0, 1])
    >>> figure_to_png(fig)[:4]
    b'\\x89PNG'
    """
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def array_to_png(rgb: Any) -> bytes:
    """Encode an HxWx3 (or HxW) uint8 array as PNG bytes."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG", optimize=False)
    return buf.getvalue()
