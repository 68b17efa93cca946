"""Cache the music-detection data as mono 16 kHz clips, real and machine-made alike.

Sources (see docs/music.md):
- ``--shared``: ``../shared/datasets/music`` (165 generator clips of 6 families, 100 real clips;
  MANIFEST.tsv gives family and source);
- offline real music for training only: Debian ``hyperrogue-music`` and
  ``asterisk-moh-opsound-wav`` (3 s clips cut from every track);
- simulated machine music (``fakescope.audio.music_synth`` chains on HyperRogue excerpts that are
  never used as real clips), a candidate ingredient;
- ``--other``: real tracks of other genres (Debian game-music packages, Sonic Pi loops) used only
  for the false-positive table.

Every clip is mixed to mono at 44.1 kHz; the "clean" copy is then resampled to 16 kHz; the
"laundered" copy first goes through one random delivery chain (fixed seed per clip); ``--copies``
training copies each go through their own random chain. Both classes are treated identically.

Usage::

    .venv/bin/python scripts/music/prepare_detection_data.py --out /work/data/music/det
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

import numpy as np

from fakescope.audio.dsp import resample
from fakescope.audio.loader import load_audio
from fakescope.audio.music_channel import CHAIN_RATE, random_music_chain

RATE = 16000
SUFFIX = ""
CLIP_S = 3.0

OFFLINE_REAL = {
    "hyperrogue": Path("/usr/share/hyperrogue/music"),
    "asterisk-moh": Path("/usr/share/asterisk/moh"),
}
OTHER_GENRES = {
    "asc-music": Path("/usr/share/games/asc"),
    "drascula-music": Path("/usr/share/scummvm"),
    "singularity-music": Path("/usr/share/games/singularity"),
    "warzone2100-music": Path("/usr/share/games/warzone2100"),
    "sonic-pi-samples": Path("/usr/share/sonic-pi/samples"),
}
AUDIO_EXT = {".ogg", ".wav", ".flac", ".mp3", ".opus"}


def seed_of(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def mono44(path: Path, min_rate: int = 0) -> np.ndarray | None:
    """Mono at 44.1 kHz; ``None`` when the file's own rate is under ``min_rate``."""
    clip = load_audio(path)[0].data
    if clip.sample_rate < min_rate:
        return None
    return resample(clip.mono(), clip.sample_rate, CHAIN_RATE)


