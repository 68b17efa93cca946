"""Build a unigram log-probability per SmolLM2 token from wordfreq's English word frequencies.

Usage (from the repo root; ``pip install wordfreq==3.1.1``; ~1 min)::

    .venv/bin/python scripts/text/unigram_table.py --out /work/data/text/chat/unigram.npy

wordfreq (Speer, 2022; code Apache-2.0, data CC BY-SA 4.0) gives the frequency of ~321k English
words across Wikipedia, subtitles, news, books, web text, Twitter and Reddit. Each word's
frequency is spread over the tokens the model's tokenizer cuts it into, as it appears in running
text: 80 % " word", 15 % " Word", 5 % "Word" (start of a line). A token's unigram probability is
its share of all that mass. Tokens no English word produces (punctuation, digits, code, other
scripts) get NaN: the unigram statistics skip them. Output: float32 array of ``vocab_size``
natural-log probabilities.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

VARIANTS = ((" {w}", 0.80), (" {W}", 0.15), ("{W}", 0.05))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path("/work/data/text/chat/unigram.npy"))
    ap.add_argument("--min-zipf", type=float, default=1.0, help="skip rarer words")
    args = ap.parse_args()
    import wordfreq

    from fakescope.text.lm import shared_model

    lm = shared_model()
    tok = lm.tokenizer
    freqs = wordfreq.get_frequency_dict("en", wordlist="large")
    floor = 10 ** (args.min_zipf - 9)
    words = [(w, f) for w, f in freqs.items() if f >= floor and w.strip()]
    mass = np.zeros(lm.vocab_size, dtype=np.float64)
    for template, share in VARIANTS:
        texts = [template.format(w=w, W=w[:1].upper() + w[1:]) for w, _ in words]
        enc = tok(texts, add_special_tokens=False)["input_ids"]
        for (_, f), ids in zip(words, enc, strict=True):
            np.add.at(mass, ids, f * share)
    logp = np.full(lm.vocab_size, np.nan, dtype=np.float32)
    covered = mass > 0
    logp[covered] = np.log(mass[covered] / mass.sum())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.save(args.out, logp)
    print(
        f"{len(words)} words -> {int(covered.sum())} of {lm.vocab_size} tokens covered; {args.out}"
    )


if __name__ == "__main__":
    main()
