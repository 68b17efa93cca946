"""A self-contained HTML page for a list of reports (rendered by :mod:`fakescope.report.render`).

This is where evidence pictures are drawn for a person to look at: detectors hand over the data
and a render function, and the pictures are drawn here (and in the web service), never for
``fakescope scan --json``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fakescope.core.fusion import Report
from fakescope.report.render import render_document

DEFAULT_TITLE = "fakescope scan report"


class HtmlReport:
    """The HTML report of a scan, filled as reports stream in.

    Each report's pictures are drawn when it is added, so a long scan holds small pictures,
    not the arrays they are drawn from.

    Examples
    --------
    >>> from fakescope.core.evidence import Evidence
    >>> from fakescope.core.fusion import LogitMeanFuser
    >>> page = HtmlReport()
    >>> page.add(Report.from_evidence("a.png", "image", [Evidence("x", 0.9, "peaks")],
    ...                               LogitMeanFuser()))
    >>> len(page), "likely synthetic" in page.render()
    (1, True)
    """

    def __init__(self, title: str = DEFAULT_TITLE) -> None:
        self.title = title
        self.items: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self.items)

    def add(self, report: Report) -> None:
        """Draw ``report``'s pictures and keep it for the page."""
        self.items.append(report.to_dict(include_png=True))

    def render(self) -> str:
        """The whole page (pictures embedded as data URIs)."""
        return render_document(self.items, self.title)

    def write(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        out = Path(path)
        out.write_text(self.render(), encoding="utf-8")
        return out


def render_html(reports: Iterable[Report], title: str = DEFAULT_TITLE) -> str:
    """Render reports into one HTML document (pictures embedded as data URIs).

    Examples
    --------
    >>> from fakescope.core.evidence import Evidence
    >>> from fakescope.core.fusion import LogitMeanFuser
    >>> r = Report.from_evidence("a.png", "image", [Evidence("x", 0.9, "peaks")], LogitMeanFuser())
    >>> "likely synthetic" in render_html([r])
    True
    """
    page = HtmlReport(title)
    for report in reports:
        page.add(report)
    return page.render()


def write_html(reports: Iterable[Report], path: str | Path, title: str = DEFAULT_TITLE) -> Path:
    """Write :func:`render_html` output to ``path`` (UTF-8) and return the path."""
    page = HtmlReport(title)
    for report in reports:
        page.add(report)
    return page.write(path)
