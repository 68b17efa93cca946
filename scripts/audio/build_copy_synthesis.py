"""Build copy-synthesis fakes of every real recording of the issue-20 protocol.

Each real item of ``fakescope.audio.speech_data.all_items`` (speech-train, FSDD, Asterisk,
pocketsphinx; capped as the protocol caps them) is re-synthesised by 2 of the 6 vocoders of
``speech_data.COPY_VOCODERS``, chosen by a stable hash of its path, at its own rate (8 kHz
sources stay 8 kHz, the others 16 kHz). The classical vocoders are in
``fakescope.audio.copy_synthesis``; the neural ones need a generator trained by
``scripts/audio/train_neural_vocoder.py`` (``--neural DIR``). Files that exist are kept, so the
script can be rerun to add vocoders; ``MANIFEST.tsv`` lists every file present.

Usage::

    B=".venv/bin/python -W ignore scripts/audio/build_copy_synthesis.py"
    $B --out /work/data/audio/copysynth
    $B --out /work/data/audio/copysynth --vocoders neural-upsample neural-istft \\
        --neural /work/data/audio/neural_vocoders
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from fakescope.audio.copy_synthesis import CLASSICAL, copy_synthesize
from fakescope.audio.dsp import resample
from fakescope.audio.speech_cache import read_audio
from fakescope.audio.speech_data import COPY_MANIFEST, COPY_VOCODERS, SpeechItem, all_items

PER_ITEM = 2


def assigned_vocoders(item: SpeechItem, k: int = PER_ITEM) -> list[str]:
    """The ``k`` vocoders of ``item``: the first by a hash of (path name, vocoder)."""
    key = lambda v: hashlib.sha1(f"{item.path.name}|{item.detail}|{v}".encode()).hexdigest()  # noqa: E731
    return sorted(COPY_VOCODERS, key=key)[:k]


def out_name(item: SpeechItem, vocoder: str) -> str:
    tag = hashlib.sha1(str(item.path.resolve()).encode()).hexdigest()[:8]
    return f"{vocoder}/{item.group}__{tag}__{item.path.stem}.wav"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/work/data/audio/copysynth"))
    ap.add_argument("--vocoders", nargs="*", default=list(CLASSICAL), choices=COPY_VOCODERS)
    ap.add_argument("--neural", type=Path, help="folder of trained neural vocoders")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shard", default="0/1", help="K/N: make every N-th copy from the K-th")
    args = ap.parse_args(argv)
    k, n_shards = (int(v) for v in args.shard.split("/"))
    reals = [i for i in all_items() if i.label == 0]
    neural = {}
    for v in args.vocoders:
        if v.startswith("neural-"):
            from fakescope.audio.neural_vocoder import load_vocoder

            if args.neural is None:
                ap.error(f"{v} needs --neural DIR (scripts/audio/train_neural_vocoder.py)")
            neural[v] = load_vocoder(args.neural / f"{v}.pt")
    todo = [(it, v) for it in reals for v in assigned_vocoders(it) if v in args.vocoders]
    todo = todo[k::n_shards]
    print(f"{len(reals)} real recordings, {len(todo)} copies to make", flush=True)
    t0, made = time.time(), 0
    for n, (it, v) in enumerate(todo):
        dst = args.out / out_name(it, v)
        if dst.exists():
            continue
        x, rate = read_audio(it.path)
        target = 8000 if 0 < it.native_rate <= 8000 or rate <= 8000 else 16000
        x = resample(x, rate, target)
        seed = int(hashlib.sha1(f"{dst.name}|{args.seed}".encode()).hexdigest()[:8], 16)
        rng = np.random.default_rng(seed)
        try:
            if v in neural:
                y = neural[v].copy_synthesize(x, target)
            else:
                y = copy_synthesize(x, target, v, rng)
        except ValueError as exc:
            print(f"{it.path}: {v} copy left out ({exc})", flush=True)
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f".{dst.name}")
        sf.write(tmp, y, target, subtype="PCM_16", format="WAV")
        tmp.replace(dst)
        made += 1
        if made % 200 == 0:
            print(f"{n + 1}/{len(todo)} ({time.time() - t0:.0f} s)", flush=True)
    write_manifest(args.out, reals)
    return 0


def write_manifest(out: Path, reals: list[SpeechItem]) -> None:
    """``MANIFEST.tsv``: one row per copy present (file, vocoder, origin source and path, rate)."""
    rows = []
    for it in reals:
        for v in COPY_VOCODERS:
            f = out / out_name(it, v)
            if f.exists():
                rows.append(
                    [out_name(it, v), v, it.group, str(it.path.resolve()), sf.info(f).samplerate]
                )
    tmp = out / f".{COPY_MANIFEST}"
    with tmp.open("w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["file", "vocoder", "origin_source", "origin_path", "rate"])
        w.writerows(rows)
    tmp.replace(out / COPY_MANIFEST)
    print(f"{len(rows)} copies in {out / COPY_MANIFEST}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
