"""Build long-form speech test sets: several seconds of speech per file instead of one digit.

Layout (``--eval``/long, default /work/data/audio/eval/long)::

    real_theo_joined/     120 files, each 4-8 random clips of FSDD speaker theo (never trained on)
                          joined with 0.15-0.4 s of silence
    fake_pico_joined/     the same from SVOX Pico digit clips (the engine held out of training)
    fake_pico_sentences/  80 files of Pico reading two Harvard sentences (IEEE 1969), random
                          voice (en-US / en-GB) and rate

Pair them with ``real_theo_joined`` and with the long real recordings
(``clean/real_pocketsphinx``, ``clean/real_asterisk_other`` from ``make_eval_sets.py``).

Usage::

    .venv/bin/python scripts/audio/make_long_form_sets.py --tts /work/data/audio/tts
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

from fakescope.audio.dsp import resample
from fakescope.audio.tts import synthesize

HARVARD = """The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background.
It's easy to tell the depth of a well. These days a chicken leg is a rare dish.
Rice is often served in round bowls. The juice of lemons makes fine punch.
The box was thrown beside the parked truck. The hogs were fed chopped corn and garbage.
Four hours of steady work faced us. A large size in stockings is hard to sell.
The boy was there when the sun rose. A rod is used to catch pink salmon.
The source of the huge river is the clear spring. Kick the ball straight and follow through.
Help the woman get back to her feet. A pot of tea helps to pass the evening.
Smoky fires lack flame and heat. The soft cushion broke the man's fall.
The salt breeze came across from the sea. The girl at the booth sold fifty bonds.
The small pup gnawed a hole in the sock. The fish twisted and turned on the bent hook.
Press the pants and sew a button on the vest. The swan dive was far short of perfect.
The beauty of the view stunned the young boy. Two blue fish swam in the tank.
Her purse was full of useless trash. The colt reared and threw the tall rider.
It snowed, rained, and hailed the same morning. Read verse out loud for pleasure.
Hoist the load to your left shoulder. Take the winding path to reach the lake.
Note closely the size of the gas tank. Wipe the grease off his dirty face.
Mend the coat before you go out. The wrist was badly strained and hung limp.
The stray cat gave birth to kittens. The young girl gave no clear response.
The meal was cooked before the bell rang. What joy there is in living.
A king ruled the state in the early days."""
SENTENCES = [s.strip() + "." for s in HARVARD.replace("\n", " ").split(".") if s.strip()]


def join_clips(files: list[Path], out: Path, n: int, rng: np.random.Generator) -> None:
    """Write ``n`` files of 4-8 random clips from ``files`` (8 kHz mono) with short gaps."""
    out.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        pick = rng.choice(len(files), int(rng.integers(4, 9)), replace=False)
        parts = []
        for i in pick:
            x, rate = sf.read(files[i], dtype="float32", always_2d=True)
            x = x.mean(axis=1)
            x = resample(x, rate, 8000) if rate != 8000 else x
            parts += [x, np.zeros(int(8000 * rng.uniform(0.15, 0.4)), np.float32)]
        sf.write(out / f"{out.name}_{k:03d}.wav", np.concatenate(parts[:-1]), 8000)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fsdd", type=Path, default=Path("/work/shared/datasets/audio/fsdd"))
    ap.add_argument("--tts", type=Path, default=Path("/work/data/audio/tts"))
    ap.add_argument("--eval", type=Path, default=Path("/work/data/audio/eval"))
    args = ap.parse_args(argv)
    rng = np.random.default_rng(7)
    out = args.eval / "long"
    theo = sorted(args.fsdd.glob("*_theo_*.wav"))
    pico = sorted(p for p in (args.tts / "pico").glob("*.wav") if "__d" in p.name)
    if not theo or not pico:
        print(f"need FSDD theo clips in {args.fsdd} and pico digits in {args.tts / 'pico'}")
        return 2
    join_clips(theo, out / "real_theo_joined", 120, rng)
    join_clips(pico, out / "fake_pico_joined", 120, rng)
    sentences = out / "fake_pico_sentences"
    sentences.mkdir(parents=True, exist_ok=True)
    for k in range(80):
        i = int(rng.integers(0, len(SENTENCES) - 1))
        voice = str(rng.choice(["en-US", "en-GB"]))
        rate = float(rng.uniform(0.85, 1.15))
        text = " ".join(SENTENCES[i : i + 2])
        synthesize(text, "pico", sentences / f"pico_sentence_{k:03d}.wav", voice=voice, rate=rate)
    print(f"long-form sets in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
