"""Laundering transforms: small composable classes (torchattacks style).

Each transform maps ``(samples, rate, rng) -> (samples, rate)`` on mono float32 audio. They are used
twice: as random augmentation applied alike to real and synthetic training audio (so the detector
cannot key on a channel), and as the laundering attacks of the robustness evaluation
(``scripts/audio/robustness.py``).

Examples
--------
>>> rng = np.random.default_rng(0)
>>> x = np.sin(np.arange(16000) / 3.0).astype(np.float32) * 0.5
>>> y, r = Compose([Gain(-6.0), Telephone()])(x, 16000, rng)
>>> r
8000
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np

from fakescope.audio.dsp import bandpass, resample


class Transform:
    """Base: subclasses define ``__call__(x, rate, rng)`` and a readable ``name``."""

    @property
    def name(self) -> str:
        return type(self).__name__.lower()

    def __call__(self, x: np.ndarray, rate: int, rng: np.random.Generator):
        return x, rate


@dataclass
class Gain(Transform):
    """Scale by ``db`` decibels (clipped to [-1, 1])."""

    db: float = 0.0

    def __call__(self, x, rate, rng):
        return np.clip(x * 10 ** (self.db / 20), -1, 1).astype(np.float32), rate


@dataclass
class Noise(Transform):
    """Add white or pink noise at ``snr_db`` relative to the signal's mean power."""

    snr_db: float = 30.0
    pink: bool = False

    def __call__(self, x, rate, rng):
        n = rng.standard_normal(len(x))
        if self.pink:
            spec = np.fft.rfft(n)
            spec /= np.sqrt(np.maximum(np.arange(len(spec)), 1))
            n = np.fft.irfft(spec, n=len(x))
        p_sig = float(np.mean(x.astype(np.float64) ** 2)) + 1e-12
        n *= np.sqrt(p_sig / (np.mean(n**2) + 1e-12) / 10 ** (self.snr_db / 10))
        return (x + n).astype(np.float32), rate


@dataclass
class Resample(Transform):
    """Resample to ``rate`` (down-sampling removes the band above the new Nyquist)."""

    rate: int = 8000

    def __call__(self, x, rate, rng):
        return resample(x, rate, self.rate), self.rate

    @property
    def name(self) -> str:
        return f"resample-{self.rate // 1000}k"


@dataclass
class BandPass(Transform):
    low: float = 300.0
    high: float = 3400.0

    def __call__(self, x, rate, rng):
        return bandpass(x, rate, self.low, min(self.high, rate / 2 * 0.98)), rate


@dataclass
class MuLaw(Transform):
    """G.711 mu-law companding to 8 bits and back."""

    def __call__(self, x, rate, rng):
        mu = 255.0
        y = np.sign(x) * np.log1p(mu * np.abs(np.clip(x, -1, 1))) / np.log1p(mu)
        y = np.round((y + 1) / 2 * mu) / mu * 2 - 1
        return (np.sign(y) * ((1 + mu) ** np.abs(y) - 1) / mu).astype(np.float32), rate


@dataclass
class Telephone(Transform):
    """8 kHz narrow-band telephone channel: 300-3400 Hz and G.711 mu-law."""

    def __call__(self, x, rate, rng):
        y = resample(x, rate, 8000)
        y = bandpass(y, 8000, 300.0, 3400.0)
        return MuLaw()(y, 8000, rng)


@dataclass
class Codec(Transform):
    """Lossy re-encoding through FFmpeg (PyAV), in memory: ``mp3``, ``opus``, ``aac``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = (np.random.default_rng(1).standard_normal(16000) * 0.1).astype(np.float32)
    >>> y, r = Codec("mp3", 32)(x, 16000, rng)
    >>> r, abs(len(y) - 16000) < 3000
    (16000, True)
    """

    codec: str = "mp3"
    kbps: int = 32

    @property
    def name(self) -> str:
        return f"{self.codec}-{self.kbps}k"

    def __call__(self, x, rate, rng):
        return codec_roundtrip(x, rate, self.codec, self.kbps), rate


