"""Build "vocoded real" speech: real training recordings passed through speech vocoders.

Every text-to-speech engine ends in a waveform generator (LPC or MLSA filters driven by pulses and
noise, WORLD-style source-filter synthesis, Griffin-Lim or neural vocoders). Re-synthesising *real*
recordings through such vocoders gives synthetic speech with exactly the speakers, words and
recording chain of the real training data, so the only thing a detector can learn from the pair is
the vocoder's trace, not the engine's voice or prosody (the idea of Wang & Yamagishi, ICASSP 2023,
"Spoofed training data for speech spoofing countermeasure can be efficiently created using neural
vocoders"; here with classical vocoders that run offline).

Vocoders (one output per source file, chosen in turn):

- ``world``      WORLD analysis/synthesis (pyworld: DIO + StoneMask F0, CheapTrick envelope, D4C
                 aperiodicity), unmodified
- ``world-smooth``  WORLD with the envelope smoothed over time and the F0 contour smoothed
                 (the over-smoothing of statistical parametric TTS)
- ``world-mcep``  WORLD with the envelope coded as 24 cepstral coefficients (HTS-style)
- ``lpc``        order-12 LPC filter driven by a pulse train at the WORLD F0 (voiced) or white
                 noise (unvoiced): the classic diphone/LPC vocoder
- ``griffin-lim``  magnitude STFT with phase re-estimated by 32 Griffin-Lim iterations

Sources: FSDD speakers of the train and calibration splits (never the test speaker theo) and the
Asterisk prompts; each output keeps its source's split (``fakescope.audio.corpus``).

Needs ``pip install pyworld "setuptools<81"`` (pyworld imports pkg_resources). Usage::

    .venv/bin/python scripts/audio/build_vocoded_corpus.py --out /work/data/audio/tts
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import lfilter, stft

from fakescope.audio.corpus import ASTERISK_DIR, FSDD_SPLIT
from fakescope.audio.dsp import griffin_lim, resample

RATE = 8000  # both sources are 8 kHz recordings
VOCODERS = ("world", "world-smooth", "world-mcep", "lpc", "griffin-lim")


def _world(x: np.ndarray, rate: int):
    import pyworld

    x64 = x.astype(np.float64)
    f0, t = pyworld.dio(x64, rate, frame_period=5.0)
    f0 = pyworld.stonemask(x64, f0, t, rate)
    sp = pyworld.cheaptrick(x64, f0, t, rate)
    ap = pyworld.d4c(x64, f0, t, rate)
    return f0, sp, ap


def _smooth_time(a: np.ndarray, width: int) -> np.ndarray:
    k = np.ones(width) / width
    pad = np.pad(a, ((width // 2, width - 1 - width // 2), (0, 0)), mode="edge")
    return np.stack([np.convolve(pad[:, j], k, mode="valid") for j in range(a.shape[1])], 1)


def vocode(x: np.ndarray, rate: int, vocoder: str, rng: np.random.Generator) -> np.ndarray:
    """Re-synthesise ``x`` (mono float) through ``vocoder``; same rate, about the same length."""
    import pyworld

    if vocoder == "griffin-lim":
        n_fft, hop = 512, 128
        _, _, z = stft(x, fs=rate, nperseg=n_fft, noverlap=n_fft - hop)
        return griffin_lim(np.abs(z), rate, n_fft, hop, rng, n_iter=32)[: len(x)]
    f0, sp, ap = _world(x, rate)
    if vocoder == "world-smooth":
        sp = np.exp(_smooth_time(np.log(sp + 1e-12), 9))
        voiced = f0 > 0
        f0s = _smooth_time(f0[:, None], 15)[:, 0]
        f0 = np.where(voiced, f0s, 0.0)
    elif vocoder == "world-mcep":
        ceps = np.fft.irfft(np.log(sp + 1e-12), axis=1)
        ceps[:, 25:-24] = 0.0
        sp = np.exp(np.fft.rfft(ceps, axis=1).real)
    elif vocoder == "lpc":
        return _lpc_vocoder(x, rate, f0, rng)
    return pyworld.synthesize(f0, sp, ap, rate, frame_period=5.0)[: len(x)]


def _lpc_vocoder(x: np.ndarray, rate: int, f0: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    from scipy.linalg import solve_toeplitz

    frame, order = int(0.005 * rate), 12
    win = int(0.025 * rate)
    out = np.zeros(len(x) + win)
    phase = 0.0
    zi = np.zeros(order)
    window = np.hanning(win)
    for i in range(0, len(x), frame):
        seg = x[max(0, i - win // 2) : i - win // 2 + win]
        if len(seg) < win:
            seg = np.pad(seg, (0, win - len(seg)))
        s = seg * window
        r = np.correlate(s, s, "full")[win - 1 : win + order]
        if r[0] <= 1e-9:
            out[i : i + frame] = 0.0
            continue
        r[0] *= 1.0001
        a = solve_toeplitz(r[:order], -r[1 : order + 1])
        gain = np.sqrt(max(r[0] + np.dot(a, r[1 : order + 1]), 1e-12) / win)
        k = min(len(f0) - 1, i // frame)
        exc = np.zeros(frame)
        if f0[k] > 0:
            period = rate / f0[k]
            for n in range(frame):
                phase += 1.0
                if phase >= period:
                    phase -= period
                    exc[n] = np.sqrt(period)
        else:
            exc = rng.standard_normal(frame)
        y, zi = lfilter([gain], np.r_[1.0, a], exc, zi=zi)
        out[i : i + frame] = y
    return out[: len(x)]


def sources(fsdd: Path) -> list[tuple[Path, str]]:
    """(path, voice tag) of every real recording outside the test speaker."""
    out = []
    for p in sorted(fsdd.glob("*.wav")):
        speaker = p.stem.split("_")[1]
        if FSDD_SPLIT.get(speaker) in ("train", "calib"):
            out.append((p, f"fsdd-{speaker}"))
    for p in sorted(ASTERISK_DIR.rglob("*.wav")):
        out.append((p, "asterisk-" + p.stem.replace("_", "-")))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fsdd", type=Path, default=Path("/work/shared/datasets/audio/fsdd"))
    ap.add_argument("--out", type=Path, default=Path("/work/data/audio/tts"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--every", type=int, default=2, help="use every N-th source recording")
    args = ap.parse_args(argv)
    out = args.out / "vocoded"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    src = sources(args.fsdd)[:: args.every]
    for idx, (path, tag) in enumerate(src):
        vocoder = VOCODERS[idx % len(VOCODERS)]
        dst = out / f"{tag}__{vocoder}__{path.stem}.wav"
        if dst.exists():
            continue
        x, rate = sf.read(str(path), dtype="float64", always_2d=True)
        x = resample(x.mean(axis=1).astype(np.float32), rate, RATE).astype(np.float64)
        y = vocode(x, RATE, vocoder, rng)
        peak = np.abs(y).max()
        if not np.isfinite(peak) or peak < 1e-6:
            continue
        sf.write(dst, (0.9 * y / peak).astype(np.float32), RATE, subtype="PCM_16")
        if (idx + 1) % 200 == 0:
            print(f"{idx + 1}/{len(src)}", flush=True)
    print(f"vocoded: {len(list(out.glob('*.wav')))} files in {out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
