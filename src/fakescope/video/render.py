"""Pictures for the report: the per-frame score timeline and thumbnails of the worst frames."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fakescope.core.plotting import array_to_png, figure_to_png, new_figure


def timeline_png(
    times: Sequence[float],
    frame_scores: Sequence[float | None],
    face_scores: Sequence[float | None] | None = None,
    *,
    duration: float | None = None,
    stopped_at: float | None = None,
) -> bytes:
    """Line plot of per-frame P(machine-made) over time.

    Parameters
    ----------
    times : sequence of float
        Seconds.
    frame_scores, face_scores : sequence of float or None
        Whole-frame and face-crop scores (``None`` where there is none).
    duration : float, optional
        Declared clip length, for the x range.
    stopped_at : float, optional
        Where decoding stopped on a damaged file; the unread part is shaded.

    Examples
    --------
    >>> timeline_png([0.0, 0.5], [0.2, 0.4], [None, 0.9])[:4]
    b'\\x89PNG'
    """
    fig, ax = new_figure(6.4, 2.6)
    t = np.asarray(times, dtype=float)

    def _series(values: Sequence[float | None]) -> tuple[np.ndarray, np.ndarray]:
        # Frames not scored are left out rather than breaking the line.
        keep = [i for i, v in enumerate(values) if v is not None]
        return t[keep], np.asarray([values[i] for i in keep], dtype=float)

    ax.axhspan(0.7, 1.0, color="#f4cccc", alpha=0.5, lw=0)
    ax.axhspan(0.0, 0.3, color="#d9ead3", alpha=0.5, lw=0)
    ax.plot(*_series(frame_scores), "o-", color="#1f4e79", ms=3, lw=1.4, label="whole frame")
    if face_scores is not None and any(v is not None for v in face_scores):
        ax.plot(*_series(face_scores), "s-", color="#c00000", ms=3, lw=1.2, label="face")
    end = duration if duration else (float(t.max()) if len(t) else 1.0)
    if stopped_at is not None and duration and stopped_at < duration:
        ax.axvspan(stopped_at, duration, color="#999999", alpha=0.35, lw=0)
        ax.text(stopped_at, 0.5, " could not be decoded", fontsize=8, va="center")
    ax.set_xlim(0, max(end, 1e-3))
    ax.set_ylim(0, 1)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("P(machine-made)")
    ax.legend(loc="upper right", fontsize=7, frameon=False)
    ax.grid(alpha=0.3)
    return figure_to_png(fig)


def thumbnail_png(
    rgb: np.ndarray, boxes: Sequence[Sequence[int]] = (), *, max_side: int = 320
) -> bytes:
    """A small PNG of a frame with face boxes drawn in red.

    Examples
    --------
    >>> png = thumbnail_png(np.zeros((90, 160, 3), np.uint8), [(10, 10, 30, 30)])
    >>> png[:4]
    b'\\x89PNG'
    """
    from PIL import Image, ImageDraw

    img = Image.fromarray(np.ascontiguousarray(rgb))
    scale = min(1.0, max_side / max(img.size))
    if scale < 1.0:
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))))
    draw = ImageDraw.Draw(img)
    for x, y, w, h in boxes:
        draw.rectangle(
            [x * scale, y * scale, (x + w) * scale, (y + h) * scale], outline=(255, 0, 0), width=2
        )
    return array_to_png(np.asarray(img))
