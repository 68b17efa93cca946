"""Signal processing front end: pure functions over NumPy arrays (librosa style).

Everything here takes arrays and plain parameters and returns arrays; no file I/O. Speech
detectors work on 8 kHz mono audio produced by :func:`speech_frontend`, which brings every input,
whatever its rate or band, to the same rate *and* band so that a detector cannot learn the sample
rate instead of the voice.
"""

from __future__ import annotations

from functools import lru_cache
from math import gcd

import numpy as np
from scipy.fft import dct
from scipy.signal import butter, firwin, istft, resample_poly, sosfilt, stft

SPEECH_RATE = 8000
SPEECH_BAND = (70.0, 3700.0)  # Hz: common band of every speech source after 8 kHz resampling


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Polyphase resampling along the first axis.

    Examples
    --------
    >>> resample(np.ones(16000, dtype=np.float32), 16000, 8000).shape
    (8000,)
    """
    if rate_in == rate_out:
        return np.asarray(x, dtype=np.float32)
    g = gcd(int(rate_in), int(rate_out))
    up, down = rate_out // g, rate_in // g
    y = resample_poly(np.asarray(x, dtype=np.float64), up, down, axis=0, window=_fir(up, down))
    return y.astype(np.float32)


@lru_cache(maxsize=32)
def _fir(up: int, down: int) -> np.ndarray:
    """scipy's default anti-aliasing filter for (up, down), designed once (design costs more
    than filtering a short clip)."""
    max_rate = max(up, down)
    h = firwin(2 * 10 * max_rate + 1, 1.0 / max_rate, window=("kaiser", 5.0))
    h.setflags(write=False)
    return h


@lru_cache(maxsize=32)
def _band_sos(rate: int, low: float, high: float, order: int) -> np.ndarray:
    nyq = rate / 2.0
    if high >= nyq * 0.999:
        return butter(order, low / nyq, btype="highpass", output="sos")
    if low <= 0:
        return butter(order, high / nyq, btype="lowpass", output="sos")
    return butter(order, [low / nyq, high / nyq], btype="bandpass", output="sos")


def bandpass(x: np.ndarray, rate: int, low: float, high: float, order: int = 6) -> np.ndarray:
    """Butterworth band-pass (``low`` <= 0 gives a low-pass).

    Examples
    --------
    >>> t = np.arange(8000) / 8000
    >>> y = bandpass(np.sin(2 * np.pi * 3900 * t), 8000, 70, 3000)
    >>> float(np.abs(y[1000:]).max()) < 0.1
    True
    """
    return sosfilt(_band_sos(int(rate), float(low), float(high), order), x).astype(np.float32)


def frame_energy_db(x: np.ndarray, frame: int, hop: int) -> np.ndarray:
    """Frame energies in dB (10 log10 of mean square), one per hop."""
    if len(x) < frame:
        x = np.pad(x, (0, frame - len(x)))
    n = 1 + (len(x) - frame) // hop
    idx = np.arange(frame)[None, :] + hop * np.arange(n)[:, None]
    return 10.0 * np.log10(np.mean(x[idx] ** 2, axis=1) + 1e-12)


def trim_silence(x: np.ndarray, rate: int, top_db: float = 35.0, pad: float = 0.02) -> np.ndarray:
    """Cut leading and trailing frames quieter than ``top_db`` below the loudest frame.

    FSDD recordings arrive trimmed this way, so synthetic speech is trimmed the same way in
    training and every input at inference.

    Examples
    --------
    >>> x = np.concatenate([np.zeros(4000), np.ones(800), np.zeros(4000)]).astype(np.float32)
    >>> len(trim_silence(x, 8000)) < 2000
    True
    """
    frame, hop = max(1, int(0.025 * rate)), max(1, int(0.010 * rate))
    e = frame_energy_db(x, frame, hop)
    active = np.flatnonzero(e > e.max() - top_db)
    if active.size == 0:
        return x[:0]
    p = int(pad * rate)
    start = max(0, active[0] * hop - p)
    stop = min(len(x), active[-1] * hop + frame + p)
    return x[start:stop]


def normalize_peak(x: np.ndarray, peak: float = 0.9) -> np.ndarray:
    """Scale so that the largest absolute sample equals ``peak`` (silence stays silence)."""
    m = float(np.abs(x).max()) if x.size else 0.0
    return (x * (peak / m)).astype(np.float32) if m > 0 else x.astype(np.float32)


def fill_digital_silence(
    x: np.ndarray,
    rate: int,
    level_db: float = -50.0,
    floor_db: float = -80.0,
    min_run_s: float = 0.010,
) -> np.ndarray:
    """Replace runs of digital silence with a quiet noise floor, as a microphone would record.

    Runs of at least ``min_run_s`` whose samples are all within ``floor_db`` of zero (relative to
    the peak) get Gaussian noise at ``level_db`` relative to the peak; everything else is left
    untouched. Edited or synthesised files often hold exact zeros between words, which live
    recordings do not; in a log spectrogram they dominate the level statistics and made synthetic
    speech look real (docs/audio.md, long-form section). Deterministic (seeded by the length).

    Examples
    --------
    >>> x = np.concatenate([np.ones(400), np.zeros(800), np.ones(400)]).astype(np.float32)
    >>> y = fill_digital_silence(x, 8000)
    >>> bool(np.all(y[400:1200] != 0)), bool(np.all(y[:400] == 1))
    (True, True)
    >>> float(np.abs(y[400:1200]).max()) < 0.02
    True
    """
    x = np.asarray(x, dtype=np.float32)
    peak = float(np.abs(x).max()) if x.size else 0.0
    if peak == 0.0:
        return x
    quiet = np.abs(x) <= peak * 10 ** (floor_db / 20)
    if not quiet.any():
        return x
    edges = np.diff(np.concatenate([[0], quiet.view(np.int8), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long_runs = (stops - starts) >= max(1, int(min_run_s * rate))
    if not long_runs.any():
        return x
    y = x.copy()
    rng = np.random.default_rng(len(x))
    sigma = peak * 10 ** (level_db / 20)
    for a, b in zip(starts[long_runs], stops[long_runs], strict=True):
        y[a:b] = rng.normal(0.0, sigma, b - a).astype(np.float32)
    return y


def speech_frontend(x: np.ndarray, rate: int, trim: bool = True) -> np.ndarray:
    """Bring mono speech at any rate to the detectors' common form.

    8 kHz, 70-3700 Hz band, silence trimmed, peak-normalised. Real and synthetic training audio
    and every input at inference pass through this one function.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> speech_frontend(rng.standard_normal(22050).astype(np.float32), 22050).shape[0] <= 8000
    True
    """
    y = resample(x, rate, SPEECH_RATE)
    y = bandpass(y, SPEECH_RATE, *SPEECH_BAND)
    if trim:
        y = trim_silence(y, SPEECH_RATE)
    return normalize_peak(y)


def power_spectrogram(x: np.ndarray, n_fft: int = 256, hop: int = 80, win: int = 200) -> np.ndarray:
    """Short-time power spectrum, ``(n_frames, n_fft // 2 + 1)``, Hamming window.

    Examples
    --------
    >>> power_spectrogram(np.zeros(8000, dtype=np.float32)).shape
    (98, 129)
    """
    x = np.asarray(x, dtype=np.float32)
    if len(x) < win:
        x = np.pad(x, (0, win - len(x)))
    n = 1 + (len(x) - win) // hop
    idx = np.arange(win)[None, :] + hop * np.arange(n)[:, None]
    frames = x[idx] * np.hamming(win).astype(np.float32)
    spec = np.fft.rfft(frames, n=n_fft, axis=1)
    return (spec.real**2 + spec.imag**2).astype(np.float32)


@lru_cache(maxsize=16)
def linear_filterbank(n_filters: int, n_fft: int, rate: int) -> np.ndarray:
    """Triangular filters equally spaced in Hz (the LFCC filterbank), ``(n_filters, bins)``."""
    edges = np.linspace(0, rate / 2, n_filters + 2)
    return _triangles(edges, n_fft, rate)


@lru_cache(maxsize=16)
def mel_filterbank(n_filters: int, n_fft: int, rate: int, fmin: float = 0.0) -> np.ndarray:
    """Triangular filters equally spaced on the mel scale, ``(n_filters, bins)``."""

    def mel(f):
        return 2595.0 * np.log10(1.0 + f / 700.0)

    def hz(m):
        return 700.0 * (10 ** (m / 2595.0) - 1.0)

    edges = hz(np.linspace(mel(fmin), mel(rate / 2), n_filters + 2))
    return _triangles(edges, n_fft, rate)


def _triangles(edges: np.ndarray, n_fft: int, rate: int) -> np.ndarray:
    freqs = np.linspace(0, rate / 2, n_fft // 2 + 1)
    fb = np.zeros((len(edges) - 2, len(freqs)), dtype=np.float32)
    for i in range(len(edges) - 2):
        lo, mid, hi = edges[i], edges[i + 1], edges[i + 2]
        up = (freqs - lo) / max(mid - lo, 1e-9)
        down = (hi - freqs) / max(hi - mid, 1e-9)
        fb[i] = np.clip(np.minimum(up, down), 0, None)
        if fb[i].sum() == 0:  # a filter narrower than one bin still sees its nearest bin
            fb[i, int(np.argmin(np.abs(freqs - mid)))] = 1.0
    return fb


@lru_cache(maxsize=16)
def constant_q_filterbank(
    n_bins: int, n_fft: int, rate: int, fmin: float = 55.0, bins_per_octave: int = 12
) -> np.ndarray:
    """Constant-Q-like filters over an STFT: centre ``fmin * 2**(k / bins_per_octave)``.

    A fast stand-in for a true CQT: each filter is a triangle whose width is proportional to its
    centre frequency, limited to the bins the STFT resolves.
    """
    centres = fmin * 2.0 ** (np.arange(n_bins + 2) / bins_per_octave)
    centres = centres[centres < rate / 2]
    return _triangles(centres, n_fft, rate)


def log_mel(
    x: np.ndarray, rate: int, n_mels: int = 40, n_fft: int = 256, hop: int | None = None
) -> np.ndarray:
    """Log mel-band energies ``(n_frames, n_mels)``.

    Examples
    --------
    >>> log_mel(np.zeros(8000, dtype=np.float32), 8000).shape
    (98, 40)
    """
    hop = hop or int(0.010 * rate)
    win = min(n_fft, int(0.025 * rate))
    p = power_spectrogram(x, n_fft=n_fft, hop=hop, win=win)
    return np.log(p @ mel_filterbank(n_mels, n_fft, rate).T + 1e-10).astype(np.float32)


def cqt_like(x: np.ndarray, rate: int, n_bins: int = 60, n_fft: int = 2048) -> np.ndarray:
    """Log constant-Q-like spectrogram ``(n_frames, n_bins')``.

    See :func:`constant_q_filterbank`.
    """
    hop = int(0.020 * rate)
    p = power_spectrogram(x, n_fft=n_fft, hop=hop, win=n_fft)
    fb = constant_q_filterbank(n_bins, n_fft, rate)
    return np.log(p @ fb.T + 1e-10).astype(np.float32)


def deltas(feat: np.ndarray, width: int = 2) -> np.ndarray:
    """Regression deltas along time (axis 0), as in HTK.

    Examples
    --------
    >>> float(deltas(np.arange(10, dtype=np.float32)[:, None])[5, 0])
    1.0
    """
    n = len(feat)
    padded = np.pad(feat, ((width, width), (0, 0)), mode="edge")
    num = sum(
        k * (padded[width + k : width + k + n] - padded[width - k : width - k + n])
        for k in range(1, width + 1)
    )
    return (num / (2 * sum(k * k for k in range(1, width + 1)))).astype(np.float32)


def lfcc(
    x: np.ndarray,
    rate: int = SPEECH_RATE,
    n_filters: int = 20,
    n_ceps: int = 20,
    n_fft: int = 256,
    with_deltas: bool = True,
) -> np.ndarray:
    """Linear-frequency cepstral coefficients (ASVspoof 2019 baseline front end).

    20 ms frames, 10 ms hop, linear triangular filterbank, log, DCT-II; with static, delta and
    delta-delta coefficients ``(n_frames, 3 * n_ceps)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> lfcc(rng.standard_normal(8000).astype(np.float32)).shape
    (99, 60)
    """
    hop, win = int(0.010 * rate), int(0.020 * rate)
    p = power_spectrogram(x, n_fft=n_fft, hop=hop, win=win)
    energies = np.log(p @ linear_filterbank(n_filters, n_fft, rate).T + 1e-10)
    c = dct(energies, type=2, axis=1, norm="ortho")[:, :n_ceps].astype(np.float32)
    if not with_deltas:
        return c
    d = deltas(c)
    return np.concatenate([c, d, deltas(d)], axis=1)


def active_frames(
    x: np.ndarray, rate: int, hop_s: float = 0.010, win_s: float = 0.020, top_db: float = 40.0
) -> np.ndarray:
    """Boolean mask of frames within ``top_db`` of the loudest (frames as in :func:`lfcc`)."""
    hop, win = int(hop_s * rate), int(win_s * rate)
    e = frame_energy_db(x, win, hop)
    return e > e.max() - top_db


def segment_bounds(n: int, rate: int, seg_s: float, min_last_s: float) -> list[tuple[int, int]]:
    """Split ``n`` samples into consecutive windows of ``seg_s``; a short tail joins the last.

    Examples
    --------
    >>> segment_bounds(8000 * 9, 8000, 4.0, 1.5)
    [(0, 32000), (32000, 72000)]
    """
    step = int(seg_s * rate)
    if n <= step:
        return [(0, n)]
    bounds = [(s, min(n, s + step)) for s in range(0, n, step)]
    if len(bounds) > 1 and (bounds[-1][1] - bounds[-1][0]) < min_last_s * rate:
        last = bounds.pop()
        bounds[-1] = (bounds[-1][0], last[1])
    return bounds


def griffin_lim(
    mag: np.ndarray,
    rate: int,
    n_fft: int,
    hop: int,
    rng: np.random.Generator,
    n_iter: int = 32,
) -> np.ndarray:
    """Waveform whose STFT magnitude approximates ``mag`` (Griffin & Lim, 1984), random start phase.

    ``mag`` is ``(n_fft // 2 + 1, frames)`` as from ``scipy.signal.stft`` with the same
    ``n_fft``/``hop``. Used to make vocoder-like synthetic audio (phase artefacts).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> griffin_lim(np.ones((129, 20)), 8000, 256, 64, rng, n_iter=2).ndim
    1
    """
    phase = np.exp(2j * np.pi * rng.random(mag.shape))
    for _ in range(n_iter):
        _, y = istft(mag * phase, fs=rate, nperseg=n_fft, noverlap=n_fft - hop)
        _, _, z = stft(y, fs=rate, nperseg=n_fft, noverlap=n_fft - hop)
        z = z[:, : mag.shape[1]]
        if z.shape[1] < mag.shape[1]:
            z = np.pad(z, ((0, 0), (0, mag.shape[1] - z.shape[1])))
        phase = np.exp(1j * np.angle(z))
    _, y = istft(mag * phase, fs=rate, nperseg=n_fft, noverlap=n_fft - hop)
    return y
