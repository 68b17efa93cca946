"""Copy-synthesis: a real recording analysed and re-synthesised through a speech vocoder.

A vocoded copy keeps the speaker, the words, the prosody and the recording chain of its real
source; only the waveform generator differs. Trained on (real, copy) pairs, a detector cannot win on
voice or corpus and has to learn the vocoder's trace (Wang & Yamagishi, ICASSP 2023: vocoded
training data generalises to unseen TTS). The classical vocoders here run offline on the CPU; the
neural ones are trained by this project (:mod:`fakescope.audio.neural_vocoder`).

Every function takes mono float audio at ``rate`` and returns audio of the same length and rate.
WORLD needs ``pyworld`` (``pip install pyworld "setuptools<81"``), MLSA needs ``pysptk``: both in
the ``vocode`` extra.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> t = np.arange(8000) / 16000
>>> x = (0.3 * np.sin(2 * np.pi * 150 * t) * (1 + np.sin(2 * np.pi * 3 * t))).astype(np.float32)
>>> y = griffin_lim_copy(x, 16000, rng, n_iter=4)
>>> y.shape == x.shape
True
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter, stft

from fakescope.audio.dsp import griffin_lim, mel_filterbank

FRAME_MS = 5.0
CLASSICAL = ("world", "mlsa", "lpc", "griffin-lim")


def _pyworld():
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pyworld imports pkg_resources
            import pyworld
    except ImportError as exc:
        raise ImportError(
            f'copy-synthesis needs pyworld: pip install pyworld "setuptools<81" ({exc})'
        ) from None
    return pyworld


def world_analysis(x: np.ndarray, rate: int, aperiodicity: bool = True):
    """F0 (DIO + StoneMask), spectral envelope (CheapTrick) and aperiodicity (D4C), 5 ms frames."""
    pw = _pyworld()
    x64 = np.ascontiguousarray(x, dtype=np.float64)
    f0, t = pw.dio(x64, rate, f0_floor=60.0, f0_ceil=500.0, frame_period=FRAME_MS)
    f0 = pw.stonemask(x64, f0, t, rate)
    sp = pw.cheaptrick(x64, f0, t, rate)
    ap = pw.d4c(x64, f0, t, rate) if aperiodicity else None
    return f0, sp, ap


def _smooth_time(a: np.ndarray, width: int) -> np.ndarray:
    k = np.ones(width) / width
    pad = np.pad(a, ((width // 2, width - 1 - width // 2), (0, 0)), mode="edge")
    return np.stack([np.convolve(pad[:, j], k, mode="valid") for j in range(a.shape[1])], 1)


def _fit(y: np.ndarray, n: int) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)[:n]
    return np.pad(y, (0, n - len(y))).astype(np.float32)


def world_copy(x: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """WORLD re-synthesis: plain, cepstrally coded (HTS / Merlin style: mel-cepstrum of order
    24-40 and coded band aperiodicity) or over-smoothed (statistical parametric TTS), drawn."""
    pw = _pyworld()
    f0, sp, ap = world_analysis(x, rate)
    variant = rng.choice(["plain", "coded", "smooth"])
    fft_size = (sp.shape[1] - 1) * 2
    if variant == "coded":
        order = int(rng.integers(24, 41))
        sp = pw.decode_spectral_envelope(pw.code_spectral_envelope(sp, rate, order), rate, fft_size)
        if rate >= 16000:  # band aperiodicity needs bands above 3 kHz
            ap = pw.decode_aperiodicity(pw.code_aperiodicity(ap, rate), rate, fft_size)
    elif variant == "smooth":
        sp = np.exp(_smooth_time(np.log(sp + 1e-12), int(rng.integers(5, 12))))
        voiced = f0 > 0
        f0 = np.where(voiced, _smooth_time(f0[:, None], 15)[:, 0], 0.0)
    y = pw.synthesize(
        np.ascontiguousarray(f0), np.ascontiguousarray(sp), np.ascontiguousarray(ap), rate, FRAME_MS
    )
    return _fit(y, len(x))


def mlsa_copy(x: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Mel-cepstral (MLSA filter) re-synthesis with pulse / noise excitation, the vocoder of HTS
    voices: WORLD F0 and envelope, mel-cepstrum of order 24-34, ``pysptk``."""
    try:
        import pysptk
        from pysptk.synthesis import MLSADF, Synthesizer
    except ImportError as exc:
        raise ImportError(f"MLSA copy-synthesis needs pysptk: pip install pysptk ({exc})") from None
    f0, sp, _ = world_analysis(x, rate, aperiodicity=False)
    hop = int(rate * FRAME_MS / 1000)
    order = int(rng.integers(24, 35))
    alpha = pysptk.util.mcepalpha(rate)
    # an envelope floor 60 dB under its peak keeps the MLSA filter stable in silent frames
    mc = pysptk.sp2mc(np.maximum(sp, sp.max() * 1e-6), order, alpha)
    b = pysptk.mc2b(mc, alpha)
    pitch = np.where(f0 > 0, rate / np.maximum(f0, 1.0), 0.0)
    source = pysptk.excite(pitch.astype(np.float64), hop, gaussian=bool(rng.random() < 0.5))
    synth = Synthesizer(MLSADF(order=order, alpha=alpha, pd=5), hop)
    y = synth.synthesis(source, b.astype(np.float64))
    return _fit(y, len(x))


