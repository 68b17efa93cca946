"""Audio laundering: codecs, the telephone channel, resampling, noise, reverberation, gating.

Every transform maps an :class:`~fakescope.audio.clip.AudioClip` to a new one (channels are
processed one by one; the rate may change). Codecs run the real FFmpeg encoders through PyAV,
in memory (:func:`fakescope.audio.augment.codec_roundtrip`).

Examples
--------
>>> from fakescope.audio.clip import AudioClip
>>> rng = np.random.default_rng(0)
>>> tone = np.sin(np.arange(16000) / 3.0).astype(np.float32)[:, None] * 0.5
>>> Telephone()(AudioClip(tone, 16000), rng).sample_rate
8000
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass

import numpy as np

from fakescope.robustness.transforms.base import Transform


class AudioTransform(Transform):
    """Base: subclasses define ``mono(x, rate, rng) -> (y, rate)`` on one channel."""

    modality = "audio"

    @abstractmethod
    def mono(self, x: np.ndarray, rate: int, rng: np.random.Generator):
        """``(y, rate)``: one channel laundered, possibly at a new sample rate."""

    def __call__(self, data, rng):
        from fakescope.audio.clip import AudioClip

        outs, rate = [], data.sample_rate
        for ch in range(data.channels):
            y, rate = self.mono(data.samples[:, ch].astype(np.float32), data.sample_rate, rng)
            outs.append(y)
        n = min(len(y) for y in outs)
        samples = np.stack([y[:n] for y in outs], axis=1)
        return AudioClip(np.clip(samples, -1.0, 1.0).astype(np.float32), int(rate))


class _Codec(AudioTransform):
    codec = "mp3"
    kbps: int

    @property
    def name(self) -> str:
        return f"{self.codec}-{self.kbps}k"

    def mono(self, x, rate, rng):
        from fakescope.audio.augment import codec_roundtrip

        return codec_roundtrip(x, rate, self.codec, int(self.kbps)), rate


@dataclass
class MP3(_Codec):
    """MP3 (LAME) at ``kbps``."""

    kbps: int = 32
    codec = "mp3"


@dataclass
class Opus(_Codec):
    """Opus at ``kbps`` (voice messages, WebRTC calls)."""

    kbps: int = 16
    codec = "opus"


@dataclass
class AAC(_Codec):
    """AAC-LC at ``kbps`` (video uploads, phone recordings)."""

    kbps: int = 32
    codec = "aac"


@dataclass
class Telephone(AudioTransform):
    """Narrow-band telephone channel: 8 kHz, 300-3400 Hz, G.711 (``mu`` or ``a`` law)."""

    law: str = "mu"

    def mono(self, x, rate, rng):
        from fakescope.audio.dsp import bandpass, resample

        y = bandpass(resample(x, rate, 8000), 8000, 300.0, 3400.0)
        return g711(y, self.law), 8000


def g711(x: np.ndarray, law: str = "mu") -> np.ndarray:
    """G.711 companding to 8 bits and back (``mu``: North America/Japan, ``a``: Europe).

    Examples
    --------
    >>> x = np.linspace(-1, 1, 5, dtype=np.float32)
    >>> bool(np.abs(g711(x, "a") - x).max() < 0.05)
    True
    """
    x = np.clip(np.asarray(x, dtype=np.float64), -1.0, 1.0)
    if law == "mu":
        mu = 255.0
        y = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
        y = np.round((y + 1) / 2 * 255) / 255 * 2 - 1
        out = np.sign(y) * ((1 + mu) ** np.abs(y) - 1) / mu
    elif law == "a":
        a = 87.6
        ax = np.abs(x)
        small = ax < 1 / a
        y = np.where(small, a * ax, 1 + np.log(np.maximum(a * ax, 1e-12))) / (1 + np.log(a))
        y = np.sign(x) * y
        y = np.round((y + 1) / 2 * 255) / 255 * 2 - 1
        ay = np.abs(y) * (1 + np.log(a))
        out = np.sign(y) * np.where(ay < 1, ay / a, np.exp(ay - 1) / a)
    else:
        raise ValueError(f"unknown G.711 law {law!r}; use 'mu' or 'a'")
    return out.astype(np.float32)


@dataclass
class Resample(AudioTransform):
    """Down to ``rate`` Hz and back to the original rate (removes the band above rate/2)."""

    rate: int = 8000

    @property
    def name(self) -> str:
        return f"resample-{self.rate / 1000:g}k"

    def mono(self, x, rate, rng):
        from fakescope.audio.dsp import resample

        if self.rate >= rate:
            return x, rate
        return resample(resample(x, rate, self.rate), self.rate, rate)[: len(x)], rate


@dataclass
class Noise(AudioTransform):
    """White noise at ``snr_db`` below the signal's mean power."""

    snr_db: float = 30.0

    def mono(self, x, rate, rng):
        power = float(np.mean(x.astype(np.float64) ** 2)) + 1e-12
        n = rng.standard_normal(len(x)) * np.sqrt(power / 10 ** (self.snr_db / 10))
        return (x + n).astype(np.float32), rate


@dataclass
class Reverb(AudioTransform):
    """Room reverberation: convolution with an exponentially decaying noise impulse response
    of reverberation time ``rt60`` seconds (a re-recording in a room), level-matched."""

    rt60: float = 0.3

    def mono(self, x, rate, rng):
        from scipy.signal import fftconvolve

        n = max(1, int(self.rt60 * rate))
        t = np.arange(n) / rate
        ir = rng.standard_normal(n) * np.exp(-6.9 * t / max(self.rt60, 1e-3))
        ir[0] = 1.0
        y = fftconvolve(x, ir)[: len(x)]
        peak_in, peak_out = float(np.abs(x).max()), float(np.abs(y).max())
        return (y * (peak_in / peak_out if peak_out > 0 else 1.0)).astype(np.float32), rate


@dataclass
class SilenceFill(AudioTransform):
    """Fill pauses with digital silence: a noise gate zeroing 10 ms frames quieter than
    ``threshold_db`` below the loudest frame (what editing tools and some TTS do; exact zeros
    once made synthetic speech look real, docs/audio.md)."""

    threshold_db: float = 40.0

    def mono(self, x, rate, rng):
        hop = max(1, int(0.010 * rate))
        n = len(x) // hop
        if n == 0:
            return x, rate
        frames = x[: n * hop].reshape(n, hop).astype(np.float64)
        db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
        quiet = db < db.max() - self.threshold_db
        y = x.copy()
        y[: n * hop].reshape(n, hop)[quiet] = 0.0
        return y, rate
