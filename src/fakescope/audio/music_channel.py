"""Random delivery chains for music, drawn alike for real and machine-made clips.

The music data sets carry their class in their format (Opus only among the generators' clips,
Vorbis only among the real ones, 16 kHz almost only among the generators'). Training copies of
*both* classes therefore go through the same random chain: a lossy codec (MP3, Opus, Vorbis, AAC)
at a random bit rate, sometimes a second one (a transcode), sometimes a low-pass, and a gain.
The detector then cannot learn "Opus means machine"; what is left to learn is what the codec
leaves alone.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> chain = random_music_chain(rng)
>>> y = chain(np.zeros(44100, np.float32), 44100, rng)[0]
>>> y.shape
(44100,)
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from fakescope.audio.augment import Compose, Gain, Transform
from fakescope.audio.dsp import bandpass, resample

CHAIN_RATE = 44100

# container, encoder, the rate the encoder runs at (None: the input's), extension
_ENCODERS = {
    "mp3": ("mp3", "libmp3lame", None),
    "opus": ("ogg", "libopus", 48000),
    "vorbis": ("ogg", "vorbis", None),
    "aac": ("adts", "aac", None),
}


def codec_roundtrip(x: np.ndarray, rate: int, codec: str, kbps: int) -> np.ndarray:
    """Encode mono ``x`` with ``codec`` at ``kbps`` and decode it back, same rate and length.

    Examples
    --------
    >>> y = codec_roundtrip(np.zeros(44100, np.float32), 44100, "vorbis", 96)
    >>> len(y)
    44100
    """
    import av

    fmt, enc, enc_rate = _ENCODERS[codec]
    work = enc_rate or rate
    y = resample(np.asarray(x, np.float32), rate, work) if work != rate else x
    pcm = (np.clip(y, -1, 1) * 32767).astype(np.int16)
    buf = io.BytesIO()
    # FFmpeg's own Vorbis encoder takes stereo only: encode two identical channels
    layout = "stereo" if enc == "vorbis" else "mono"
    if layout == "stereo":
        pcm = np.stack([pcm, pcm], axis=1).reshape(-1)
    width = 2 if layout == "stereo" else 1
    with av.open(buf, "w", format=fmt) as out:
        stream = out.add_stream(enc, rate=work, layout=layout)
        if enc == "vorbis":
            stream.codec_context.options = {"strict": "experimental"}
        stream.bit_rate = kbps * 1000
        step = 4096
        for i in range(0, len(pcm) // width, step):
            chunk = pcm[None, i * width : (i + step) * width]
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout=layout)
            frame.sample_rate = work
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    chunks, dec_rate = [], work
    with av.open(io.BytesIO(buf.getvalue()), "r") as inp:
        for frame in inp.decode(audio=0):
            a = frame.to_ndarray().astype(np.float32)
            n_ch = len(frame.layout.channels)
            if frame.format.is_planar:
                a = a.mean(axis=0)
            else:
                a = a.reshape(-1, n_ch).mean(axis=1)
            if frame.format.name.startswith("s16"):
                a = a / 32768.0
            chunks.append(a)
            dec_rate = frame.sample_rate
    out_x = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    if dec_rate != rate:
        out_x = resample(out_x, dec_rate, rate)
    # encoders add priming samples; align by cross-correlation of the first second
    out_x = _align(np.asarray(x, np.float32), out_x)
    return out_x.astype(np.float32)


def _align(ref: np.ndarray, y: np.ndarray, max_lag: int = 4096) -> np.ndarray:
    n = min(len(ref), len(y), 32768)
    if n < 256:
        return np.resize(y, len(ref)) if len(y) else np.zeros_like(ref)
    a, b = (
        ref[:n],
        y[: n + max_lag] if len(y) >= n + max_lag else np.pad(y, (0, n + max_lag - len(y))),
    )
    spec = np.fft.rfft(b, 2 * len(b)) * np.conj(np.fft.rfft(a, 2 * len(b)))
    corr = np.fft.irfft(spec)[: max_lag + 1]
    lag = int(np.argmax(corr))
    y = y[lag:]
    if len(y) < len(ref):
        y = np.pad(y, (0, len(ref) - len(y)))
    return y[: len(ref)]


@dataclass
class MusicCodec(Transform):
    """Lossy codec round trip (``mp3``, ``opus``, ``vorbis``, ``aac``) at ``kbps``."""

    codec: str = "mp3"
    kbps: int = 128

    @property
    def name(self) -> str:
        return f"{self.codec}-{self.kbps}k"

    def __call__(self, x, rate, rng):
        return codec_roundtrip(x, rate, self.codec, self.kbps), rate


@dataclass
class LowPass(Transform):
    """Low-pass at ``hz`` (a band limit that any recording chain may have)."""

    hz: float = 8000.0

    @property
    def name(self) -> str:
        return f"lowpass-{self.hz / 1000:.1f}k"

    def __call__(self, x, rate, rng):
        return bandpass(x, rate, 20.0, min(self.hz, rate / 2 * 0.98)), rate


@dataclass
class RateRoundTrip(Transform):
    """Down to ``rate`` and back up (content produced at a lower rate)."""

    rate: int = 22050

    @property
    def name(self) -> str:
        return f"via-{self.rate / 1000:g}k"

    def __call__(self, x, rate, rng):
        return resample(resample(x, rate, self.rate), self.rate, rate)[: len(x)], rate


_BITRATES = {
    "mp3": (64, 96, 128, 160, 192, 256, 320),
    "opus": (32, 48, 64, 96, 128, 160),
    "vorbis": (64, 96, 128, 160, 192, 256),
    "aac": (64, 96, 128, 192, 256),
}


def random_music_chain(rng: np.random.Generator, p_clean: float = 0.2) -> Transform:
    """A random delivery chain for a mono 44.1 kHz music clip (the same law for both classes)."""
    if rng.random() < p_clean:
        return Compose([Gain(float(rng.uniform(-6, 0)))])
    steps: list[Transform] = []
    if rng.random() < 0.15:
        steps.append(RateRoundTrip(int(rng.choice([16000, 22050, 24000, 32000]))))
    for _ in range(2 if rng.random() < 0.2 else 1):
        codec = str(rng.choice(list(_BITRATES)))
        steps.append(MusicCodec(codec, int(rng.choice(_BITRATES[codec]))))
    if rng.random() < 0.15:
        steps.append(LowPass(float(rng.uniform(4000, 7800))))
    steps.append(Gain(float(rng.uniform(-9, 0))))
    return Compose(steps)
