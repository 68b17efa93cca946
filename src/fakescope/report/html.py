"""A self-contained HTML page for a list of reports: one row per file, pictures inline."""

from __future__ import annotations

import base64
import datetime as _dt
from collections import Counter
from collections.abc import Iterable
from html import escape
from pathlib import Path

from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.fusion import Report

# GLTR's colours: top-10 green, top-100 yellow, top-1000 red, rest purple.
TOKEN_COLOURS = ("#b6f2b0", "#fbef96", "#fcb3b3", "#d9b8f5")
VERDICT_CLASS = {
    "likely real": "real",
    "uncertain": "unsure",
    "likely synthetic": "fake",
    "error": "error",
}

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2433;
background:#f6f7fb}
h1{margin:0 0 .3rem 0}.sub{color:#5b6475;margin-bottom:1.2rem}
.summary span{display:inline-block;margin-right:.6rem;padding:.25rem .6rem;border-radius:1rem;
background:#fff;border:1px solid #dde1ea}
table{border-collapse:collapse;width:100%;table-layout:fixed;background:#fff;
box-shadow:0 1px 3px #0001}
tr.item td{border-bottom:none}tr.evidence td{padding-top:0}
th,td{padding:.55rem .7rem;border-bottom:1px solid #e6e9f0;text-align:left;vertical-align:top}
th{background:#eef1f7;font-size:.85rem;text-transform:uppercase;letter-spacing:.03em}
.path{font-family:ui-monospace,Menlo,monospace;font-size:.85rem;word-break:break-all;max-width:22rem}
.badge{padding:.2rem .55rem;border-radius:.8rem;font-weight:600;font-size:.85rem;white-space:nowrap}
.real{background:#d7f5dd;color:#17622a}.fake{background:#fddede;color:#8a1c1c}
.unsure{background:#fff1c2;color:#7a5a00}.error{background:#e9e9ee;color:#4a4a55}
.abstain{background:#eef1f7;color:#4a5366}
.score{font-variant-numeric:tabular-nums}
.det{font-size:.85rem;margin:.15rem 0;display:grid;column-gap:.3rem;
  grid-template-columns:7.5rem 4rem 1fr}
.reason{color:#5b6475}
.pics{display:flex;flex-wrap:wrap;gap:.6rem}
figure{margin:0;max-width:300px}
figure img{max-width:300px;max-height:220px;border:1px solid #dde1ea;
border-radius:4px;background:#fff}figcaption{font-size:.75rem;color:#5b6475}
.tokens{font-family:ui-monospace,Menlo,monospace;font-size:.8rem;line-height:1.6;max-width:46rem;
max-height:14rem;overflow:auto;background:#fff;border:1px solid #dde1ea;padding:.4rem;
white-space:pre-wrap}
.legend span{padding:0 .3rem;margin-right:.3rem;font-size:.75rem}
.kv{font-size:.78rem;border-collapse:collapse}.kv td{padding:.1rem .4rem;border:none}
details summary{cursor:pointer;color:#2d5bd7;font-size:.85rem}
footer{margin-top:1.5rem;color:#5b6475;font-size:.8rem}
"""


def render_html(reports: Iterable[Report], title: str = "fakescope scan report") -> str:
    """Render reports into one HTML document (pictures embedded as data URIs).

    Examples
    --------
    >>> from fakescope.core.fusion import LogitMeanFuser
    >>> r = Report.from_evidence("a.png", "image", [Evidence("x", 0.9, "peaks")], LogitMeanFuser())
    >>> "<table" in render_html([r])
    True
    """
    reports = list(reports)
    counts = Counter(r.verdict if r.error is None else "error" for r in reports)
    rows = "\n".join(_row(r) for r in reports)
    summary = "".join(
        f'<span class="{VERDICT_CLASS.get(v, "abstain")}">{escape(v)}: {n}</span>'
        for v, n in sorted(counts.items())
    )
    thresholds = sorted({(r.modality or "", r.thresholds) for r in reports if r.error is None})
    thr_text = "; ".join(
        f"{modality}: score ≤ {lo:.2f} likely real, ≥ {hi:.2f} likely synthetic"
        for modality, (lo, hi) in thresholds
    )
    now = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
<div class="sub">{len(reports)} item(s) scanned on {now}. Scores are the calibrated probability that
an item is machine-made or altered; in between is "uncertain". Thresholds: {escape(thr_text)}.
</div>
<div class="summary">{summary}</div>
<p></p>
<table>
<colgroup><col style="width:24%"><col style="width:12%"><col style="width:6%"><col></colgroup>
<thead><tr><th>File</th><th>Verdict</th><th>Score</th><th>Detectors</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<footer>fakescope — scores are evidence, not proof: look at the pictures and read the
reasons.</footer>
</body></html>
"""


def write_html(
    reports: Iterable[Report], path: str | Path, title: str = "fakescope scan report"
) -> Path:
    """Write :func:`render_html` output to ``path`` (UTF-8) and return the path."""
    out = Path(path)
    out.write_text(render_html(reports, title), encoding="utf-8")
    return out


def _row(report: Report) -> str:
    if report.error is not None:
        return (
            f'<tr class="item"><td class="path">{escape(report.path)}</td>'
            f'<td><span class="badge error">error</span></td><td>–</td>'
            f'<td class="reason">{escape(report.error)}</td></tr>'
        )
    cls = VERDICT_CLASS.get(report.verdict, "abstain")
    score = "–" if report.score is None else f"{report.score:.2f}"
    dets = "".join(_detector_line(e, report.not_counted.get(e.detector)) for e in report.evidence)
    pictures = "".join(_artefact(a) for e in report.evidence for a in e.artefacts)
    modality = escape(report.modality or "")
    return (
        f'<tr class="item"><td class="path">{escape(report.path)}<br><small>{modality}</small></td>'
        f'<td><span class="badge {cls}">{escape(report.verdict)}</span></td>'
        f'<td class="score">{score}</td><td>{dets}</td></tr>'
        + (
            f'<tr class="evidence"><td colspan="4"><div class="pics">{pictures}</div></td></tr>'
            if pictures
            else ""
        )
    )


def _detector_line(e: Evidence, not_counted: str | None = None) -> str:
    score = "abstains" if e.score is None else f"{e.score:.2f}"
    uncounted = f' <span class="reason">({escape(not_counted)})</span>' if not_counted else ""
    return (
        f'<div class="det"><b>{escape(e.detector)}</b> <span class="score">{score}</span>'
        f' <span class="reason">— {escape(e.reason)}</span>{uncounted}</div>'
    )


def _artefact(a: Artefact) -> str:
    title = escape(a.title)
    if a.png is not None:
        b64 = base64.b64encode(a.png).decode("ascii")
        return (
            f'<figure><img alt="{title}" src="data:image/png;base64,{b64}">'
            f"<figcaption>{title}</figcaption></figure>"
        )
    if a.kind == "tokens" and isinstance(a.data, list):
        spans = []
        for tok in a.data:
            bucket = int(tok.get("bucket", 3)) if isinstance(tok, dict) else 3
            colour = TOKEN_COLOURS[max(0, min(3, bucket))]
            text = escape(str(tok.get("text", "")) if isinstance(tok, dict) else str(tok))
            value = tok.get("value") if isinstance(tok, dict) else None
            tip = f' title="{value:.3g}"' if isinstance(value, (int, float)) else ""
            spans.append(f'<span style="background:{colour}"{tip}>{text}</span>')
        legend = "".join(
            f'<span style="background:{c}">{label}</span>'
            for c, label in zip(
                TOKEN_COLOURS, ("top 10", "top 100", "top 1000", "rarer"), strict=True
            )
        )
        return (
            f'<figure style="max-width:48rem"><div class="tokens">{"".join(spans)}</div>'
            f'<figcaption>{title} <span class="legend">{legend}</span></figcaption></figure>'
        )
    if a.kind == "table" and isinstance(a.data, list):
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{escape(str(c))}</td>" for c in (r if isinstance(r, (list, tuple)) else [r])
            )
            + "</tr>"
            for r in a.data[:40]
        )
        return f'<details><summary>{title}</summary><table class="kv">{rows}</table></details>'
    return ""
