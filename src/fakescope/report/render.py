"""One renderer for reports: the Jinja2 templates behind both the HTML report and the web page.

Both callers hand over *records*: the JSON form of a report (``Report.to_dict()``, the same record
``fakescope scan --json`` prints). A picture is either inline (``png_base64``, the self-contained
HTML report) or a link (``png_url``, the web service, which stores each picture once).
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from typing import Any

# GLTR's buckets: top-10, top-100, top-1000, rarer (colours live in report.css as .t0 .. .t3).
TOKEN_BUCKETS = ("top 10", "top 100", "top 1000", "rarer")
VERDICT_CLASS = {
    "likely real": "real",
    "uncertain": "unsure",
    "likely synthetic": "fake",
    "error": "error",
}
MAX_TABLE_ROWS = 40
# Pictures narrower than this carry small text (e.g. a 254 px spectrum plot): show them larger.
SMALL_PICTURE_WIDTH = 300
MAX_PICTURE_WIDTH = 520


@cache
def environment() -> Any:
    """The Jinja2 environment (autoescaping on) with the report filters."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("fakescope.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["score"] = format_score
    env.filters["verdict_class"] = verdict_class
    env.filters["bucket"] = _bucket
    env.filters["cells"] = _cells
    env.globals["TOKEN_BUCKETS"] = TOKEN_BUCKETS
    env.globals["MAX_TABLE_ROWS"] = MAX_TABLE_ROWS
    return env


def stylesheet() -> str:
    """The report's CSS (inlined by the HTML report, served as a file by the web service)."""
    return files("fakescope.report").joinpath("templates/report.css").read_text(encoding="utf-8")


def format_score(value: Any) -> str:
    """Two decimals, or a dash for "no score".

    Examples
    --------
    >>> format_score(0.91234), format_score(None)
    ('0.91', '–')
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:.2f}"
    return "–"


def verdict_class(verdict: Any) -> str:
    """CSS class of a verdict pill (anything that is not a verdict is an abstention)."""
    return VERDICT_CLASS.get(str(verdict), "abstain")


def render_items(records: Iterable[Mapping[str, Any]]) -> str:
    """HTML of report items only (what the web page inserts as results arrive).

    Examples
    --------
    >>> html = render_items([{"path": "a.png", "modality": None, "score": None,
    ...                       "verdict": "error", "error": "the file is empty"}])
    >>> "the file is empty" in html and 'class="badge error"' in html
    True
    """
    template = environment().get_template("items.html.j2")
    return template.render(records=[_view(r) for r in records])


def render_document(
    records: Iterable[Mapping[str, Any]],
    title: str = "fakescope scan report",
    now: _dt.datetime | None = None,
) -> str:
    """A self-contained HTML document (CSS inline; pictures must be ``png_base64``)."""
    views = [_view(r) for r in records]
    counts = Counter(v["verdict"] for v in views)
    when = (now or _dt.datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z").strip()
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            title=title,
            records=views,
            summary=sorted(counts.items()),
            thresholds=_thresholds(views),
            when=when,
            css=stylesheet(),
        )
    )


def _view(record: Mapping[str, Any]) -> dict[str, Any]:
    """Fill in the keys the templates read, so older or partial records still render."""
    view = dict(record)
    view.setdefault("modality", None)
    view.setdefault("score", None)
    view.setdefault("error", None)
    view["verdict"] = "error" if view["error"] else str(view.get("verdict") or "cannot judge")
    view["thresholds"] = _threshold_pair(record.get("thresholds"))
    view["evidence"] = [_evidence_view(e) for e in record.get("evidence") or []]
    return view


def _evidence_view(evidence: Mapping[str, Any]) -> dict[str, Any]:
    view = dict(evidence)
    view.setdefault("score", None)
    view.setdefault("reason", "")
    view.setdefault("not_counted", None)
    artefacts = []
    for a in evidence.get("artefacts") or []:
        art = dict(a)
        art.setdefault("title", "")
        art.setdefault("kind", "")
        art.setdefault("data", None)
        art["src"] = a.get("png_url") or (
            f"data:image/png;base64,{a['png_base64']}" if a.get("png_base64") else None
        )
        art["display"] = display_size(a)
        artefacts.append(art)
    view["artefacts"] = artefacts
    return view


def png_size(png: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG header (no decoding).

    Examples
    --------
    >>> import numpy as np
    >>> from fakescope.core.plotting import array_to_png
    >>> png_size(array_to_png(np.zeros((2, 3, 3), "uint8")))
    (3, 2)
    """
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        return None
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def display_size(artefact: Mapping[str, Any]) -> tuple[int, int] | None:
    """Size to show a picture at: small pictures (drawn with small fonts) are shown enlarged."""
    width, height = artefact.get("width"), artefact.get("height")
    if not (isinstance(width, int) and isinstance(height, int)) and artefact.get("png_base64"):
        import base64

        head = base64.b64decode(str(artefact["png_base64"])[:44])
        width, height = png_size(head) or (None, None)
    if not (isinstance(width, int) and isinstance(height, int)) or width <= 0 or height <= 0:
        return None
    scale = min(2.0, MAX_PICTURE_WIDTH / width) if width < SMALL_PICTURE_WIDTH else 1.0
    return round(width * scale), round(height * scale)


def _threshold_pair(raw: Any) -> tuple[float, float] | None:
    if isinstance(raw, Mapping):
        lo, hi = raw.get("likely_real_below"), raw.get("likely_synthetic_above")
    elif isinstance(raw, (list, tuple)) and len(raw) == 2:
        lo, hi = raw
    else:
        return None
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
        return float(lo), float(hi)
    return None


def _thresholds(views: list[dict[str, Any]]) -> list[tuple[str, float, float]]:
    # Rounded as shown, so that 0.9114 and 0.9110 do not list the same cut-offs twice.
    pairs = {
        (v["modality"] or "", round(v["thresholds"][0], 2), round(v["thresholds"][1], 2))
        for v in views
        if not v["error"] and v["thresholds"] is not None
    }
    return sorted(pairs)


def _bucket(token: Any) -> int:
    bucket = token.get("bucket", 3) if isinstance(token, Mapping) else 3
    try:
        return max(0, min(3, int(bucket)))
    except (TypeError, ValueError):
        return 3


def _cells(row: Any) -> list[Any]:
    return list(row) if isinstance(row, (list, tuple)) else [row]
