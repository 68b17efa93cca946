"""Decoding network activations: beats and tempo (a DBN-style Viterbi over tempo and beat phase,
as madmom's ``DBNBeatTrackingProcessor``), downbeats and meter (a bar-position HMM over the
beats), drum onsets and vocal segments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fakescope.audio.music_analysis.frontend import FPS, pick_peaks


@dataclass(frozen=True)
class BeatStateSpace:
    """States ``(period, phase)``: one block of ``period`` phases per tempo (frames per beat)."""

    periods: np.ndarray  # frames per beat, one per tempo state
    starts: np.ndarray  # index of phase 0 of each period's block

    @classmethod
    def build(cls, min_bpm: float = 55.0, max_bpm: float = 215.0, n_tempi: int = 60):
        lo, hi = 60.0 * FPS / max_bpm, 60.0 * FPS / min_bpm
        periods = np.unique(np.round(np.geomspace(lo, hi, n_tempi)).astype(int))
        starts = np.r_[0, np.cumsum(periods)[:-1]]
        return cls(periods, starts)

    @property
    def n_states(self) -> int:
        return int(self.periods.sum())


def track_beats(
    act: np.ndarray,
    space: BeatStateSpace | None = None,
    transition_lambda: float = 100.0,
    observation_lambda: int = 16,
) -> tuple[np.ndarray, np.ndarray]:
    """Viterbi path through the (tempo, beat phase) space; returns beat frames and the period
    (frames per beat) of the path at each beat.

    Each frame the phase advances by one; only at the end of a beat can the tempo change, with
    probability falling off as ``exp(-lambda * |ratio - 1|)``. Phases in the first
    ``1 / observation_lambda`` of a beat explain the activation, the others its absence.

    Examples
    --------
    >>> act = np.zeros(600); act[::50] = 1.0
    >>> frames, _ = track_beats(act)
    >>> np.diff(frames).tolist()[:3]
    [50, 50, 50]
    """
    space = space or BeatStateSpace.build()
    act = np.clip(np.asarray(act, np.float64), 1e-6, 1 - 1e-6)
    if len(act) < 2:
        return np.zeros(0, int), np.zeros(0)
    periods, starts = space.periods, space.starts
    n_s = space.n_states
    phase = np.concatenate([np.arange(p) for p in periods])
    period_of = np.repeat(periods, periods)
    beat_state = phase < np.maximum(1, period_of // observation_lambda)
    ends = starts + periods - 1
    ratio = periods[None, :] / periods[:, None]  # from (rows) -> to (columns)
    log_trans = -transition_lambda * np.abs(ratio - 1)
    log_trans -= np.log(np.exp(log_trans).sum(axis=1, keepdims=True))
    prev = np.arange(n_s) - 1  # phase - 1 within a block; phase 0 handled by the transition
    log_beat = np.log(act)
    log_nobeat = np.log((1 - act) / (observation_lambda - 1))
    delta = np.full(n_s, -np.log(n_s))
    back = np.zeros((len(act), len(periods)), np.int32)
    for t in range(len(act)):
        cand = delta[ends][:, None] + log_trans  # (from tempo, to tempo)
        best_from = np.argmax(cand, axis=0)
        new = delta[prev]
        new[starts] = cand[best_from, np.arange(len(periods))]
        back[t] = best_from
        new += np.where(beat_state, log_beat[t], log_nobeat[t])
        delta = new
    # backtrack
    s = int(np.argmax(delta))
    block = int(np.searchsorted(starts, s, side="right") - 1)
    ph = s - starts[block]
    path_block = np.zeros(len(act), int)
    path_phase = np.zeros(len(act), int)
    for t in range(len(act) - 1, -1, -1):
        path_block[t], path_phase[t] = block, ph
        if ph > 0:
            ph -= 1
        else:
            block = int(back[t, block])
            ph = int(periods[block] - 1)
    # one beat per run of beat states: the frame with the strongest activation
    in_beat = path_phase < np.maximum(1, periods[path_block] // observation_lambda)
    beats = []
    t = 0
    while t < len(act):
        if in_beat[t]:
            u = t
            while u + 1 < len(act) and in_beat[u + 1] and path_phase[u + 1] > path_phase[u]:
                u += 1
            beats.append(t + int(np.argmax(act[t : u + 1])))
            t = u + 1
        else:
            t += 1
    frames = np.asarray(beats, int)
    return frames, periods[path_block[frames]].astype(float) if len(frames) else np.zeros(0)


def track_downbeats(
    beat_frames: np.ndarray, down_act: np.ndarray, meters: tuple[int, ...] = (3, 4)
) -> tuple[np.ndarray, int]:
    """Bar position of each beat by Viterbi over (meter, position); returns the indices of the
    beats that are downbeats and the meter.

    Examples
    --------
    >>> act = np.zeros(1000); act[[0, 200, 400, 600, 800]] = 0.9
    >>> idx, meter = track_downbeats(np.arange(0, 1000, 50), act)
    >>> meter, idx.tolist()[:3]
    (4, [0, 4, 8])
    """
    if len(beat_frames) == 0:
        return np.zeros(0, int), 4
    lo = np.clip(beat_frames - 2, 0, len(down_act) - 1)
    hi = np.clip(beat_frames + 3, 1, len(down_act))
    d = np.array([down_act[a:b].max() if b > a else 0.0 for a, b in zip(lo, hi, strict=True)])
    d = np.clip(d, 1e-4, 1 - 1e-4)
    states = [(m, p) for m in meters for p in range(m)]
    n = len(states)
    trans = np.full((n, n), -np.inf)
    for i, (m, p) in enumerate(states):
        for j, (m2, p2) in enumerate(states):
            if m2 == m and p2 == (p + 1) % m:
                trans[i, j] = np.log(1 - 1e-6)
            elif m2 != m and p == m - 1 and p2 == 0:
                trans[i, j] = np.log(1e-6)
    obs = np.array([[np.log(x) if p == 0 else np.log(1 - x) for (_, p) in states] for x in d])
    delta = np.full(n, -np.log(n)) + obs[0]
    back = np.zeros((len(d), n), int)
    for t in range(1, len(d)):
        cand = delta[:, None] + trans
        back[t] = np.argmax(cand, axis=0)
        delta = cand[back[t], np.arange(n)] + obs[t]
    s = int(np.argmax(delta))
    path = [s]
    for t in range(len(d) - 1, 0, -1):
        s = int(back[t, s])
        path.append(s)
    path = path[::-1]
    positions = np.array([states[s][1] for s in path])
    meter = int(np.bincount([states[s][0] for s in path]).argmax())
    return np.flatnonzero(positions == 0), meter


def tempo_from_beats(beat_times: np.ndarray) -> float | None:
    """Tempo (BPM) from the median inter-beat interval; ``None`` under 3 beats."""
    if len(beat_times) < 3:
        return None
    return float(60.0 / np.median(np.diff(beat_times)))


def segments(active: np.ndarray, min_len: int = 30, max_gap: int = 20) -> list[tuple[int, int]]:
    """Runs of ``True`` frames, gaps shorter than ``max_gap`` bridged, runs under ``min_len``
    dropped; ``(start, end)`` frame pairs, end exclusive.

    Examples
    --------
    >>> segments(np.array([0] * 5 + [1] * 40 + [0] * 5 + [1] * 40, bool))
    [(5, 90)]
    """
    a = np.r_[False, np.asarray(active, bool), False]
    edges = np.flatnonzero(np.diff(a.astype(int)))
    runs = list(zip(edges[::2], edges[1::2], strict=True))
    merged: list[list[int]] = []
    for s, e in runs:
        if merged and s - merged[-1][1] < max_gap:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    return [(int(s), int(e)) for s, e in merged if e - s >= min_len]


def drum_onsets(act: np.ndarray, threshold: float) -> np.ndarray:
    """Onset times (s) of one drum instrument from its activation."""
    return pick_peaks(act, threshold, min_gap=2) / FPS
