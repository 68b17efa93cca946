"""Render a robustness result: a terminal table, JSON, and a self-contained HTML page with the
AUC-against-strength plot and the fooling-image gallery (pictures only where a person looks)."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import numpy as np


def _f(v: Any, pct: bool = False) -> str:
    if v is None:
        return "–"
    return f"{v:.1%}" if pct else f"{v:.3f}"


def table_rows(result: dict[str, Any]) -> list[list[str]]:
    """Rows ``condition, strength, ROC-AUC, TPR@1%FPR, EER, success rate, abstained``.

    Examples
    --------
    >>> r = {"clean": {"roc_auc": 0.9, "tpr_at_1pct_fpr": 0.5, "eer": 0.1, "n_abstained": 0},
    ...      "transforms": [], "attacks": []}
    >>> table_rows(r)[0][:3]
    ['clean', '', '0.900']
    """
    c = result["clean"]
    rows = [["clean", "", _f(c["roc_auc"]), _f(c["tpr_at_1pct_fpr"], True), _f(c["eer"], True),
             "", str(c["n_abstained"])]]  # fmt: skip
    for t in result["transforms"]:
        rows.append([t["family"], f"{t['strength']} {t['unit']}", _f(t["roc_auc"]),
                     _f(t["tpr_at_1pct_fpr"], True), _f(t["eer"], True), "",
                     str(t["n_abstained"])])  # fmt: skip
    for a in result["attacks"]:
        rate = _f(a["success_rate"], True)
        if "target_success_rate" in a:
            rate += f" ({result['target']}: {_f(a['target_success_rate'], True)})"
        rows.append([f"{a['attack']} ({a['access']})", f"eps {a['budget']}", _f(a["roc_auc"]),
                     _f(a["tpr_at_1pct_fpr"], True), _f(a["eer"], True), rate,
                     str(a["n_abstained"])])  # fmt: skip
    return rows


HEADER = ["condition", "strength / budget", "ROC-AUC", "TPR@1%FPR", "EER", "attack success",
          "abstained"]  # fmt: skip


def print_tables(payload: dict[str, Any], console) -> None:
    """One rich table per modality."""
    from rich.table import Table

    for result in payload["results"]:
        c = result["clean"]
        title = (f"{result['modality']}: {result['column']} ({c['n_real']} real, {c['n_fake']} "
                 f"fake; threshold {result['threshold']:.2f})")  # fmt: skip
        table = Table(*HEADER, title=title)
        for row in table_rows(result):
            table.add_row(*row)
        console.print(table)
        for note in result.get("notes", []):
            console.print(f"note: {note}")
        fooling = result.get("fooling") or {}
        for s in fooling.get("summary", []):
            console.print(
                f"fooling {s['method']:8s} -> {s['direction']:9s}: {s['fooling_target']}/{s['n']} "
                f"scored >= 0.99 by {fooling['target']}, {s['fooling_judged']}/{s['n']} by "
                f"{result['column']}"
            )


def to_json(payload: dict[str, Any]) -> str:
    """JSON without the gallery pixels (paths and scores stay)."""

    def strip(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: strip(v) for k, v in obj.items() if k != "image"}
        if isinstance(obj, list):
            return [strip(v) for v in obj]
        if isinstance(obj, np.generic):
            return obj.item()
        return obj

    return json.dumps(strip(payload))


def strength_plot(result: dict[str, Any]) -> bytes:
    """PNG: AUC against strength index per transform family (index 0 = clean), and AUC against
    budget per attack."""
    from fakescope.core.plotting import figure_to_png, new_figure

    fig, axes = new_figure(10.0, 4.0)
    fig.clf()
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    clean = result["clean"]["roc_auc"]
    fams: dict[str, list] = {}
    for t in result["transforms"]:
        fams.setdefault(t["family"], []).append(t["roc_auc"])
    for name, aucs in fams.items():
        ys = [clean, *aucs]
        left.plot(range(len(ys)), [np.nan if v is None else v for v in ys], "o-", label=name)
    left.set_xlabel("laundering strength (0 = clean; each family's strengths, mild to strong)")
    left.set_ylabel("ROC-AUC")
    left.set_title("laundering")
    attacks: dict[str, list] = {}
    for a in result["attacks"]:
        attacks.setdefault(a["attack"], []).append((a["eps"], a["roc_auc"]))
    for name, pts in attacks.items():
        xs = [0.0] + [p[0] for p in pts]
        ys = [clean] + [np.nan if p[1] is None else p[1] for p in pts]
        per_255 = result["modality"] == "image" and name != "pgd-l2"
        scale = 255.0 if per_255 else 1.0
        unit = "L2" if name == "pgd-l2" else ("L-inf, n/255" if per_255 else "L-inf")
        right.plot([x * scale for x in xs], ys, "o-", label=f"{name} ({unit})")
    right.set_xlabel("attack budget")
    right.set_title("attacks")
    for ax in (left, right):
        ax.axhline(0.5, color="grey", lw=1, ls="--")
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="lower left")
    return figure_to_png(fig)


def _img(png: bytes, alt: str, width: int | None = None) -> str:
    w = f' width="{width}"' if width else ""
    data = base64.b64encode(png).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"{w}>'


def write_html(payload: dict[str, Any], path: str | Path) -> Path:
    """Write the report page (self-contained: plots and gallery embedded)."""
    from fakescope.core.plotting import array_to_png

    parts = ["<!doctype html><meta charset='utf-8'><title>fakescope robustness</title>",
             "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
             "padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
             ".g{display:inline-block;margin:4px;font-size:12px;text-align:center;width:140px}"
             "</style><h1>fakescope robustness</h1>"]  # fmt: skip
    settings = payload.get("settings", {})
    parts.append(f"<p>settings: <code>{html.escape(json.dumps(settings))}</code></p>")
    for result in payload["results"]:
        c = result["clean"]
        parts.append(
            f"<h2>{html.escape(result['modality'])}: {html.escape(result['column'])}</h2>"
            f"<p>{c['n_real']} real, {c['n_fake']} fake files; decision threshold "
            f"{result['threshold']:.2f}; attacked detector: "
            f"{html.escape(str(result['target'] or (result.get('fooling') or {}).get('target')))}"
            ". Success rate = share of the files judged correctly when clean whose verdict the "
            "attack flips.</p>"
        )
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
            for row in table_rows(result)
        )
        head = "".join(f"<th>{h}</th>" for h in HEADER)
        parts.append(f"<table><tr>{head}</tr>{rows}</table>")
        for note in result.get("notes", []):
            parts.append(f"<p><i>{html.escape(note)}</i></p>")
        if result["transforms"] or result["attacks"]:
            parts.append(_img(strength_plot(result), "ROC-AUC against laundering strength"))
        fooling = result.get("fooling")
        if fooling:
            parts.append(
                "<h3>Fooling images</h3><p>Noise and patterns evolved (direct pixel and CPPN "
                "encodings) or optimised (gradient ascent) to be called real or machine-made by "
                f"{html.escape(fooling['target'])}. Scores are re-measured from the saved 8-bit "
                "pixels.</p>"
            )
            for s in fooling["summary"]:
                parts.append(
                    f"<p><b>{s['method']} &rarr; {s['direction']}</b>: {s['fooling_target']} of "
                    f"{s['n']} scored &ge; {fooling['confidence']} by {fooling['target']}</p>"
                )
                parts.append("<div>")
                for item in fooling["items"]:
                    if (item["method"], item["direction"]) != (s["method"], s["direction"]):
                        continue
                    t, j = _f(item["target_score"]), _f(item["score"])
                    parts.append(
                        f"<div class='g'>{_img(array_to_png(item['image']), 'fooling', 128)}"
                        f"<br>{html.escape(fooling['target'])} {t}<br>"
                        f"{html.escape(fooling['column'])} {j}</div>"
                    )
                parts.append("</div>")
    if payload.get("failed"):
        parts.append("<h2>Files that could not be read</h2><ul>")
        parts += [f"<li>{html.escape(f['path'])}: {html.escape(f['error'])}</li>"
                  for f in payload["failed"]]  # fmt: skip
        parts.append("</ul>")
    out = Path(path)
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


def save_gallery(payload: dict[str, Any], folder: str | Path) -> list[Path]:
    """Save every fooling image as ``<method>__<direction>__<k>.png`` (lossless)."""
    from PIL import Image

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for result in payload["results"]:
        for item in (result.get("fooling") or {}).get("items", []):
            p = folder / f"{item['method']}__{item['direction']}__{item['index']:02d}.png"
            Image.fromarray(item["image"]).save(p)
            saved.append(p)
    return saved
