"""The 16 kHz speech front end and the channel that neutralises recording-chain confounds.

Real and synthetic speech in public collections come through different chains: more of the
synthetic clips were MP3s, more were peak-normalised, the 8 kHz sources (FSDD, telephone prompts)
are all real. A detector trained on that learns the chain. So every training clip, whatever its
class, goes through

    decode -> mono -> 16 kHz -> :func:`neutral_channel` (one distribution for both classes:
    MP3 / Opus / AAC round trips, the 8 kHz telephone band, noise, or nothing) ->
    :func:`speech_frontend16` (high-pass 50 Hz, silence trimmed, loudness-normalised,
    digital silence filled with a noise floor)

and every input at inference goes through the same front end. Loudness normalisation (the RMS of
the active frames set to -26 dBFS, peaks limited) removes the level and the peak-normalisation
cue; the codec and band draws make "MP3" or "narrow band" say nothing about the class.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> x = (rng.standard_normal(16000) * 0.05).astype(np.float32)
>>> y = speech_frontend16(x, 16000)
>>> round(float(active_rms_db(y, 16000)), 1)
-26.0
"""

from __future__ import annotations

import numpy as np

from fakescope.audio.augment import Codec, Compose, MuLaw, Noise, Transform
from fakescope.audio.dsp import (
    bandpass,
    fill_digital_silence,
    frame_energy_db,
    resample,
    trim_silence,
)

RATE16 = 16000
TARGET_DB = -26.0
HIGHPASS_HZ = 50.0


def active_rms_db(x: np.ndarray, rate: int, floor_db: float = 40.0) -> float:
    """RMS level (dBFS) of the frames within ``floor_db`` of the loudest frame."""
    if x.size == 0:
        return -120.0
    frame, hop = max(1, int(0.025 * rate)), max(1, int(0.010 * rate))
    e = frame_energy_db(np.asarray(x, dtype=np.float64), frame, hop)
    active = e[e > e.max() - floor_db]
    return float(10 * np.log10(np.mean(10 ** (active / 10)) + 1e-12))


def loudness_normalize(x: np.ndarray, rate: int, target_db: float = TARGET_DB) -> np.ndarray:
    """Scale so that the active frames' RMS is ``target_db`` dBFS; peaks limited to 0.99.

    Examples
    --------
    >>> x = np.sin(np.arange(8000) / 5.0).astype(np.float32) * 0.01
    >>> y = loudness_normalize(x, 8000)
    >>> round(active_rms_db(y, 8000), 1)
    -26.0
    """
    x = np.asarray(x, dtype=np.float32)
    if x.size == 0 or not np.any(x):
        return x
    y = x * 10 ** ((target_db - active_rms_db(x, rate)) / 20)
    peak = float(np.abs(y).max())
    if peak > 0.99:
        y = y * (0.99 / peak)
    return y.astype(np.float32)


def speech_frontend16(x: np.ndarray, rate: int, trim: bool = True) -> np.ndarray:
    """Mono speech at any rate -> 16 kHz, high-passed, trimmed, loudness-normalised.

    Runs of digital silence get a noise floor (:func:`~fakescope.audio.dsp.fill_digital_silence`)
    in training and at inference alike.
    """
    y = resample(np.asarray(x, dtype=np.float32), rate, RATE16)
    y = bandpass(y, RATE16, HIGHPASS_HZ, RATE16 / 2)
    if trim:
        y = trim_silence(y, RATE16)
    y = loudness_normalize(y, RATE16)
    return fill_digital_silence(y, RATE16)


class TelephoneBand(Transform):
    """The 8 kHz telephone channel, back at the input rate (300-3400 Hz, G.711 mu-law)."""

    name = "telephone-8k"

    def __call__(self, x, rate, rng):
        y = resample(x, rate, 8000)
        y = bandpass(y, 8000, float(rng.uniform(200, 350)), float(rng.uniform(3300, 3700)))
        y, _ = MuLaw()(y, 8000, rng)
        return resample(y, 8000, rate), rate


TELEPHONE_P = 0.25