_CODECS = {
    "mp3": ("mp3", "libmp3lame", None),
    "opus": ("ogg", "libopus", 48000),
    "aac": ("adts", "aac", None),
}


def encode(x: np.ndarray, rate: int, codec: str, kbps: int) -> tuple[bytes, str]:
    """Encode mono float audio with ``codec`` (``mp3``, ``opus``, ``aac``) at ``kbps``.

    Returns the encoded file's bytes and its usual extension.

    Examples
    --------
    >>> data, ext = encode(np.zeros(8000, dtype=np.float32), 8000, "mp3", 32)
    >>> ext, len(data) > 0
    ('.mp3', True)
    """
    import av

    fmt, enc, enc_rate = _CODECS[codec]
    mp3_rates = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)
    work_rate = enc_rate or (rate if codec != "mp3" or rate in mp3_rates else 16000)
    y = resample(x, rate, work_rate)
    pcm = (np.clip(y, -1, 1) * 32767).astype(np.int16)
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt) as out:
        stream = out.add_stream(enc, rate=work_rate, layout="mono")
        stream.bit_rate = kbps * 1000
        step = 1152 * 4
        for i in range(0, len(pcm), step):
            frame = av.AudioFrame.from_ndarray(pcm[None, i : i + step], format="s16", layout="mono")
            frame.sample_rate = work_rate
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue(), {"mp3": ".mp3", "opus": ".opus", "aac": ".aac"}[codec]


def codec_roundtrip(x: np.ndarray, rate: int, codec: str, kbps: int) -> np.ndarray:
    """Encode mono float audio with ``codec`` at ``kbps`` and decode it back at ``rate``."""
    import av

    data, _ = encode(x, rate, codec, kbps)
    chunks = []
    dec_rate = rate
    with av.open(io.BytesIO(data), "r") as inp:
        for frame in inp.decode(audio=0):
            a = frame.to_ndarray()
            if frame.format.name.endswith("p"):
                a = a.mean(axis=0)
            else:
                a = a.reshape(-1, len(frame.layout.channels)).mean(axis=1)
            if a.dtype == np.int16:
                a = a / 32768.0
            chunks.append(a.astype(np.float32))
            dec_rate = frame.sample_rate
    if not chunks:
        return np.zeros(0, np.float32)
    return resample(np.concatenate(chunks), dec_rate, rate)


@dataclass
class Compose(Transform):
    """Apply transforms in order."""

    transforms: list[Transform] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "+".join(t.name for t in self.transforms) or "identity"

    def __call__(self, x, rate, rng):
        for t in self.transforms:
            x, rate = t(x, rate, rng)
        return x, rate


def random_channel(rng: np.random.Generator, p: float = 0.6) -> Transform:
    """A random channel for training augmentation (same distribution for real and synthetic).

    With probability ``1 - p`` the audio is left as it is; otherwise one or two of: noise,
    telephone band, mu-law, low-bitrate MP3 / Opus, a band-pass with random edges, a gain.
    """
    if rng.random() > p:
        return Compose([])
    pool: list[Transform] = [
        Noise(float(rng.uniform(15, 45)), pink=bool(rng.random() < 0.5)),
        Telephone(),
        MuLaw(),
        Codec("mp3", int(rng.choice([16, 24, 32, 48]))),
        Codec("opus", int(rng.choice([8, 12, 16, 24]))),
        BandPass(float(rng.uniform(50, 350)), float(rng.uniform(2800, 3900))),
    ]
    k = 1 if rng.random() < 0.7 else 2
    chosen = [pool[i] for i in rng.choice(len(pool), size=k, replace=False)]
    return Compose([*chosen, Gain(float(rng.uniform(-12, 0)))])
