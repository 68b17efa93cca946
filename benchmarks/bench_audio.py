"""Audio throughput: seconds of audio analysed per second of CPU, against plain decoding.

Builds a small speech corpus in a temporary folder (espeak-ng phrases when the binary exists,
otherwise synthetic voiced signals; 8-22 kHz WAV, 1-30 s long) and a stereo 44.1 kHz music clip,
then measures with ``time.process_time`` (CPU seconds of all threads):

- baseline: decode + resample to 8 kHz (what any audio tool must do anyway);
- the default audio detectors through the Scanner (load, route, the default speech detectors of
  ``fakescope.audio.fusion.DEFAULT_SPEECH``, fusion), and the defaults with each opt-in one
  (whisper-embed when its encoder is installed);
- each speech detector alone.

Usage::

    .venv/bin/python benchmarks/bench_audio.py [--files 60]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

PHRASES = [
    "seven",
    "three four",
    "please call me back tomorrow morning",
    "nine",
    "zero one two",
    "the meeting is at eight o'clock",
    "yes",
    "goodbye and thank you",
]


def _voice(seconds: float, rate: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f0 = 110 + 30 * np.sin(2 * np.pi * 0.5 * t + seed)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    x = sum(np.sin(k * phase) / k for k in range(1, 25))
    env = np.clip(np.sin(2 * np.pi * 3.5 * t), 0, None)
    return (0.2 * x * env + 0.002 * rng.standard_normal(len(t))).astype(np.float32)


def build_corpus(folder: Path, n: int) -> float:
    """Write ``n`` speech files (+ 2 long ones); return the total duration in seconds."""
    total = 0.0
    espeak = shutil.which("espeak-ng")
    for i in range(n):
        p = folder / f"s{i:03d}.wav"
        if espeak:
            subprocess.run(
                [espeak, "-s", str(140 + i % 60), "-w", str(p), PHRASES[i % 8]],
                check=True,
                capture_output=True,
            )
        else:
            sf.write(p, _voice(1.0 + i % 3, 16000, i), 16000)
        total += sf.info(str(p)).duration
    for i, rate in enumerate((8000, 22050)):
        p = folder / f"long{i}.wav"
        sf.write(p, _voice(30.0, rate, 100 + i), rate)
        total += 30.0
    return total


def _cpu(fn) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=60)
    args = ap.parse_args()

    from fakescope.audio.loader import load_audio
    from fakescope.core.pipeline import Scanner

    with tempfile.TemporaryDirectory(prefix="bench-audio-") as tmp:
        folder = Path(tmp) / "speech"
        folder.mkdir()
        seconds = build_corpus(folder, args.files)
        files = sorted(folder.glob("*.wav"))
        print(f"corpus: {len(files)} speech files, {seconds:.1f} s of audio")

        def decode() -> None:
            for f in files:
                load_audio(f)[0].data.mono_at(8000)

        decode()  # warm caches (imports, filters)
        base_cpu, base_wall = _cpu(decode)
        rows = [("decode + resample (baseline)", base_cpu, base_wall)]

        def scan(names=None) -> None:
            scanner = Scanner(detectors=names, batch_size=16)
            reports = list(scanner.scan([str(folder)]))
            assert all(r.error is None for r in reports), [r.error for r in reports]

        scan()  # load weights and warm up once
        cpu, wall = _cpu(scan)
        rows.append(("default audio detectors (scan)", cpu, wall))
        from fakescope.audio.fusion import DEFAULT_SPEECH, OPT_IN_SPEECH
        from fakescope.audio.whisper_encoder import WhisperUnavailable, load_encoder

        try:
            load_encoder()
            have_whisper = True
        except WhisperUnavailable as exc:
            have_whisper = False
            print(f"whisper-embed not measured: {exc}")
        for name in (*DEFAULT_SPEECH, *OPT_IN_SPEECH):
            if name == "whisper-embed" and not have_whisper:
                continue
            scan([name])
            cpu, wall = _cpu(lambda n=name: scan([n]))
            rows.append((f"{name} alone (scan)", cpu, wall))
        for extra in OPT_IN_SPEECH:
            if extra == "whisper-embed" and not have_whisper:
                continue
            names = [*DEFAULT_SPEECH, extra]
            scan(names)
            cpu, wall = _cpu(lambda n=names: scan(n))
            rows.append((f"defaults + {extra} (scan)", cpu, wall))

        print(
            f"{'what':36s} {'CPU s':>7s} {'x real time/CPU':>16s} {'x real time wall':>17s}"
            f" {'CPU vs baseline':>16s}"
        )
        for what, cpu, wall in rows:
            print(
                f"{what:36s} {cpu:7.2f} {seconds / cpu:16.1f} {seconds / wall:17.1f}"
                f" {cpu / base_cpu:15.1f}x"
            )

        music = Path(tmp) / "music.wav"
        rng = np.random.default_rng(0)
        t = np.arange(30 * 44100) / 44100
        x = (
            sum(
                np.sin(2 * np.pi * f * t) * (1.1 + np.sin(t * k))
                for k, f in enumerate((110, 220, 330, 440, 1760, 5000), 1)
            )
            / 8
        )
        x = x + 0.03 * rng.standard_normal(len(t))
        sf.write(music, np.stack([x, np.roll(x, 30)], axis=1).astype(np.float32), 44100)
        scan_music = Scanner(detectors=["music-artifacts"])
        list(scan_music.scan([str(music)]))
        cpu, wall = _cpu(lambda: list(scan_music.scan([str(music)])))
        d_cpu, _ = _cpu(lambda: load_audio(music)[0].data.mono_at(8000))
        print(
            f"music-artifacts on 30 s stereo 44.1 kHz: {30 / cpu:.1f}x real time per CPU "
            f"second ({cpu / d_cpu:.1f}x the CPU of decoding it)"
        )


if __name__ == "__main__":
    main()
