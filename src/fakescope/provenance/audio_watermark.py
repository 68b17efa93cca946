"""Spread-spectrum audio watermark in the short-time spectrum (survives MP3 at 64 kbit/s).

Scheme (documented in docs/provenance.md), an informed "patchwork" of spectral tiles:

- The STFT (16 ms hop, 64 ms Hann window) is cut into tiles of 8 frames (128 ms) x 1 band;
  48 bands of 75 Hz cover 200-3800 Hz, so telephone-rate (8 kHz) audio can carry the mark too.
  Neighbouring bands form 24 tile pairs per column.
- A keyed pseudo-random sign pattern repeats every 24 columns (3.07 s). In each column the first 12
  pairs are "sync" pairs (their sign is the pattern); two groups of 6 carry channel bits ``2k`` and
  ``2k + 1`` of column ``k`` (pattern times the bit; 48 bits = 32 payload bits + CRC-16), so a clip
  of about 3 s or more can give the payload back.
- Embedding is informed (host-aware): the log-energy difference of each pair is pushed, only
  when needed, to agree with its sign by a margin (default 2 dB), by at most ``cap`` dB
  (default 10); pairs that already agree are left alone. So speech itself does not cause errors
  and most tiles are untouched.
- Detection correlates the clipped pair differences with the sync signs at every alignment in one
  period (frame steps: MP3 encoder delay and trimmed starts do not matter). The best alignment's
  normalised correlation ``z`` (about N(0, 1) per alignment without a mark) decides: ``z >= 5.5``.
  The payload is read from the data pairs there and is reported only if its CRC matches.
- Silent tiles (more than 70 dB below the loudest) are neither changed nor counted.

Keyed like the image mark (``FAKESCOPE_WATERMARK_KEY``); the default key is public.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass

import numpy as np

from fakescope.provenance.image_watermark import DEFAULT_KEY, KEY_ENV, crc16

HOP_S = 0.016
FRAMES_PER_TILE = 8
BAND_LO, BAND_HI, N_BANDS = 200.0, 3800.0, 48
N_PAIRS = N_BANDS // 2
SYNC_PAIRS = 12
PERIOD = 24  # tile columns; column k carries channel bits 2k and 2k + 1
DATA_HALF = (N_PAIRS - SYNC_PAIRS) // 2
N_PAYLOAD = 32
DEFAULT_MARGIN_DB = 2.0
DEFAULT_CAP_DB = 10.0
Z_THRESHOLD = 5.5
MIN_SECONDS = 2.0
SILENCE_DB = 70.0


class AudioWatermarkError(ValueError):
    """The audio cannot carry a mark (too short, silent, too low a sample rate)."""


@dataclass
class AudioDetection:
    found: bool
    z: float
    payload: int | None
    crc_ok: bool
    offset_s: float
    reason: str = ""

    def to_dict(self) -> dict:
        return {
            "found": self.found,
            "z": round(self.z, 2),
            "payload": None if self.payload is None else f"{self.payload:08x}",
            "crc_ok": self.crc_ok,
            "offset_s": round(self.offset_s, 3),
            "reason": self.reason,
        }


def _pattern(key: str | None) -> np.ndarray:
    key = key if key is not None else os.environ.get(KEY_ENV, DEFAULT_KEY)
    rng = np.random.default_rng(zlib.crc32(("audio:" + key).encode()))
    return rng.choice([-1.0, 1.0], size=(PERIOD, N_PAIRS))


def _channel_bits(payload: int) -> np.ndarray:
    value = (payload << 16) | crc16(payload)
    return np.array([(value >> (47 - i)) & 1 for i in range(2 * PERIOD)], np.int64)


def _geometry(sr: int) -> tuple[int, int, np.ndarray]:
    hop = max(1, round(sr * HOP_S))
    nfft = 4 * hop
    freqs = np.fft.rfftfreq(nfft, 1 / sr)
    edges = np.linspace(BAND_LO, BAND_HI, N_BANDS + 1)
    band_of_bin = np.searchsorted(edges, freqs, side="right") - 1
    band_of_bin[(freqs < BAND_LO) | (freqs >= BAND_HI)] = -1
    return hop, nfft, band_of_bin


def _stft(x: np.ndarray, sr: int):
    from scipy.signal import stft

    hop, nfft, band_of_bin = _geometry(sr)
    _, _, spec = stft(
        x, fs=sr, window="hann", nperseg=nfft, noverlap=nfft - hop, boundary="even", padded=True
    )
    return spec, hop, nfft, band_of_bin


def _band_frames(power: np.ndarray, band_of_bin: np.ndarray) -> np.ndarray:
    """(frames, bands) band energies of a (bins, frames) power spectrogram (one matrix product)."""
    onehot = np.zeros((power.shape[0], N_BANDS))
    inband = band_of_bin >= 0
    onehot[np.flatnonzero(inband), band_of_bin[inband]] = 1.0
    return power.T @ onehot


def _tiles(bands: np.ndarray, f0: int):
    """(tiles, bands) energies from (frames, bands) band energies, starting at frame f0."""
    n_t = (bands.shape[0] - f0) // FRAMES_PER_TILE
    e = bands[f0 : f0 + n_t * FRAMES_PER_TILE].reshape(n_t, FRAMES_PER_TILE, N_BANDS).sum(axis=1)
    return e, n_t


def _active(e: np.ndarray) -> np.ndarray:
    """(tiles, pairs) mask of pairs loud enough to carry / read a mark."""
    floor = e.max() * 10 ** (-SILENCE_DB / 10) if e.size else 0.0
    return (e[:, 0::2] > floor) & (e[:, 1::2] > floor)


def _signs(pattern: np.ndarray, cols: np.ndarray, bits: np.ndarray) -> np.ndarray:
    s = pattern[cols].copy()
    s[:, SYNC_PAIRS : SYNC_PAIRS + DATA_HALF] *= bits[2 * cols][:, None]
    s[:, SYNC_PAIRS + DATA_HALF :] *= bits[2 * cols + 1][:, None]
    return s


def embed(
    samples: np.ndarray,
    sr: int,
    payload: int,
    key: str | None = None,
    margin_db: float = DEFAULT_MARGIN_DB,
    cap_db: float = DEFAULT_CAP_DB,
) -> np.ndarray:
    """Return mono float ``samples`` (in [-1, 1]) carrying the 32-bit ``payload``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> noise = rng.standard_normal(16000 * 4) * 0.1
    >>> marked = embed(noise, 16000, 0xF5100001)
    >>> detect(marked, 16000).payload == 0xF5100001, detect(noise, 16000).found
    (True, False)
    """
    from scipy.signal import istft

    x = np.asarray(samples, np.float64)
    if x.ndim != 1:
        raise AudioWatermarkError("expected mono samples (1-D)")
    if sr < 2 * BAND_HI:
        raise AudioWatermarkError(f"sample rate {sr} Hz is too low (need {2 * BAND_HI:.0f} Hz)")
    if len(x) < MIN_SECONDS * sr:
        raise AudioWatermarkError(f"{len(x) / sr:.2f} s is too short; a mark needs {MIN_SECONDS} s")
    pattern = _pattern(key)
    bits = 2.0 * _channel_bits(payload) - 1.0
    margin, cap = margin_db * np.log(10) / 10, cap_db * np.log(10) / 10  # in ln(power)
    y = x
    for _ in range(2):  # a second pass corrects what the STFT round trip smeared
        spec, hop, nfft, band_of_bin = _stft(y, sr)
        e, n_t = _tiles(_band_frames(np.abs(spec) ** 2, band_of_bin), 0)
        cols = np.arange(n_t) % PERIOD
        s = _signs(pattern, cols, bits)
        d = np.log(e[:, 0::2] + 1e-30) - np.log(e[:, 1::2] + 1e-30)
        need = np.clip(margin - s * d, 0.0, cap) * _active(e)
        # ln-power change +-need/2 on the two tiles -> magnitude gain exp(+-need/4)
        tile_gain = np.zeros((n_t, N_BANDS))
        tile_gain[:, 0::2] = s * need / 4
        tile_gain[:, 1::2] = -s * need / 4
        frame_gain = np.zeros((spec.shape[1], N_BANDS))
        frame_gain[: n_t * FRAMES_PER_TILE] = np.repeat(tile_gain, FRAMES_PER_TILE, axis=0)
        gain = np.zeros(spec.shape)
        inband = band_of_bin >= 0
        gain[inband] = frame_gain[:, band_of_bin[inband]].T
        _, y = istft(
            spec * np.exp(gain),
            fs=sr,
            window="hann",
            nperseg=nfft,
            noverlap=nfft - hop,
            boundary=True,
        )
        y = y[: len(x)]
        if len(y) < len(x):
            y = np.pad(y, (0, len(x) - len(y)))
    peak = np.abs(y).max()
    return (y / peak * 0.999) if peak > 0.999 else y


def detect(samples: np.ndarray, sr: int, key: str | None = None) -> AudioDetection:
    """Search every alignment for the keyed pattern; see the module docstring for the rule."""
    x = np.asarray(samples, np.float64)
    if x.ndim == 2:
        x = x.mean(axis=1)
    if sr < 2 * BAND_HI or len(x) < MIN_SECONDS * sr:
        return AudioDetection(False, 0.0, None, False, 0.0, "too short or too low a sample rate")
    spec, hop, _, band_of_bin = _stft(x, sr)
    bands = _band_frames(np.abs(spec) ** 2, band_of_bin)
    if bands.max() <= 0:
        return AudioDetection(False, 0.0, None, False, 0.0, "silent")
    pattern = _pattern(key)
    clip = 2 * DEFAULT_MARGIN_DB * np.log(10) / 10
    best = (-np.inf, 0, 0, None)
    for f0 in range(FRAMES_PER_TILE):
        e, n_t = _tiles(bands, f0)
        if n_t < 8:
            continue
        d = np.clip(np.log(e[:, 0::2] + 1e-30) - np.log(e[:, 1::2] + 1e-30), -clip, clip)
        d = d * _active(e)
        sync = d[:, :SYNC_PAIRS]
        norm = np.sqrt((sync**2).sum()) + 1e-12
        for shift in range(PERIOD):
            cols = (np.arange(n_t) + shift) % PERIOD
            corr = float((sync * pattern[cols, :SYNC_PAIRS]).sum() / norm)
            if corr > best[0]:
                best = (corr, f0, shift, (d, cols))
    z, f0, shift, data = best
    if data is None:
        return AudioDetection(False, 0.0, None, False, 0.0, "too short")
    d, cols = data
    prod = d * pattern[cols]
    per_bit = np.zeros(2 * PERIOD)
    per_bit[0::2] = np.bincount(cols, prod[:, SYNC_PAIRS : SYNC_PAIRS + DATA_HALF].sum(1), PERIOD)
    per_bit[1::2] = np.bincount(cols, prod[:, SYNC_PAIRS + DATA_HALF :].sum(1), PERIOD)
    value = int("".join("1" if v > 0 else "0" for v in per_bit), 2)
    payload, crc = value >> 16, value & 0xFFFF
    crc_ok = crc16(payload) == crc
    found = bool(z >= Z_THRESHOLD)
    offset = (f0 + FRAMES_PER_TILE * ((PERIOD - shift) % PERIOD)) * hop / sr
    return AudioDetection(found, z, payload if found and crc_ok else None, crc_ok, offset)
