"""A self-contained HTML page for a list of reports (rendered by :mod:`fakescope.report.render`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fakescope.core.fusion import Report
from fakescope.report.render import render_document


def render_html(reports: Iterable[Report], title: str = "fakescope scan report") -> str:
    """Render reports into one HTML document (pictures embedded as data URIs).

    Examples
    --------
    >>> from fakescope.core.evidence import Evidence
    >>> from fakescope.core.fusion import LogitMeanFuser
    >>> r = Report.from_evidence("a.png", "image", [Evidence("x", 0.9, "peaks")], LogitMeanFuser())
    >>> "likely synthetic" in render_html([r])
    True
    """
    return render_document([r.to_dict(include_png=True) for r in reports], title)


def write_html(
    reports: Iterable[Report], path: str | Path, title: str = "fakescope scan report"
) -> Path:
    """Write :func:`render_html` output to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.write_text(render_html(reports, title), encoding="utf-8")
    return out
