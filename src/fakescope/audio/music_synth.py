"""Simulated machine-made music: degradations that mimic how music generators produce audio.

These are *simulations*, made offline from real recordings, not the output of a commercial music
generator. Each transform reproduces one documented trait of generated audio:

- :func:`griffin_lim_resynthesis`: magnitude-only (mel) spectrogram inverted with Griffin-Lim, the
  phase reconstruction used by early neural vocoder pipelines;
- :func:`codec_resynthesis`: a neural-codec-like bottleneck: model rate 24/32 kHz, coarsely
  quantised log magnitudes, noisy phase, up-sampled back to 44.1 kHz;
- :func:`band_replication`: spectral band replication (high band regenerated from the band below,
  as in HE-AAC and several neural codecs' bandwidth extension);
- :func:`upsample_from`: audio generated at 16/24/32 kHz and plainly up-sampled;
- :func:`pseudo_stereo`: mono generation widened by a decorrelating all-pass, or duplicated.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> x = (rng.standard_normal((44100, 2)) * 0.1).astype(np.float32)
>>> upsample_from(x, 44100, 16000).shape
(44100, 2)
"""

from __future__ import annotations

import numpy as np
from scipy.signal import istft, lfilter, stft

from fakescope.audio.dsp import griffin_lim, mel_filterbank, resample


def upsample_from(x: np.ndarray, rate: int, model_rate: int) -> np.ndarray:
    """Down-sample to ``model_rate`` and back: the band above ``model_rate / 2`` is gone."""
    y = resample(resample(x, rate, model_rate), model_rate, rate)
    return _fit(y, len(x))


def _fit(y: np.ndarray, n: int) -> np.ndarray:
    if len(y) >= n:
        return y[:n].astype(np.float32)
    pad = [(0, n - len(y))] + [(0, 0)] * (y.ndim - 1)
    return np.pad(y, pad).astype(np.float32)


def _per_channel(fn, x: np.ndarray, *args) -> np.ndarray:
    if x.ndim == 1:
        return fn(x, *args)
    return np.stack([fn(x[:, c], *args) for c in range(x.shape[1])], axis=1)


def griffin_lim_resynthesis(
    x: np.ndarray, rate: int, rng: np.random.Generator, n_mels: int = 128, n_iter: int = 24
) -> np.ndarray:
    """Mel-magnitude spectrogram -> pseudo-inverse -> Griffin-Lim phase, per channel."""
    n_fft, hop = 2048, 512

    def one(sig: np.ndarray) -> np.ndarray:
        _, _, Z = stft(sig, fs=rate, nperseg=n_fft, noverlap=n_fft - hop)
        mag = np.abs(Z)
        fb = mel_filterbank(n_mels, n_fft, rate)
        mel = fb @ mag
        inv = np.linalg.pinv(fb)
        approx = np.maximum(inv @ mel, 0)
        return _fit(griffin_lim(approx, rate, n_fft, hop, rng, n_iter), len(sig))

    return _per_channel(one, x)


def codec_resynthesis(
    x: np.ndarray,
    rate: int,
    rng: np.random.Generator,
    model_rate: int = 24000,
    step_db: float = 3.0,
    phase_noise: float = 0.6,
) -> np.ndarray:
    """A neural-codec-like bottleneck: quantised log magnitude, perturbed phase, low model rate."""
    n_fft, hop = 1024, 256
    low = resample(x, rate, model_rate)

    def one(sig: np.ndarray) -> np.ndarray:
        _, _, Z = stft(sig, fs=model_rate, nperseg=n_fft, noverlap=n_fft - hop)
        db = 20 * np.log10(np.abs(Z) + 1e-7)
        q = np.round(db / step_db) * step_db
        mag = 10 ** (q / 20)
        mag[db < db.max() - 80] = 0.0  # what the codec drops entirely
        ph = np.angle(Z) + phase_noise * rng.standard_normal(Z.shape)
        _, y = istft(mag * np.exp(1j * ph), fs=model_rate, nperseg=n_fft, noverlap=n_fft - hop)
        return _fit(y, len(sig))

    y = _per_channel(one, low)
    return _fit(resample(y, model_rate, rate), len(x))


def band_replication(
    x: np.ndarray, rate: int, rng: np.random.Generator, crossover: float = 8000.0
) -> np.ndarray:
    """Replace the band above ``crossover`` by a shifted copy of the band below (SBR style)."""
    n_fft, hop = 2048, 512

    def one(sig: np.ndarray) -> np.ndarray:
        f, _, Z = stft(sig, fs=rate, nperseg=n_fft, noverlap=n_fft - hop)
        k0 = int(np.searchsorted(f, crossover))
        out = Z.copy()
        width = k0 // 2
        k = k0
        while k < len(f):
            src = Z[k0 - width : k0 - width + min(width, len(f) - k)]
            env_t = np.sqrt(np.mean(np.abs(Z[k : k + len(src)]) ** 2, axis=0, keepdims=True))
            env_s = np.sqrt(np.mean(np.abs(src) ** 2, axis=0, keepdims=True)) + 1e-9
            out[k : k + len(src)] = src * (env_t / env_s)  # copied band, original envelope
            k += len(src)
        _, y = istft(out, fs=rate, nperseg=n_fft, noverlap=n_fft - hop)
        return _fit(y, len(sig))

    return _per_channel(one, x)


def pseudo_stereo(x: np.ndarray, rng: np.random.Generator, duplicate: bool = False) -> np.ndarray:
    """Collapse to mono, then duplicate it or widen it with a first-order all-pass decorrelator."""
    mono = x.mean(axis=1) if x.ndim == 2 else x
    if duplicate:
        return np.stack([mono, mono], axis=1).astype(np.float32)
    a = float(rng.uniform(0.3, 0.7))
    side = lfilter([a, 1.0], [1.0, a], mono) * float(rng.uniform(0.1, 0.3))
    return np.stack([mono + side, mono - side], axis=1).astype(np.float32)


def random_machine_music(
    x: np.ndarray, rate: int, rng: np.random.Generator
) -> tuple[np.ndarray, str]:
    """One random simulated generator chain; returns the audio and a short description."""
    choice = int(rng.integers(0, 4))
    if choice == 0:
        y, desc = griffin_lim_resynthesis(x, rate, rng), "griffin-lim mel resynthesis"
    elif choice == 1:
        mr = int(rng.choice([24000, 32000]))
        step = float(rng.uniform(1.5, 4.0))
        y, desc = codec_resynthesis(x, rate, rng, mr, step), f"codec-like at {mr} Hz"
    elif choice == 2:
        co = float(rng.uniform(6000, 11000))
        y, desc = band_replication(x, rate, rng, co), f"band replication above {co:.0f} Hz"
    else:
        mr = int(rng.choice([16000, 22050, 24000, 32000]))
        y, desc = upsample_from(x, rate, mr), f"up-sampled from {mr} Hz"
    r = rng.random()
    if y.ndim == 2 and r < 0.25:
        y, desc = pseudo_stereo(y, rng, duplicate=True), desc + ", mono duplicated"
    elif y.ndim == 2 and r < 0.5:
        y, desc = pseudo_stereo(y, rng), desc + ", pseudo-stereo"
    peak = float(np.abs(y).max()) or 1.0
    return (y / peak * 0.9).astype(np.float32), desc