def lpc_copy(x: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Order-``rate/1000+4`` LPC filter driven by a pulse train at the WORLD F0 (voiced frames) or
    white noise (unvoiced): the classic LPC / diphone vocoder."""
    pw = _pyworld()
    from scipy.linalg import solve_toeplitz

    x64 = np.asarray(x, dtype=np.float64)
    f0, t = pw.dio(x64, rate, f0_floor=60.0, f0_ceil=500.0, frame_period=FRAME_MS)
    f0 = pw.stonemask(x64, f0, t, rate)
    frame, order, win = int(FRAME_MS / 1000 * rate), rate // 1000 + 4, int(0.025 * rate)
    out = np.zeros(len(x) + win)
    window = np.hanning(win)
    zi, phase = np.zeros(order), 0.0
    for i in range(0, len(x), frame):
        seg = x64[max(0, i - win // 2) : max(0, i - win // 2) + win]
        s = np.pad(seg, (0, win - len(seg))) * window
        r = np.correlate(s, s, "full")[win - 1 : win + order]
        if r[0] <= 1e-9:
            continue
        r[0] *= 1.0001
        a = solve_toeplitz(r[:order], -r[1 : order + 1])
        gain = np.sqrt(max(r[0] + np.dot(a, r[1 : order + 1]), 1e-12) / win)
        k = min(len(f0) - 1, i // frame)
        if f0[k] > 0:
            period = rate / f0[k]
            exc = np.zeros(frame)
            for n in range(frame):
                phase += 1.0
                if phase >= period:
                    phase -= period
                    exc[n] = np.sqrt(period)
        else:
            exc = rng.standard_normal(frame)
        y, zi = lfilter([gain], np.r_[1.0, a], exc, zi=zi)
        out[i : i + frame] = y
    return _fit(out, len(x))


def griffin_lim_copy(
    x: np.ndarray, rate: int, rng: np.random.Generator, n_iter: int = 32
) -> np.ndarray:
    """Phase re-estimated by Griffin-Lim from the linear magnitude, or from an 80-band mel
    magnitude mapped back to linear (the vocoder of early neural TTS such as Tacotron 1)."""
    n_fft = 1024 if rate >= 16000 else 512
    hop = n_fft // 4
    _, _, z = stft(x, fs=rate, nperseg=n_fft, noverlap=n_fft - hop)
    mag = np.abs(z)
    if rng.random() < 0.5:
        fb = mel_filterbank(80 if rate >= 16000 else 60, n_fft, rate)  # (bands, bins)
        mel = fb @ mag
        mag = np.maximum(np.linalg.pinv(fb) @ mel, 0.0)
    return _fit(griffin_lim(mag, rate, n_fft, hop, rng, n_iter), len(x))


VOCODERS = {
    "world": world_copy,
    "mlsa": mlsa_copy,
    "lpc": lpc_copy,
    "griffin-lim": griffin_lim_copy,
}


def copy_synthesize(x: np.ndarray, rate: int, vocoder: str, rng: np.random.Generator) -> np.ndarray:
    """Re-synthesise ``x`` through ``vocoder`` (one of :data:`VOCODERS`), peak-normalised to 0.9.

    Raises ``ValueError`` for an unknown vocoder or when the output is silent / not finite.
    """
    if vocoder not in VOCODERS:
        raise ValueError(f"unknown vocoder {vocoder!r}; expected one of {sorted(VOCODERS)}")
    y = VOCODERS[vocoder](np.asarray(x, dtype=np.float32), rate, rng)
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if not np.isfinite(peak) or peak < 1e-6:
        raise ValueError(f"{vocoder} copy is silent or not finite")
    return (0.9 * y / peak).astype(np.float32)
