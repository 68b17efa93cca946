"""Per-segment scores of a long file: aggregation and the timeline picture in the report."""

from __future__ import annotations

from functools import partial

import numpy as np

from fakescope.core.evidence import Artefact


def aggregate_logits(logits: np.ndarray, weights: np.ndarray | None = None) -> float:
    """File log-odds from segment log-odds: a weighted mean (longer segments count more).

    Examples
    --------
    >>> aggregate_logits(np.array([2.0, 0.0]), np.array([3.0, 1.0]))
    1.5
    """
    logits = np.asarray(logits, dtype=np.float64)
    w = np.ones_like(logits) if weights is None else np.asarray(weights, dtype=np.float64)
    return float((logits * w).sum() / max(w.sum(), 1e-9))


def timeline_artefact(
    starts: list[float], ends: list[float], scores: list[float | None], title: str
) -> Artefact:
    """A step plot of P(machine-made) over time, one step per segment (drawn when looked at).

    Examples
    --------
    >>> a = timeline_artefact([0, 4], [4, 8], [0.1, 0.9], "spec-cnn per segment")
    >>> a.kind, a.picture()[:4]
    ('image', b'\\x89PNG')
    """
    picture = partial(_step_plot_png, list(starts), list(ends), list(scores), title)
    data = [
        {
            "start_s": round(s, 3),
            "end_s": round(e, 3),
            "score": None if p is None else round(float(p), 4),
        }
        for s, e, p in zip(starts, ends, scores, strict=True)
    ]
    return Artefact(kind="image", title=title, data=data, render=picture)


def segments_timeline(segments, scores: list[float | None], title: str) -> list[Artefact]:
    """The timeline of ``(start_s, end_s, samples)`` segments, or nothing for one segment.

    Examples
    --------
    >>> segs = [(0.0, 3.0, None), (3.0, 6.0, None)]
    >>> [a.title for a in segments_timeline(segs, [0.2, 0.8], "per segment")]
    ['per segment']
    >>> segments_timeline(segs[:1], [0.2], "per segment")
    []
    """
    if len(segments) < 2:  # one step says no more than the file's score
        return []
    starts, ends = [s[0] for s in segments], [s[1] for s in segments]
    return [timeline_artefact(starts, ends, scores, title)]


def _step_plot_png(starts, ends, scores, title: str, width: int = 640, height: int = 210) -> bytes:
    """Draw the timeline with Pillow: a few milliseconds, where matplotlib takes ~250 ms (a long
    scan draws one per detector per file)."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.load_default(size=12)
    except TypeError:  # Pillow < 10.1 has only the bitmap font
        font = ImageFont.load_default()
    left, right, top, bottom = 52, 14, 26, 34
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    span = max(max(ends) if ends else 1.0, 1e-6)
    w, h = width - left - right, height - top - bottom

    def xy(t: float, p: float) -> tuple[float, float]:
        return left + w * t / span, top + h * (1.0 - p)

    for s, e, p in zip(starts, ends, scores, strict=True):
        x0, _ = xy(s, 0)
        x1, _ = xy(e, 0)
        if p is None:
            draw.rectangle([x0, top, x1, top + h], fill=(230, 230, 230))
            continue
        colour = (192, 57, 43) if p >= 0.7 else (39, 174, 96) if p <= 0.3 else (243, 156, 18)
        light = tuple(int(c + (255 - c) * 0.45) for c in colour)
        _, y = xy(s, float(p))
        draw.rectangle([x0, y, max(x0 + 1, x1 - 1), top + h], fill=light)
        draw.line([x0, y, max(x0 + 1, x1 - 1), y], fill=colour, width=3)
    _, y_half = xy(0, 0.5)
    for x in range(left, left + w, 8):
        draw.line([x, y_half, x + 4, y_half], fill=(90, 90, 90))
    draw.rectangle([left, top, left + w, top + h], outline=(0, 0, 0))
    for p in (0.0, 0.5, 1.0):
        _, y = xy(0, p)
        draw.text((left - 30, y - 7), f"{p:.1f}", fill=(0, 0, 0), font=font)
    n_ticks = 6
    for i in range(n_ticks + 1):
        t = span * i / n_ticks
        x, _ = xy(t, 0)
        draw.line([x, top + h, x, top + h + 4], fill=(0, 0, 0))
        draw.text((x - 10, top + h + 6), f"{t:.1f} s", fill=(0, 0, 0), font=font)
    draw.text(
        (left, 6), f"{title}   (P(machine-made); dashed line: 0.5)", fill=(0, 0, 0), font=font
    )
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
