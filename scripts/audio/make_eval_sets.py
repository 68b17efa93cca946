"""Build the speech evaluation folders (clean and laundered) for ``fakescope evaluate``.

Layout (``--out``, default /work/data/audio/eval)::

    clean/real_fsdd_theo/       FSDD speaker theo (never used in training or calibration)
    clean/real_pocketsphinx/    LibriVox / CMU clips from Debian pocketsphinx-testdata (other
                                speakers, other recording chains; never used in training)
    clean/real_asterisk_other/  120 random prompts each of four Asterisk voices never used in
                                training (fr-CA June, it-IT Menardi and Carlo, ru-RU)
    clean/fake_<engine>/        every file of one TTS engine from build_speech_corpus.py
    mp3/..., opus/..., telephone/...   the same folders laundered: MP3 32 kbps, Opus 16 kbps
                                (real encoded files), 8 kHz telephone band 300-3400 Hz + mu-law

Usage::

    .venv/bin/python scripts/audio/make_eval_sets.py --tts /work/data/audio/tts
"""

from __future__ import annotations

import argparse
import shutil
import sys
import zlib
from pathlib import Path

import numpy as np
import soundfile as sf

from fakescope.audio.augment import Telephone, encode

PSPHINX = Path("/usr/share/pocketsphinx/test/data")
ASTERISK = Path("/usr/share/asterisk/sounds")
OTHER_VOICES = ("fr_CA_f_June", "it_IT_f_Menardi", "it_IT_m_Carlo", "ru_RU_f_IvrvoiceRU")


def other_voices(per_voice: int = 120) -> dict[Path, str]:
    """A seeded sample of each unseen Asterisk voice's prompts -> flat output names."""
    out: dict[Path, str] = {}
    for voice in OTHER_VOICES:
        files = [f for f in sorted((ASTERISK / voice).rglob("*.wav")) if "silence" not in f.parts]
        if not files:
            continue
        for i in np.random.default_rng(0).choice(len(files), min(per_voice, len(files)), False):
            f = files[i]
            out[f] = "_".join((voice, *f.relative_to(ASTERISK / voice).parts))
    return out


def _read(path: Path) -> tuple[np.ndarray, int]:
    if path.suffix == ".raw":  # pocketsphinx raw files: 16 kHz, 16-bit little-endian mono
        x = np.fromfile(path, dtype="<i2").astype(np.float32) / 32768.0
        return x, 16000
    x, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return x.mean(axis=1), rate


FIRST_ENGINES = ("espeak-ng", "festival", "flite", "pico", "piper", "vocoded")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fsdd", type=Path, default=Path("/work/shared/datasets/audio/fsdd"))
    ap.add_argument("--tts", type=Path, default=Path("/work/data/audio/tts"))
    ap.add_argument("--out", type=Path, default=Path("/work/data/audio/eval"))
    ap.add_argument("--per-engine", type=int, default=400, help="files per fake engine")
    ap.add_argument(
        "--only", default="", help="comma-separated set names to (re)build, e.g. fake_pico"
    )
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    sets: dict[str, list[Path]] = {
        "real_fsdd_theo": sorted(args.fsdd.glob("*_theo_*.wav")),
        "real_pocketsphinx": sorted(PSPHINX.rglob("*.wav")) + sorted(PSPHINX.rglob("*.raw")),
    }
    renamed = other_voices()
    sets["real_asterisk_other"] = list(renamed)
    for engine_dir in sorted(p for p in args.tts.iterdir() if p.is_dir()):
        files = sorted(engine_dir.glob("*.wav"))
        # engines added later draw from their own generator, so the published sets stay the same
        pick = (
            rng
            if engine_dir.name in FIRST_ENGINES
            else np.random.default_rng(zlib.crc32(engine_dir.name.encode()))
        )
        if len(files) > args.per_engine:
            files = [
                files[i] for i in sorted(pick.choice(len(files), args.per_engine, replace=False))
            ]
        sets[f"fake_{engine_dir.name}"] = files
    if args.only:
        sets = {k: v for k, v in sets.items() if k in args.only.split(",")}
    tel = Telephone()
    for name, files in sets.items():
        for cond in ("clean", "mp3", "opus", "telephone"):
            (args.out / cond / name).mkdir(parents=True, exist_ok=True)
        for src in files:
            file_name = renamed.get(src, src.name)
            stem = Path(file_name).stem
            x, rate = _read(src)
            if src.suffix == ".wav":
                shutil.copyfile(src, args.out / "clean" / name / file_name)
            else:
                sf.write(args.out / "clean" / name / f"{stem}.wav", x, rate, subtype="PCM_16")
            for codec, kbps in (("mp3", 32), ("opus", 16)):
                data, ext = encode(x, rate, codec, kbps)
                (args.out / codec / name / f"{stem}{ext}").write_bytes(data)
            y, r = tel(x, rate, rng)
            sf.write(args.out / "telephone" / name / f"{stem}.wav", y, r, subtype="PCM_16")
        print(f"{name}: {len(files)} files x 4 conditions", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