def cut(x: np.ndarray, n_clips: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Up to ``n_clips`` non-overlapping 3 s clips from the louder parts of ``x``."""
    n = int(CLIP_S * CHAIN_RATE)
    if len(x) < n:
        return [np.pad(x, (0, n - len(x)))] if len(x) > CHAIN_RATE else []
    starts = np.arange(0, len(x) - n + 1, n)
    rms = np.array([np.sqrt(np.mean(x[s : s + n] ** 2)) for s in starts])
    keep = starts[rms > 0.1 * rms.max()] if rms.max() > 0 else starts[:0]
    if len(keep) > n_clips:
        keep = np.sort(rng.choice(keep, n_clips, replace=False))
    return [x[s : s + n] for s in keep]


def variants(x44: np.ndarray, key: str, copies: int) -> dict[str, np.ndarray]:
    """Clean, laundered and ``copies`` training copies at RATE (the chains depend only on the
    clip's key, so the 16 and 32 kHz sets hold the same chains)."""
    out = {"clean": resample(x44, CHAIN_RATE, RATE)}
    rng = np.random.default_rng(seed_of("launder:" + key))
    out["laundered"] = resample(
        random_music_chain(rng, p_clean=0.0)(x44, CHAIN_RATE, rng)[0], CHAIN_RATE, RATE
    )
    for k in range(copies):
        rng = np.random.default_rng(seed_of(f"train{k}:" + key))
        out[f"train{k}"] = resample(
            random_music_chain(rng)(x44, CHAIN_RATE, rng)[0], CHAIN_RATE, RATE
        )
    return out


def save(out: Path, name: str, items: list[dict]) -> None:
    name = name + SUFFIX
    keys = sorted({k for it in items for k in it["audio"]})
    arrays = {k: np.stack([it["audio"][k].astype(np.float32) for it in items]) for k in keys}
    meta = np.array([[it["id"], it["label"], it["family"], it["source"]] for it in items])
    np.savez(out / f"{name}.npz", meta=meta, **arrays)
    print(f"{name}: {len(items)} clips, variants {keys}", flush=True)


def fit_len(x: np.ndarray) -> np.ndarray:
    n = int(CLIP_S * CHAIN_RATE)
    return np.pad(x, (0, n - len(x)))[:n] if len(x) != n else x


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shared", type=Path, default=Path("/work/shared/datasets/music"))
    ap.add_argument("--out", type=Path, default=Path("/work/data/music/det"))
    ap.add_argument("--copies", type=int, default=4)
    ap.add_argument("--parts", default="shared,offline,sim,other")
    ap.add_argument(
        "--rate",
        type=int,
        default=16000,
        choices=(16000, 32000),
        help="16000: every clip (<name>.npz); 32000: clips whose own rate is "
        ">= 32 kHz only (<name>_wide.npz)",
    )
    args = ap.parse_args()
    global RATE, SUFFIX
    RATE = args.rate
    SUFFIX = "" if RATE == 16000 else "_wide"
    min_rate = 0 if RATE == 16000 else 32000
    args.out.mkdir(parents=True, exist_ok=True)
    parts = set(args.parts.split(","))

    if "shared" in parts:
        items = []
        with open(args.shared / "MANIFEST.tsv") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                x44 = mono44(args.shared / row["file"], min_rate)
                if x44 is None:
                    continue
                x44 = fit_len(x44)
                fam = row["family"] if row["label"] == "fake" else "real"
                items.append(
                    {
                        "id": row["file"],
                        "label": row["label"],
                        "family": fam,
                        "source": row["source_repo"],
                        "audio": variants(x44, row["file"], args.copies),
                    }
                )
        save(args.out, "shared", items)

    if "offline" in parts:
        items = []
        for source, folder in OFFLINE_REAL.items():
            for p in sorted(folder.glob("*")):
                if p.suffix.lower() not in AUDIO_EXT:
                    continue
                rng = np.random.default_rng(seed_of(p.name))
                x = mono44(p, min_rate)
                if x is None:
                    continue
                for i, c in enumerate(cut(x, 8, rng)):
                    key = f"{source}/{p.name}#{i}"
                    items.append(
                        {
                            "id": key,
                            "label": "real",
                            "family": "real",
                            "source": source,
                            "audio": variants(c, key, args.copies),
                        }
                    )
        save(args.out, "offline", items)

    if "sim" in parts:
        from fakescope.audio.music_synth import random_machine_music

        items = []
        for p in sorted(OFFLINE_REAL["hyperrogue"].glob("*.ogg")):
            clip = load_audio(p)[0].data
            st = resample(clip.samples, clip.sample_rate, CHAIN_RATE)
            rng = np.random.default_rng(seed_of("sim:" + p.name))
            n = int(CLIP_S * CHAIN_RATE)
            # excerpts from the second half of each track (the real clips favour loud parts of
            # the whole track; overlap is possible but the fakes are transformed)
            for i in range(6):
                s = int(rng.integers(len(st) // 2, max(len(st) // 2 + 1, len(st) - n)))
                seg = st[s : s + n]
                if len(seg) < n or np.abs(seg).max() < 1e-3:
                    continue
                fake, kind = random_machine_music(seg, CHAIN_RATE, rng)
                key = f"sim/{p.name}#{i}"
                items.append(
                    {
                        "id": key,
                        "label": "fake",
                        "family": "sim",
                        "kind": kind,
                        "source": "sim",
                        "audio": variants(fit_len(fake.mean(axis=1)), key, args.copies),
                    }
                )
        save(args.out, "sim", items)

    if "other" in parts:
        items = []
        for source, folder in OTHER_GENRES.items():
            files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_EXT)
            for p in files:
                rng = np.random.default_rng(seed_of(str(p)))
                try:
                    x = mono44(p, min_rate)
                except Exception as exc:  # noqa: BLE001 - report and skip unreadable files
                    print(f"skip {p}: {exc}", file=sys.stderr)
                    continue
                if x is None:
                    continue
                per = 1 if source == "sonic-pi-samples" else 3
                for i, c in enumerate(cut(x, per, rng)):
                    key = f"{source}/{p.name}#{i}"
                    items.append(
                        {
                            "id": key,
                            "label": "real",
                            "family": "real",
                            "source": source,
                            "audio": variants(c, key, 0),
                        }
                    )
        save(args.out, "other", items)
    return 0


if __name__ == "__main__":
    sys.exit(main())
