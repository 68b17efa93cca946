"""Music-path throughput: seconds of music analysed per CPU second, against plain decoding and
against librosa's beat tracker, on the same files in the same run.

Builds music in a temporary folder (a drum pattern, bass and chords synthesised with NumPy;
44.1 and 48 kHz stereo WAV and MP3, 10-60 s, ``--files`` of them) and measures with
``time.process_time`` (CPU seconds of all threads):

- baseline: decode + mono + resample to 16 kHz;
- the music path through the Scanner: load, content router, ``music-artifacts`` (fakeprint
  verdict) and the music analysis (tempo, beats, downbeats, drums, vocals) it reports;
- the verdict alone (analysis off) and the analysis alone;
- librosa's beat tracker (``librosa.beat.beat_track``) on the same 16 kHz audio, if installed.

The goal of issue 17 is 50x real time per CPU second or more for the music path.

Usage::

    .venv/bin/python benchmarks/bench_music.py [--files 24]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf


def synth_song(seconds: float, rate: int, seed: int) -> np.ndarray:
    """Kick / snare / hi-hat at a random tempo, a bass line and chords (stereo float32)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    bpm = rng.uniform(80, 160)
    beat = 60 / bpm
    x = np.zeros(n)
    for k, b in enumerate(np.arange(0, seconds, beat / 2)):
        i = int(b * rate)
        m = min(n - i, int(0.3 * rate))
        tt = np.arange(m) / rate
        if k % 4 == 0:  # kick
            x[i : i + m] += np.sin(2 * np.pi * (50 + 80 * np.exp(-tt * 30)) * tt) * np.exp(-tt * 12)
        if k % 4 == 2:  # snare
            x[i : i + m] += 0.5 * rng.standard_normal(m) * np.exp(-tt * 25)
        x[i : i + m] += 0.15 * rng.standard_normal(m) * np.exp(-tt * 80)  # hi-hat
    root = 55 * 2 ** (rng.integers(0, 12) / 12)
    for f, a in ((root, 0.4), (root * 2, 0.2), (root * 2.52, 0.15), (root * 3, 0.15)):
        x += a * np.sin(2 * np.pi * f * t) * (0.6 + 0.4 * np.sin(2 * np.pi * t / (4 * beat)))
    x = x / np.abs(x).max() * 0.8
    return np.stack([x, np.roll(x, 23)], axis=1).astype(np.float32)


def build(folder: Path, n: int) -> tuple[list[Path], float]:
    import av

    files, total = [], 0.0
    for i in range(n):
        rate = (44100, 48000)[i % 2]
        seconds = float(10 + (i * 7) % 51)
        x = synth_song(seconds, rate, i)
        path = folder / f"song{i:03d}.wav"
        sf.write(path, x, rate)
        if i % 3 == 2:  # some MP3s, as users have
            mp3 = path.with_suffix(".mp3")
            with av.open(str(mp3), "w") as out:
                st = out.add_stream("libmp3lame", rate=rate, layout="stereo")
                st.bit_rate = 192_000
                frame = av.AudioFrame.from_ndarray(
                    (x.T * 32767).astype(np.int16).T.reshape(1, -1).copy(),
                    format="s16",
                    layout="stereo",
                )
                frame.sample_rate = rate
                for p in st.encode(frame):
                    out.mux(p)
                for p in st.encode(None):
                    out.mux(p)
            path.unlink()
            path = mp3
        files.append(path)
        total += seconds
    return files, total


def _cpu(fn) -> tuple[float, float]:
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - c0, time.perf_counter() - w0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=24)
    args = ap.parse_args()
    from fakescope.audio.loader import load_audio
    from fakescope.audio.music import MusicArtifactsDetector
    from fakescope.audio.music_analysis import analyze_music
    from fakescope.audio.threads import single_thread
    from fakescope.core.pipeline import Scanner

    with tempfile.TemporaryDirectory() as tmp:
        files, seconds = build(Path(tmp), args.files)
        print(f"corpus: {len(files)} music files, {seconds:.0f} s of audio (44.1/48 kHz stereo)")
        clips = [load_audio(f)[0] for f in files]

        def decode() -> None:
            for f in files:
                load_audio(f)[0].data.mono_at(16000)

        decode()
        base_cpu, base_wall = _cpu(decode)
        rows = [("decode + resample 16 kHz (baseline)", base_cpu, base_wall)]

        scanner = Scanner(detectors=["music-artifacts"])

        def scan() -> None:
            reports = list(scanner.scan([str(f) for f in files]))
            assert all(r.error is None for r in reports), [r.error for r in reports]

        scan()
        rows.append(("music path (scan: verdict + analysis)", *_cpu(scan)))

        verdict_only = MusicArtifactsDetector(analysis=False)

        def verdict() -> None:
            for m in clips:
                m.data.cache.pop("music_analysis", None)
                verdict_only.score(m)

        verdict()
        rows.append(("music-artifacts verdict alone", *_cpu(verdict)))
        audio16 = [m.data.mono_at(16000) for m in clips]

        def analysis() -> None:
            with single_thread():
                for x in audio16:
                    analyze_music(x, 16000)

        analysis()
        rows.append(("music analysis alone (16 kHz input)", *_cpu(analysis)))
        try:
            import librosa
        except ImportError:
            print("librosa not installed: its beat tracker is not measured")
        else:

            def lib() -> None:
                for x in audio16:
                    librosa.beat.beat_track(y=x, sr=16000)

            lib()
            rows.append(("librosa beat_track alone (16 kHz)", *_cpu(lib)))
        print(
            f"{'what':40s} {'CPU s':>7s} {'x real time/CPU':>16s} {'x real time wall':>17s}"
            f" {'CPU vs baseline':>16s}"
        )
        for what, cpu, wall in rows:
            print(
                f"{what:40s} {cpu:7.2f} {seconds / cpu:16.1f} {seconds / wall:17.1f}"
                f" {cpu / base_cpu:15.1f}x"
            )


if __name__ == "__main__":
    main()