def neutral_channel(rng: np.random.Generator, telephone_p: float = TELEPHONE_P) -> Transform:
    """One draw of the training channel, the same distribution for real and synthetic speech.

    The sources that are narrow-band by nature (8 kHz FSDD and telephone prompts, all real) are
    evened out by sample weights in training (``speech_training.balance_weights``), not here.

    ~40 % no codec, ~35 % MP3 (24-128 kbps), ~12 % Opus (12-48 kbps), ~13 % AAC (32-96 kbps);
    noise at 20-50 dB SNR in 20 % of the draws; the telephone band with ``telephone_p``.
    """
    chain: list[Transform] = []
    if rng.random() < telephone_p:
        chain.append(TelephoneBand())
    u = rng.random()
    if u < 0.35:
        chain.append(Codec("mp3", int(rng.choice([24, 32, 48, 64, 96, 128]))))
    elif u < 0.47:
        chain.append(Codec("opus", int(rng.choice([12, 16, 24, 32, 48]))))
    elif u < 0.60:
        chain.append(Codec("aac", int(rng.choice([32, 48, 64, 96]))))
    if rng.random() < 0.2:
        chain.append(Noise(float(rng.uniform(20, 50)), pink=bool(rng.random() < 0.5)))
    return Compose(chain)


def prepare_clip(
    x: np.ndarray, rate: int, rng: np.random.Generator | None, telephone_p: float = TELEPHONE_P
) -> tuple[np.ndarray, bool]:
    """One copy of a recording for training or evaluation: 16 kHz, a channel drawn with ``rng``
    (None: no channel), the front end. Returns the audio and whether the telephone band was drawn.
    """
    y = trim_silence(resample(np.asarray(x, dtype=np.float32), rate, RATE16), RATE16)
    narrow = False
    if rng is not None and y.size:
        channel = neutral_channel(rng, telephone_p)
        narrow = any(isinstance(t, TelephoneBand) for t in channel.transforms)
        y, r = channel(loudness_normalize(y, RATE16), RATE16, rng)
        y = resample(y, r, RATE16) if r != RATE16 else y
    return speech_frontend16(y, RATE16), narrow


def _random_fir(rng: np.random.Generator, rate: int, n_bands: int, taps: int) -> np.ndarray:
    """Sum of ``n_bands`` band-pass FIR filters at random centres, widths and gains."""
    from scipy.signal import firwin

    h = np.zeros(taps)
    for _ in range(n_bands):
        fc = rng.uniform(50, rate / 2 - 200)
        bw = rng.uniform(100, 1000)
        lo, hi = max(fc - bw / 2, 20.0), min(fc + bw / 2, rate / 2 - 20)
        h += rng.uniform(0.2, 1.0) * firwin(taps, [lo, hi], pass_zero=False, fs=rate)
    return h / (np.abs(np.fft.rfft(h, 1024)).max() + 1e-9)


def rawboost(x: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """RawBoost-style augmentation (Tak et al., ICASSP 2022), one of its three kinds drawn:

    1. linear and non-linear convolutive noise: the sum of x, x^2, x^3 through random multi-band
       FIR filters (a random channel with a memoryless non-linearity);
    2. impulsive signal-dependent noise: 1-10 % of the samples get x * uniform(-1, 1) added;
    3. stationary signal-independent noise: white noise through a random multi-band FIR at
       10-40 dB SNR.

    Drawn from one distribution for real and synthetic speech alike; the level is kept.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.sin(np.arange(16000) / 7.0).astype(np.float32) * 0.1
    >>> rawboost(x, 16000, rng).shape
    (16000,)
    """
    from scipy.signal import fftconvolve

    x = np.asarray(x, dtype=np.float32)
    kind = int(rng.integers(1, 4))
    if kind == 1:
        y = np.zeros_like(x, dtype=np.float64)
        for power in range(1, int(rng.integers(1, 4)) + 1):
            h = _random_fir(rng, rate, int(rng.integers(2, 6)), int(rng.integers(10, 50)) * 2 + 1)
            term = x.astype(np.float64) ** power
            y += fftconvolve(term, h, mode="same") * (1.0 if power == 1 else rng.uniform(0.1, 0.5))
    elif kind == 2:
        y = x.astype(np.float64).copy()
        n = int(len(x) * rng.uniform(0.01, 0.10))
        idx = rng.choice(len(x), size=n, replace=False)
        y[idx] += x[idx] * rng.uniform(-1, 1, n) * rng.uniform(1, 5)
    else:
        noise = rng.standard_normal(len(x))
        h = _random_fir(rng, rate, int(rng.integers(2, 6)), int(rng.integers(10, 50)) * 2 + 1)
        noise = fftconvolve(noise, h, mode="same")
        snr = rng.uniform(10, 40)
        p_x, p_n = np.mean(x.astype(np.float64) ** 2) + 1e-12, np.mean(noise**2) + 1e-12
        y = x + noise * np.sqrt(p_x / p_n / 10 ** (snr / 10))
    gain = np.sqrt((np.mean(x.astype(np.float64) ** 2) + 1e-12) / (np.mean(y**2) + 1e-12))
    return np.clip(y * gain, -1, 1).astype(np.float32)
