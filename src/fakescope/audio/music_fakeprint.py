"""The "fakeprint" of generated music and band / codec descriptors, as pure functions.

Decoders of music generators up-sample with transposed convolutions or interpolation layers;
each leaves a comb of narrow, regular peaks in the long-term average spectrum (LTAS) that no
instrument or microphone produces (Afchar et al., "A Fourier explanation of AI-music artifacts",
ISMIR 2025). The fakeprint is the LTAS in dB minus its lower envelope: peaks stand out, the
spectral tilt of the music does not. Musical partials also make peaks, but they move with the
notes; decoder peaks stay put, so the module also measures how stationary the peaks are (their
correlation between the two halves of a segment and in the quiet frames).

Two fixed analysis settings (:class:`Spec`): ``NARROW`` (16 kHz, fakeprint 0.5-7.8 kHz) for every
file, and ``WIDE`` (32 kHz, fakeprint 0.5-15.5 kHz) for files whose own rate is 32 kHz or more.
Each input is brought to the setting's one rate, so the file's sample rate and codec cut-offs
above the setting's band cannot be used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d

ENVELOPE_BINS = 24  # ~190 Hz: wider than a peak, narrower than a formant or the tilt
PRINT_POOL = 4  # fakeprint vector in ~31 Hz steps
N_LOG_BANDS = 16


@dataclass(frozen=True)
class Spec:
    """One analysis setting: rate, FFT (7.8 Hz bins in both settings), band of the fakeprint."""

    name: str
    rate: int
    n_fft: int
    hop: int
    low_hz: float
    high_hz: float
    band_edges: tuple[float, ...]

    @property
    def bin_hz(self) -> float:
        return self.rate / self.n_fft


NARROW = Spec("narrow", 16000, 2048, 512, 500.0, 7800.0, (500, 2000, 4000, 6000, 7800))
WIDE = Spec("wide", 32000, 4096, 1024, 500.0, 15500.0, (500, 2000, 4000, 8000, 12000, 15500))
SPECS = {s.name: s for s in (NARROW, WIDE)}
RATE = NARROW.rate
N_FFT = NARROW.n_fft
HOP = NARROW.hop
LOW_HZ, HIGH_HZ = NARROW.low_hz, NARROW.high_hz
BIN_HZ = NARROW.bin_hz


def power_frames(x: np.ndarray, spec: Spec = NARROW) -> np.ndarray:
    """Power spectrogram (frames, n_fft // 2 + 1) with a Hann window.

    Examples
    --------
    >>> power_frames(np.zeros(16000, np.float32)).shape
    (28, 1025)
    """
    x = np.asarray(x, np.float32)
    n_fft, hop = spec.n_fft, spec.hop
    if len(x) < n_fft:
        x = np.pad(x, (0, n_fft - len(x)))
    n = 1 + (len(x) - n_fft) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n)[:, None]
    z = np.fft.rfft(x[idx] * np.hanning(n_fft).astype(np.float32), axis=1)
    return (z.real**2 + z.imag**2).astype(np.float64)


def ltas_db(power: np.ndarray) -> np.ndarray:
    """Long-term average spectrum in dB, 0 dB at its maximum."""
    db = 10 * np.log10(power.mean(axis=0) + 1e-12)
    return db - db.max()


def lower_envelope(db: np.ndarray, width: int = ENVELOPE_BINS) -> np.ndarray:
    """Smooth lower envelope of a dB spectrum: running minimum, then running mean."""
    return uniform_filter1d(
        minimum_filter1d(db, 2 * width + 1, mode="nearest"), 2 * width + 1, mode="nearest"
    )


def fakeprint(db: np.ndarray, spec: Spec = NARROW) -> np.ndarray:
    """Peaks over the lower envelope (dB, >= 0) between LOW_HZ and HIGH_HZ.

    Examples
    --------
    >>> fp = fakeprint(np.zeros(N_FFT // 2 + 1))
    >>> fp.shape, float(fp.max())
    ((934,), 0.0)
    """
    band = slice(int(spec.low_hz / spec.bin_hz), int(spec.high_hz / spec.bin_hz))
    return np.clip(db - lower_envelope(db), 0.0, 40.0)[band]


def _comb_hypotheses() -> list[float]:
    """Peak spacings (Hz) left by power-of-two up-sampling at the usual model rates."""
    out = set()
    for rate in (16000, 22050, 24000, 32000, 44100, 48000):
        for k in range(3, 10):
            s = rate / 2**k
            if 60.0 <= s <= 2000.0:
                out.add(round(s, 3))
    return sorted(out)


COMB_SPACINGS = _comb_hypotheses()


def comb_strengths(fp: np.ndarray, spec: Spec = NARROW) -> np.ndarray:
    """For each spacing in COMB_SPACINGS: mean fakeprint at its multiples minus the median.

    Examples
    --------
    >>> comb_strengths(np.zeros(932)).shape == (len(COMB_SPACINGS),)
    True
    """
    offset = int(spec.low_hz / spec.bin_hz)
    base = float(np.median(fp))
    padded = np.maximum(np.maximum(fp, np.roll(fp, 1)), np.roll(fp, -1))  # +-1 bin tolerance
    out = []
    for s in COMB_SPACINGS:
        f = np.arange(np.ceil(spec.low_hz / s) * s, spec.high_hz, s)
        idx = np.round(f / spec.bin_hz).astype(int) - offset
        idx = idx[(idx >= 0) & (idx < len(fp))]
        out.append(float(padded[idx].mean() - base) if len(idx) >= 3 else 0.0)
    return np.asarray(out)


def strongest_comb(fp: np.ndarray, spec: Spec = NARROW, share: float = 0.8) -> tuple[float, float]:
    """The finest comb spacing (Hz) whose strength is within ``share`` of the strongest one, and
    that strength (a comb at 500 Hz also lights up every multiple of 500 Hz: report 500).

    Examples
    --------
    >>> strongest_comb(np.zeros(934))[1]
    0.0
    """
    comb = comb_strengths(fp, spec)
    best = float(comb.max())
    if best <= 0:
        return COMB_SPACINGS[int(np.argmax(comb))], max(best, 0.0)
    i = int(np.flatnonzero(comb >= share * best)[0])  # COMB_SPACINGS is sorted ascending
    return COMB_SPACINGS[i], float(comb[i])


def _periodicity(fp: np.ndarray, spec: Spec) -> list[float]:
    """Strongest normalised autocorrelation of the fakeprint in three spacing ranges."""
    v = fp - fp.mean()
    denom = float(v @ v)
    if denom <= 1e-9:
        return [0.0, 0.0, 0.0]
    ac = np.fft.irfft(np.abs(np.fft.rfft(v, 2 * len(v))) ** 2)[: len(v)] / denom
    out = []
    for lo, hi in ((60.0, 180.0), (180.0, 700.0), (700.0, 2500.0)):
        a, b = int(lo / spec.bin_hz), int(hi / spec.bin_hz)
        out.append(float(ac[a:b].max()))
    return out


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    d = float(np.sqrt((a @ a) * (b @ b)))
    return float(a @ b / d) if d > 1e-9 else 0.0


def fakeprint_summary(power: np.ndarray, spec: Spec = NARROW) -> tuple[np.ndarray, list[str]]:
    """Family-agnostic peak statistics of one segment's power frames."""
    db = ltas_db(power)
    fp = fakeprint(db, spec)
    feats, names = [], []
    edges_hz = spec.band_edges
    for lo, hi in zip(edges_hz[:-1], edges_hz[1:], strict=True):
        seg = fp[int((lo - spec.low_hz) / spec.bin_hz) : int((hi - spec.low_hz) / spec.bin_hz)]
        feats += [seg.mean() / 10, seg.max() / 20, float(np.mean(seg > 3.0))]
        names += [f"fp_mean_{lo}", f"fp_max_{lo}", f"fp_share3_{lo}"]
    feats += _periodicity(fp, spec)
    names += ["fp_period_lo", "fp_period_mid", "fp_period_hi"]
    comb = np.sort(comb_strengths(fp, spec))[::-1]
    feats += [comb[0] / 10, comb[:3].mean() / 10, float(np.median(comb)) / 10]
    names += ["comb_best", "comb_top3", "comb_median"]
    half = len(power) // 2
    if half >= 2:
        fa, fb = fakeprint(ltas_db(power[:half]), spec), fakeprint(ltas_db(power[half:]), spec)
        stationary = _corr(fa, fb)
        frame_db = 10 * np.log10(power.sum(axis=1) + 1e-12)
        quiet = power[frame_db <= np.percentile(frame_db, 30)]
        quiet_corr = _corr(fakeprint(ltas_db(quiet), spec), fp) if len(quiet) else 0.0
    else:
        stationary, quiet_corr = 0.0, 0.0
    feats += [stationary, quiet_corr]
    names += ["fp_stationarity", "fp_quiet_corr"]
    return np.asarray(feats, np.float64), names


def band_descriptors(power: np.ndarray, spec: Spec = NARROW) -> tuple[np.ndarray, list[str]]:
    """Spectral shape, roll-off, codec holes and dynamics inside the setting's band."""
    nyq = spec.rate / 2
    freqs = np.arange(power.shape[1]) * spec.bin_hz
    mean_p = power.mean(axis=0) + 1e-12
    db = 10 * np.log10(mean_p)
    top = db.max()
    edges = np.geomspace(50, nyq, N_LOG_BANDS + 1)
    bands = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (freqs >= lo) & (freqs < hi)
        bands.append(10 * np.log10(mean_p[m].mean()) if m.any() else top - 120)
    bands = (np.asarray(bands) - top) / 40.0
    names = [f"band_{i}" for i in range(N_LOG_BANDS)]
    cum = np.cumsum(mean_p) / mean_p.sum()
    roll = [
        freqs[min(len(freqs) - 1, int(np.searchsorted(cum, q)))] / nyq for q in (0.85, 0.95, 0.99)
    ]
    fit = (freqs > 100) & (freqs < spec.high_hz)
    slope = float(np.polyfit(np.log2(freqs[fit]), db[fit], 1)[0]) / 10
    hf = freqs > nyq / 2
    p_hf = power[:, hf] + 1e-12
    flat = float(np.mean(np.exp(np.mean(np.log(p_hf), axis=1)) / p_hf.mean(axis=1)))
    frame_top = 10 * np.log10(power.max(axis=1) + 1e-12)
    holes = float(np.mean(10 * np.log10(p_hf) < frame_top[:, None] - 70))
    above = np.flatnonzero(db > top - 60)
    cutoff = freqs[above[-1]] / nyq if above.size else 1.0
    frame_db = 10 * np.log10(power.sum(axis=1) + 1e-12)
    mag = np.sqrt(power)
    mag = mag / (mag.sum(axis=1, keepdims=True) + 1e-12)
    flux = np.sqrt((np.diff(mag, axis=0) ** 2).sum(axis=1)) if len(mag) > 1 else np.zeros(1)
    floor = np.percentile(10 * np.log10(power + 1e-12), 10, axis=1) - frame_top
    stats = [
        *roll,
        slope,
        flat,
        holes,
        cutoff,
        float(frame_db.std()) / 10,
        float(flux.mean()) * 10,
        float(flux.std()) * 10,
        float(np.median(floor)) / 40,
        float(floor.std()) / 10,
    ]
    names += [
        "rolloff85",
        "rolloff95",
        "rolloff99",
        "slope",
        "hf_flatness",
        "hf_holes",
        "cutoff",
        "energy_std",
        "flux_mean",
        "flux_std",
        "noise_floor",
        "noise_floor_std",
    ]
    return np.concatenate([bands, np.asarray(stats)]), names


def fakeprint_vector(power: np.ndarray, spec: Spec = NARROW) -> np.ndarray:
    """The fakeprint pooled to ~31 Hz steps (max over PRINT_POOL bins), scaled to ~[0, 1]."""
    fp = fakeprint(ltas_db(power), spec)
    n = len(fp) // PRINT_POOL * PRINT_POOL
    return fp[:n].reshape(-1, PRINT_POOL).max(axis=1) / 20.0


def segment_features(x16: np.ndarray, spec: Spec = NARROW) -> np.ndarray:
    """Summary features (fakeprint statistics + band descriptors) of one mono segment at
    ``spec.rate``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> segment_features(rng.standard_normal(48000).astype(np.float32)).shape == (len(
    ...     FEATURE_NAMES),)
    True
    """
    x16 = np.asarray(x16, np.float32)
    peak = float(np.abs(x16).max())
    if peak > 0:
        x16 = x16 / peak
    power = power_frames(x16, spec)
    a, _ = fakeprint_summary(power, spec)
    b, _ = band_descriptors(power, spec)
    return np.nan_to_num(np.concatenate([a, b])).astype(np.float32)


def feature_names(spec: Spec = NARROW) -> list[str]:
    """Names of :func:`segment_features`' values for a setting."""
    x = np.random.default_rng(0).standard_normal(spec.rate).astype(np.float32)
    p = power_frames(x, spec)
    return fakeprint_summary(p, spec)[1] + band_descriptors(p, spec)[1]


FEATURE_NAMES = feature_names(NARROW)
