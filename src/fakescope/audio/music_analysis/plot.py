"""Pictures of the music evidence drawn with Pillow (a few milliseconds each; matplotlib took
about 200 ms, and every scanned music file gets them): the analysis on the spectrogram
(beats, downbeats, drum hits, vocal segments) and a spectrum line plot (the fakeprint)."""

from __future__ import annotations

import io

import numpy as np

from fakescope.audio.music_analysis.analysis import MusicAnalysis
from fakescope.audio.music_analysis.frontend import FPS, RATE, log_mel_frames

DRUM_ROWS = {"kick": (230, 126, 34), "snare": (46, 204, 113), "hihat": (52, 152, 219)}
LEFT, RIGHT, TOP, BOTTOM = 46, 26, 24, 30


def _font(size: int = 12):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has only the bitmap font
        return ImageFont.load_default()


def _magma(v: np.ndarray) -> np.ndarray:
    """A dark-to-bright colour ramp (black, purple, orange, pale yellow) for values in [0, 1]."""
    stops = np.array(
        [[0, 0, 4], [80, 18, 123], [183, 55, 121], [252, 137, 97], [252, 253, 191]], float
    )
    pos = np.clip(v, 0, 1) * (len(stops) - 1)
    i = np.minimum(pos.astype(int), len(stops) - 2)
    f = (pos - i)[..., None]
    return (stops[i] * (1 - f) + stops[i + 1] * f).astype(np.uint8)


def _png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def analysis_png(
    x16: np.ndarray, result: MusicAnalysis, max_seconds: float = 60.0, width: int = 900
) -> bytes:
    """PNG of the log-mel spectrogram (first ``max_seconds``) with the analysis drawn on it.

    Examples
    --------
    >>> import numpy as np
    >>> from fakescope.audio.music_analysis.analysis import MusicAnalysis
    >>> r = MusicAnalysis(2.0, 120.0, 4, np.array([0.5, 1.0]), np.array([0.5]), np.zeros(0),
    ...                   {"kick": np.array([0.5])}, [(0.2, 1.5)])
    >>> analysis_png(np.zeros(32000, np.float32), r)[:4]
    b'\\x89PNG'
    """
    from PIL import Image, ImageDraw

    mel = result.mel
    if mel is None:
        x = np.asarray(x16, np.float32)[: int(max_seconds * RATE)]
        mel = log_mel_frames(x / (float(np.abs(x).max()) or 1.0))
    mel = mel[: int(max_seconds * FPS)]
    end = max(len(mel) / FPS, 1e-3)
    h_spec, h_drums = 150, 36
    height = TOP + h_spec + h_drums + BOTTOM
    w = width - LEFT - RIGHT
    v = mel.T[::-1]
    v = (v - v.min()) / (np.ptp(v) or 1.0)
    spec = Image.fromarray(_magma(v)).resize((w, h_spec), Image.BILINEAR)
    img = Image.new("RGB", (width, height), "white")
    img.paste(spec, (LEFT, TOP))
    draw = ImageDraw.Draw(img)
    font = _font(11)

    def x_of(t: float) -> float:
        return LEFT + w * t / end

    for t in result.beats[result.beats <= end]:
        draw.line([x_of(t), TOP + 12, x_of(t), TOP + h_spec], fill=(225, 225, 225), width=1)
    for t in result.downbeats[result.downbeats <= end]:
        draw.line([x_of(t), TOP + 12, x_of(t), TOP + h_spec], fill=(255, 255, 255), width=3)
    for a, b in result.vocal_segments:
        if a < end:
            draw.rectangle([x_of(a), TOP, x_of(min(b, end)), TOP + 9], fill=(231, 76, 60))
    row_h = h_drums / 3
    for k, (name, colour) in enumerate(DRUM_ROWS.items()):
        y0 = TOP + h_spec + k * row_h
        draw.text((4, y0 + 1), name, fill=(0, 0, 0), font=font)
        for t in result.drums.get(name, np.zeros(0)):
            if t <= end:
                draw.line([x_of(t), y0 + 2, x_of(t), y0 + row_h - 2], fill=colour, width=2)
    draw.rectangle([LEFT, TOP, LEFT + w, TOP + h_spec + h_drums], outline=(0, 0, 0))
    for i in range(7):
        t = end * i / 6
        draw.line(
            [x_of(t), TOP + h_spec + h_drums, x_of(t), TOP + h_spec + h_drums + 4], fill=(0, 0, 0)
        )
        draw.text(
            (x_of(t) - 10, TOP + h_spec + h_drums + 6), f"{t:.1f} s", fill=(0, 0, 0), font=font
        )
    tempo = f"{result.tempo_bpm:.0f} BPM" if result.tempo_bpm else "no steady beat"
    meter = f", {result.meter}/4" if result.meter else ""
    draw.text(
        (LEFT, 5),
        f"{tempo}{meter}: beats (thin lines), downbeats (thick), voice (red bar), "
        "drum hits (rows below)",
        fill=(0, 0, 0),
        font=_font(12),
    )
    return _png(img)


def line_plot_png(
    x: np.ndarray,
    y: np.ndarray,
    title: str,
    xlabel: str,
    marks: np.ndarray | None = None,
    width: int = 640,
    height: int = 220,
) -> bytes:
    """A line plot (``y`` against ``x``) with optional vertical marks, drawn with Pillow.

    Examples
    --------
    >>> line_plot_png(np.arange(5.0), np.ones(5), "t", "kHz")[:4]
    b'\\x89PNG'
    """
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    font = _font(11)
    w, h = width - LEFT - RIGHT, height - TOP - BOTTOM
    x0, x1 = float(np.min(x)), float(np.max(x)) if len(x) else 1.0
    y1 = max(float(np.max(y)) if len(y) else 1.0, 1e-6)

    def xy(a: float, b: float) -> tuple[float, float]:
        return LEFT + w * (a - x0) / ((x1 - x0) or 1.0), TOP + h * (1 - b / y1)

    for m in marks if marks is not None else []:
        px, _ = xy(float(m), 0)
        draw.line([px, TOP, px, TOP + h], fill=(245, 183, 177), width=1)
    draw.line(
        [xy(float(a), float(b)) for a, b in zip(x, y, strict=True)], fill=(44, 62, 80), width=1
    )
    draw.rectangle([LEFT, TOP, LEFT + w, TOP + h], outline=(0, 0, 0))
    for frac in (0.0, 0.5, 1.0):
        _, py = xy(x0, y1 * frac)
        draw.text((4, py - 6), f"{y1 * frac:.0f}", fill=(0, 0, 0), font=font)
    for i in range(7):
        a = x0 + (x1 - x0) * i / 6
        px, _ = xy(a, 0)
        draw.line([px, TOP + h, px, TOP + h + 4], fill=(0, 0, 0))
        draw.text((px - 8, TOP + h + 6), f"{a:.0f}", fill=(0, 0, 0), font=font)
    draw.text((LEFT + w - 40, TOP + h + 16), xlabel, fill=(0, 0, 0), font=font)
    draw.text((LEFT, 5), title, fill=(0, 0, 0), font=_font(12))
    return _png(img)
