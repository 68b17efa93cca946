"""Draw a music analysis on the spectrogram (beats, downbeats, drum hits, vocal segments)."""

from __future__ import annotations

import numpy as np

from fakescope.audio.music_analysis.analysis import MusicAnalysis
from fakescope.audio.music_analysis.frontend import FPS, RATE, log_mel_frames

DRUM_STYLE = {"kick": ("#e67e22", 0.08), "snare": ("#2ecc71", 0.16), "hihat": ("#3498db", 0.24)}


def analysis_png(x16: np.ndarray, result: MusicAnalysis, max_seconds: float = 60.0) -> bytes:
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
    from fakescope.core.plotting import figure_to_png, new_figure

    x16 = np.asarray(x16, np.float32)[: int(max_seconds * RATE)]
    peak = float(np.abs(x16).max()) or 1.0
    mel = log_mel_frames(x16 / peak)
    end = len(x16) / RATE
    fig, ax = new_figure(9.0, 3.2)
    ax.imshow(
        mel.T,
        origin="lower",
        aspect="auto",
        cmap="magma",
        extent=(0, end, 0, 1),
        interpolation="nearest",
    )
    for t in result.beats[result.beats <= end]:
        ax.axvline(t, ymin=0.3, ymax=1.0, color="#ecf0f1", lw=0.6, alpha=0.7)
    for t in result.downbeats[result.downbeats <= end]:
        ax.axvline(t, ymin=0.3, ymax=1.0, color="#ffffff", lw=1.6)
    for name, times in result.drums.items():
        color, y = DRUM_STYLE.get(name, ("#bdc3c7", 0.05))
        t = times[times <= end]
        ax.plot(t, np.full(len(t), y), "|", color=color, ms=9, mew=2, label=name)
    for a, b in result.vocal_segments:
        if a < end:
            ax.axvspan(a, min(b, end), ymin=0.93, ymax=1.0, color="#e74c3c", alpha=0.9)
    ax.set_yticks([])
    ax.set_xlabel("time (s)")
    tempo = f"{result.tempo_bpm:.0f} BPM" if result.tempo_bpm else "no steady beat"
    meter = f", {result.meter}/4" if result.meter else ""
    ax.set_title(
        f"{tempo}{meter}: beats (thin), downbeats (thick), drums (bottom), voice (red, top)",
        fontsize=9,
    )
    if result.drums:
        ax.legend(loc="lower right", fontsize=7, ncol=3, framealpha=0.6)
    ax.set_xlim(0, end)
    return figure_to_png(fig)


def activation_frames_to_time(n: int) -> np.ndarray:
    """Times (s) of ``n`` network frames."""
    return np.arange(n) / FPS
