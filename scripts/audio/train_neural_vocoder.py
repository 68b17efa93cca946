"""Train the tiny neural vocoders of copy-synthesis (``fakescope.audio.neural_vocoder``).

Training data: the real recordings of the issue-20 protocol that are 16 kHz or better
(speech-train's real corpora and pocketsphinx; the 8 kHz FSDD and Asterisk sources are left out
so that the generators learn the full band), trimmed, peak-normalised. The budget is fixed
(``--steps``, default 3000 steps of 8 random 0.5 s crops); torch on one thread.

Usage::

    .venv/bin/python scripts/audio/train_neural_vocoder.py --out /work/data/audio/neural_vocoders
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fakescope.audio.dsp import normalize_peak, resample, trim_silence
from fakescope.audio.neural_vocoder import KINDS, RATE, save_vocoder, train_vocoder
from fakescope.audio.speech_cache import read_audio
from fakescope.audio.speech_data import all_items


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("/work/data/audio/neural_vocoders"))
    ap.add_argument("--kinds", nargs="*", default=list(KINDS), choices=KINDS)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    reals = [i for i in all_items() if i.label == 0 and i.native_rate >= RATE]
    audios = []
    for it in reals:
        x, rate = read_audio(it.path)
        audios.append(normalize_peak(trim_silence(resample(x, rate, RATE), RATE)))
    print(f"{len(audios)} real recordings, {sum(map(len, audios)) / RATE / 60:.1f} min", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    for kind in args.kinds:
        t0 = time.time()
        log = lambda m: print(f"{time.strftime('%H:%M:%S')} {m}", flush=True)  # noqa: E731
        model = train_vocoder(audios, kind, args.steps, args.seed, log=log)
        info = {"steps": args.steps, "seed": args.seed, "clips": len(audios)}
        info["seconds"] = round(time.time() - t0)
        save_vocoder(args.out / f"{kind}.pt", kind, model, info)
        print(f"{kind}: saved to {args.out / f'{kind}.pt'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
