"""Build the music corpus: real excerpts and *simulated* machine-made versions of other excerpts.

Real music: Debian ``hyperrogue-music`` (17 Ogg Vorbis tracks, 44.1 kHz stereo, GPL-2+).
Split by track (never by excerpt): 3 tracks test, 3 calibration, the rest training.
Fake music: each excerpt passes through one random simulated generator chain of
``fakescope.audio.music_synth.random_machine_music`` (Griffin-Lim mel resynthesis, a codec-like
bottleneck, band replication, up-sampling from 16-32 kHz; half collapsed to mono/pseudo-stereo).
Half of the real *and* half of the fake excerpts are then re-encoded as MP3 at 128-320 kbps so that
an ordinary MP3 is not a cue.

Usage::

    .venv/bin/python scripts/audio/build_music_corpus.py --out /work/data/audio/music
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from fakescope.audio.augment import codec_roundtrip
from fakescope.audio.loader import load_audio
from fakescope.audio.music_synth import random_machine_music

RATE = 44100
EXCERPT_S = 10.0


def _mp3(x: np.ndarray, kbps: int) -> np.ndarray:
    chans = [codec_roundtrip(x[:, c], RATE, "mp3", kbps) for c in range(x.shape[1])]
    n = min(len(c) for c in chans)
    return np.stack([c[:n] for c in chans], axis=1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--music", type=Path, default=Path("/usr/share/hyperrogue/music"))
    ap.add_argument("--out", type=Path, default=Path("/work/data/audio/music"))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    tracks = sorted(args.music.glob("*.ogg"))
    if not tracks:
        print(f"no .ogg tracks in {args.music} (apt-get install hyperrogue-music)")
        return 1
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(tracks))
    split = {}
    for rank, i in enumerate(order):
        split[tracks[i]] = "test" if rank < 3 else "calib" if rank < 6 else "train"
    manifest = []
    for track in tracks:
        clip = load_audio(track)[0].data
        x = clip.samples if clip.sample_rate == RATE else None
        if x is None:
            continue
        n = int(EXCERPT_S * RATE)
        starts = list(range(0, len(x) - n + 1, n))
        for j, a in enumerate(starts):
            seg = x[a : a + n]
            if np.abs(seg).max() < 1e-3:
                continue
            s = split[track]
            # alternate excerpts between the two classes so that they never share audio
            label = "fake" if j % 2 else "real"
            desc = "original"
            if label == "fake":
                seg, desc = random_machine_music(seg, RATE, rng)
            if rng.random() < 0.5:
                kbps = int(rng.choice([128, 192, 256, 320]))
                seg = _mp3(seg, kbps)
                desc += f", mp3 {kbps} kbps"
            dst = args.out / s / label / f"{track.stem}_{j:02d}.wav"
            dst.parent.mkdir(parents=True, exist_ok=True)
            sf.write(dst, seg, RATE, subtype="PCM_16")
            manifest.append(
                {"file": str(dst), "split": s, "label": label, "chain": desc, "track": track.name}
            )
        print(f"{track.name}: {split[track]}, {len(starts)} excerpts", flush=True)
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
