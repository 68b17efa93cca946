"""Subsample the older Fast-DetectGPT pairs in ../shared into the chat protocol's record format.

Usage (from the repo root; seconds)::

    .venv/bin/python scripts/text/fdg_data.py --out /work/data/text/chat --pairs 30

Reads ``../shared/datasets/text/fast-detect-gpt/<domain>_<generator>.raw_data.json`` (human
``original`` texts and machine ``sampled`` continuations of their first words, aligned by index)
and writes ``fdg_sample.jsonl``: ``--pairs`` pairs per file (seeded), each human text once per
domain. The split unit is the human text: ``half`` comes from the parity of the SHA-1 of its
whitespace-normalised form (the rule of ``make_split.py``), and the machine continuation goes
with it, so no human text or its continuation is on both sides. Domains map to groups
``fdg-xsum`` (news), ``fdg-squad`` (Wikipedia paragraphs), ``fdg-writing`` (Reddit stories).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
DATA = next(
    (
        p / "shared" / "datasets" / "text" / "fast-detect-gpt"
        for p in _ROOT.parents
        if (p / "shared").is_dir()
    ),
    _ROOT.parent / "shared" / "datasets" / "text" / "fast-detect-gpt",
)
MIN_WORDS = 50


def human_key(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode()).hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=Path("/work/data/text/chat"))
    ap.add_argument("--pairs", type=int, default=30, help="pairs sampled per file")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    rows, seen_human = [], set()
    for path in sorted(args.data.glob("*.raw_data.json")):
        data = json.loads(path.read_text())
        domain, generator = path.name.removesuffix(".raw_data.json").split("_", 1)
        n = min(len(data["original"]), len(data["sampled"]))
        order = list(range(n))
        rng.shuffle(order)
        taken = 0
        for i in order:
            if taken >= args.pairs:
                break
            human, machine = data["original"][i].strip(), data["sampled"][i].strip()
            if min(len(human.split()), len(machine.split())) < MIN_WORDS:
                continue
            key = human_key(human)
            half = "test" if int(key, 16) % 2 else "fit"
            common = {
                "domain": domain,
                "domain_group": f"fdg-{domain}",
                "group": f"fdg:{key}",
                "half": half,
                "variant": None,
                "cleaned": False,
            }
            rows.append(
                {
                    "id": f"fdg/{path.name}#{i + 1}",
                    "text": machine,
                    "label": 1,
                    "generator": generator,
                    "source": f"fdg/{path.name}",
                    **common,
                }
            )
            if (domain, key) not in seen_human:
                seen_human.add((domain, key))
                rows.append(
                    {
                        "id": f"fdg/{domain}/human#{key}",
                        "text": human,
                        "label": 0,
                        "generator": "human",
                        "source": f"fdg/{domain}/human",
                        **common,
                    }
                )
            taken += 1
    rng.shuffle(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "fdg_sample.jsonl").open("w") as fh:
        for r in rows:
            fh.write(json.dumps(r) + "\n")
    print(
        f"{len(rows)} texts ({sum(r['label'] for r in rows)} machine) -> "
        f"{args.out / 'fdg_sample.jsonl'}"
    )


if __name__ == "__main__":
    main()
