"""Spectrogram front end of the music-analysis network, and spectral-flux onsets.

Mono 16 kHz, 100 frames per second (hop 10 ms), 1024-point FFT (64 ms), 80 mel bands from 30 Hz
to 8 kHz, log magnitude ``log10(1 + 100 * mel)`` (the compression of madmom's beat and drum
networks) and its positive first-order difference: the network sees both as two channels.
"""

from __future__ import annotations

import numpy as np

from fakescope.audio.dsp import mel_filterbank

RATE = 16000
HOP = 160
FPS = RATE // HOP
N_FFT = 1024
N_MELS = 80
FMIN = 30.0


def _frames(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    n_frames = max(1, len(x) // HOP)
    pad = np.pad(x, (N_FFT // 2, N_FFT // 2 + HOP))
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    return pad[idx]


def log_mel_frames(x: np.ndarray) -> np.ndarray:
    """``(n_frames, N_MELS)`` log-compressed mel magnitudes, frame ``i`` centred at ``i * 10 ms``.

    Examples
    --------
    >>> log_mel_frames(np.zeros(16000, np.float32)).shape
    (100, 80)
    """
    frames = _frames(x) * np.hanning(N_FFT).astype(np.float32)
    mag = np.abs(np.fft.rfft(frames, axis=1)).astype(np.float32)
    fb = mel_filterbank(N_MELS, N_FFT, RATE, FMIN)
    return np.log10(1.0 + 100.0 * (mag @ fb.T)).astype(np.float32)


def network_input(x: np.ndarray) -> np.ndarray:
    """``(2, n_frames, N_MELS)``: log mel and its positive difference to the previous frame.

    Examples
    --------
    >>> network_input(np.zeros(8000, np.float32)).shape
    (2, 50, 80)
    """
    return input_from_mel(normalised_mel(x))


def normalised_mel(x: np.ndarray) -> np.ndarray:
    """:func:`log_mel_frames` of ``x`` peak-normalised to 0.9 (the level the network sees)."""
    peak = float(np.abs(x).max()) if len(x) else 0.0
    x = np.asarray(x, np.float32) / peak * 0.9 if peak > 0 else np.asarray(x, np.float32)
    return log_mel_frames(x)


def input_from_mel(mel: np.ndarray) -> np.ndarray:
    """``(2, frames, N_MELS)`` network input from log-mel frames (mel and positive difference)."""
    diff = np.maximum(np.diff(mel, axis=0, prepend=mel[:1]), 0.0)
    return np.stack([mel, diff]).astype(np.float32)


def spectral_flux(mel: np.ndarray, max_bins: int = 3) -> np.ndarray:
    """SuperFlux-style onset strength: positive difference to the frequency-maximum-filtered
    previous frame (vibrato and slow glides do not count as onsets), summed over bands."""
    from scipy.ndimage import maximum_filter1d

    ref = maximum_filter1d(mel, 2 * max_bins + 1, axis=1)
    flux = np.maximum(mel[1:] - ref[:-1], 0.0).sum(axis=1)
    return np.r_[0.0, flux].astype(np.float32)


def pick_peaks(act: np.ndarray, threshold: float, min_gap: int = 3, smooth: int = 0) -> np.ndarray:
    """Frames that are local maxima over +-``min_gap`` frames and above ``threshold``.

    Examples
    --------
    >>> pick_peaks(np.array([0, 0.2, 0.9, 0.3, 0, 0, 0.8, 0.1]), 0.5).tolist()
    [2, 6]
    """
    from scipy.ndimage import maximum_filter1d, uniform_filter1d

    a = np.asarray(act, np.float64)
    if smooth > 1:
        a = uniform_filter1d(a, smooth)
    local = maximum_filter1d(a, 2 * min_gap + 1, mode="constant")
    peaks = np.flatnonzero((a == local) & (a >= threshold))
    if len(peaks) < 2:
        return peaks
    keep = [peaks[0]]
    for p in peaks[1:]:  # equal plateaus give neighbours: keep the first of each
        if p - keep[-1] > min_gap:
            keep.append(p)
    return np.asarray(keep)


def onsets(x: np.ndarray, delta: float = 0.5) -> np.ndarray:
    """Onset times (s) from spectral flux, adaptive threshold: moving mean + ``delta`` * std.

    Examples
    --------
    >>> x = np.zeros(32000, np.float32); x[8000:8200] = 1.0; x[24000:24200] = 1.0
    >>> [round(float(t), 1) for t in onsets(x)]
    [0.5, 1.5]
    """
    from scipy.ndimage import uniform_filter1d

    flux = spectral_flux(log_mel_frames(x))
    if flux.max() <= 0:
        return np.zeros(0)
    flux = flux / flux.max()
    mean = uniform_filter1d(flux, 2 * FPS // 10 + 1)
    thr = mean + delta * float(flux.std())
    local = pick_peaks(flux, 0.0, min_gap=3)
    hits = [p for p in local if flux[p] >= thr[p] and flux[p] > 0.05]
    return np.asarray(hits, np.float64) / FPS
