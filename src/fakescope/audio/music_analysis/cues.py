"""Rhythm and timing statistics of an analysis: candidate forensic cues ("too perfect" beat grid,
drums without micro-timing, vocal timing).

These are measured against the music verdict under the issue-17 protocol (see docs/music.md);
they are reported as evidence whether or not they count in the score.
"""

from __future__ import annotations

import numpy as np

from fakescope.audio.music_analysis.analysis import MusicAnalysis

CUE_NAMES = (
    "ibi_cv",
    "beat_strength",
    "drum_grid_dev_ms",
    "onset_grid_dev_ms",
    "drums_per_s",
    "vocal_share",
)


def grid_deviation_ms(events: np.ndarray, beats: np.ndarray, subdivisions: int = 4) -> float:
    """Median distance (ms) of events to the nearest 1/``subdivisions``-beat grid point, the grid
    following the tracked beats (so a slow tempo drift is not counted as deviation); NaN under
    2 beats or without events inside the beat span.

    Examples
    --------
    >>> beats = np.arange(0, 4, 0.5)
    >>> grid_deviation_ms(np.array([0.5, 1.125, 2.26]), beats)
    0.0
    """
    beats = np.asarray(beats, float)
    events = np.asarray(events, float)
    if len(beats) < 2:
        return float("nan")
    inside = events[(events >= beats[0]) & (events <= beats[-1])]
    if not len(inside):
        return float("nan")
    pos = np.interp(inside, beats, np.arange(len(beats)))  # position in beats
    nearest = np.round(pos * subdivisions) / subdivisions
    grid_t = np.interp(nearest, np.arange(len(beats)), beats)
    return float(np.median(np.abs(inside - grid_t)) * 1000)


def rhythm_cues(result: MusicAnalysis) -> np.ndarray:
    """The values named in :data:`CUE_NAMES` (NaN where undefined).

    Examples
    --------
    >>> r = MusicAnalysis(4.0, 120.0, 4, np.arange(0, 4, 0.5), np.array([0.0, 2.0]),
    ...                   np.arange(0, 4, 0.25), {"kick": np.arange(0, 4, 0.5)}, [])
    >>> [round(float(v), 3) for v in rhythm_cues(r)]
    [0.0, nan, 0.0, 0.0, 2.0, 0.0]
    """
    beats = result.beats
    ibi = np.diff(beats)
    ibi_cv = float(ibi.std() / ibi.mean()) if len(ibi) >= 2 else float("nan")
    strength = float("nan")
    if result.activations is not None and len(beats):
        from fakescope.audio.music_analysis.frontend import FPS
        from fakescope.audio.music_analysis.network import TASKS

        frames = np.clip((beats * FPS).astype(int), 0, len(result.activations) - 1)
        strength = float(result.activations[frames, TASKS.index("beat")].mean())
    drums = np.sort(np.concatenate([v for v in result.drums.values()] or [np.zeros(0)]))
    return np.array(
        [
            ibi_cv,
            strength,
            grid_deviation_ms(drums, beats),
            grid_deviation_ms(result.onsets, beats),
            len(drums) / result.duration_s if result.duration_s > 0 else 0.0,
            result.vocal_share,
        ]
    )
