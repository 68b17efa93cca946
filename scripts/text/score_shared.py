"""Score a subsample of the Fast-DetectGPT pairs in ../shared and cache per-text features.

Usage (from the repo root; resumable, never scores a text twice)::

    .venv/bin/python scripts/text/score_shared.py --pairs 60 --out /work/data/text

Writes ``features.jsonl`` (one record per text: file, domain, generator, pair index, label
0 = human / 1 = machine, a key of the human text for leak-free splits, and the document features
of its first 200 tokens) and a per-window token-statistics cache under ``cache/``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

import torch

from fakescope.text.lm import shared_model
from fakescope.text.scoring import TextScorer

DATA = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "text" / "fast-detect-gpt"


def human_key(text: str) -> str:
    """Identity of a human text: pairs sharing it must land on the same side of a split."""
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--pairs", type=int, default=60, help="pairs sampled per file")
    ap.add_argument("--out", type=Path, default=Path("/work/data/text"))
    ap.add_argument("--max-tokens", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    feats_path = args.out / "features.jsonl"
    done = set()
    if feats_path.exists():
        for line in feats_path.read_text().splitlines():
            r = json.loads(line)
            done.add((r["file"], r["index"], r["label"]))
    lm = shared_model()
    scorer = TextScorer(lm, max_tokens=args.max_tokens, cache_dir=args.out / "cache")
    files = sorted(args.data.glob("*.raw_data.json"))
    jobs = []
    for path in files:
        data = json.loads(path.read_text())
        domain, generator = path.name.removesuffix(".raw_data.json").split("_", 1)
        n = min(len(data["original"]), len(data["sampled"]))
        order = list(range(n))
        random.Random(f"{args.seed}-{path.name}").shuffle(order)
        for i in order[: args.pairs]:
            for label, text in ((0, data["original"][i]), (1, data["sampled"][i])):
                if (path.name, i, label) not in done:
                    jobs.append(
                        (
                            path.name,
                            domain,
                            generator,
                            i,
                            label,
                            text,
                            human_key(data["original"][i]),
                        )
                    )
    # Interleave files so that a partial run already covers every generator.
    jobs.sort(key=lambda j: (j[3] % 997, j[0], j[4]))
    print(f"{len(jobs)} texts to score", flush=True)
    t0, tokens = time.time(), 0
    with feats_path.open("a") as fh:
        for k, (name, domain, generator, i, label, text, hkey) in enumerate(jobs):
            st = scorer.stats(text)
            tokens += len(st.ids)
            rec = {
                "file": name,
                "domain": domain,
                "generator": generator,
                "index": i,
                "label": label,
                "human_key": hkey,
                "n_tokens_total": st.n_tokens_total,
                **st.features,
            }
            fh.write(json.dumps(rec) + "\n")
            fh.flush()
            if k % 20 == 0:
                rate = tokens / max(time.time() - t0, 1e-9)
                print(f"{k}/{len(jobs)} {rate:.0f} tok/s", flush=True)
    print("done", file=sys.stderr)


if __name__ == "__main__":
    main()
