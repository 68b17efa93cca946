"""Clean, split and subsample the chat-era text collection in ../shared for the text protocol.

Usage (from the repo root; stdlib + fakescope only, a few seconds)::

    .venv/bin/python scripts/text/chat_data.py --out /work/data/text/chat

Reads every ``*/*.jsonl`` of ``../shared/datasets/text/chat`` and, for BOTH labels:

- drops texts with an AI disclaimer or refusal (``preambles.has_ai_disclaimer``);
- strips chat preambles, title lines, markdown and closing offers (``preambles.clean_chat_text``);
- drops texts left with fewer than 50 words.

Every text gets a split ``group`` (its ``pair_id`` when it has one, else the text itself), and a
``half`` ("fit" or "test") from the SHA-1 of the group, so texts written for the same prompt never
sit on both sides. Domains are mapped to ``domain_group`` (leave-one-domain-out unit). The
subsample is stratified: at most ``--machine-cap`` texts per (generator, domain) and
``--human-cap`` per (source file, domain), preferring human texts whose pair is in the sample;
TOEFL essays are all kept (reported separately). Output: ``sample.jsonl`` (one record per text,
in an interleaved order so that a partial scoring run covers every stratum) and ``counts.txt``.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import random
from pathlib import Path

from fakescope.text.preambles import clean_chat_text, has_ai_disclaimer

_ROOT = Path(__file__).resolve().parents[2]
# ../shared beside the repository (a git worktree sits one level deeper: try its parents too)
DATA = next(
    (p / "shared" / "datasets" / "text" / "chat" for p in _ROOT.parents if (p / "shared").is_dir()),
    _ROOT.parent / "shared" / "datasets" / "text" / "chat",
)

DOMAIN_GROUPS = {
    "arxiv_abstract": "abstracts",
    "cs224n_abstract": "abstracts",
    "mixset_paper_abstract": "abstracts",
    "yelp_review": "reviews",
    "mixset_game_review": "reviews",
    "fiction_paragraph": "fiction",
    "student_essay": "essays",
    "college_admission_essay": "essays",
    "exam_essay": "essays",
    "persuasive_argument": "essays",
    "toefl_essay": "toefl",
    "reddit_eli5": "qa",
    "wikihow": "wikihow",
    "wikipedia": "wikipedia",
    "mixed_m4gt_rewrite": "rewrite",
    "mixset_blog": "mixset-other",
    "mixset_email_content": "mixset-other",
    "mixset_news": "mixset-other",
    "mixset_speech": "mixset-other",
    "peer_review": "peer-review",
}
MIN_WORDS = 50


def domain_group(domain: str) -> str:
    if domain.startswith("qa_"):
        return "qa"
    return DOMAIN_GROUPS.get(domain, domain)


def half_of(group: str) -> str:
    return "test" if int(hashlib.sha1(group.encode()).hexdigest(), 16) % 2 else "fit"


def load(data: Path) -> tuple[list[dict], collections.Counter]:
    rows, dropped = [], collections.Counter()
    for path in sorted(data.glob("*/*.jsonl")):
        source = f"{path.parent.name}/{path.name}"
        for n, line in enumerate(path.open(encoding="utf-8")):
            rec = json.loads(line)
            label = rec["label"]
            if has_ai_disclaimer(rec["text"]):
                dropped[f"{label} disclaimer/refusal"] += 1
                continue
            text = clean_chat_text(rec["text"])
            if len(text.split()) < MIN_WORDS:
                dropped[f"{label} < {MIN_WORDS} words after cleaning"] += 1
                continue
            group = rec.get("pair_id") or "text:" + hashlib.sha1(text.encode()).hexdigest()[:16]
            rows.append(
                {
                    "id": f"{source}#{n + 1}",
                    "text": text,
                    "label": 1 if label == "machine" else 0,
                    "generator": rec["generator"],
                    "domain": rec["domain"],
                    "domain_group": domain_group(rec["domain"]),
                    "source": source,
                    "variant": rec.get("variant"),
                    "group": group,
                    "half": half_of(group),
                    "cleaned": text != rec["text"].strip(),
                }
            )
    return rows, dropped


def subsample(rows: list[dict], machine_cap: int, human_cap: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    strata: dict[tuple, list[dict]] = collections.defaultdict(list)
    for r in rows:
        key = (r["generator"], r["domain"]) if r["label"] else (r["source"], r["domain"])
        strata[(r["label"],) + key].append(r)
    chosen: list[dict] = []
    for key in sorted(k for k in strata if k[0] == 1):
        items = strata[key]
        rng.shuffle(items)
        chosen += items[:machine_cap]
    groups = {r["group"] for r in chosen}
    for key in sorted(k for k in strata if k[0] == 0):
        items = strata[key]
        rng.shuffle(items)
        # paired human texts first, so that pairs can be compared within the sample
        items.sort(key=lambda r: r["group"] not in groups)
        cap = len(items) if key[2] == "toefl_essay" else human_cap
        chosen += items[:cap]
    # interleave strata: the k-th text of every stratum before the (k+1)-th of any
    rank: dict[tuple, int] = collections.Counter()
    order = []
    for r in chosen:
        key = (r["label"], r["generator"] if r["label"] else r["source"], r["domain"])
        order.append((rank[key], rng.random(), r))
        rank[key] += 1
    order.sort(key=lambda x: (x[0], x[1]))
    return [r for _, _, r in order]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=Path("/work/data/text/chat"))
    ap.add_argument("--machine-cap", type=int, default=60)
    ap.add_argument("--human-cap", type=int, default=70)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rows, dropped = load(args.data)
    sample = subsample(rows, args.machine_cap, args.human_cap, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "sample.jsonl").open("w") as fh:
        for r in sample:
            fh.write(json.dumps(r) + "\n")
    lines = [f"all texts after cleaning: {len(rows)}; sample: {len(sample)}"]
    lines += [f"dropped {k}: {v}" for k, v in sorted(dropped.items())]
    cleaned = collections.Counter(r["label"] for r in rows if r["cleaned"])
    lines.append(f"changed by cleaning: human {cleaned[0]}, machine {cleaned[1]}")
    counts = collections.Counter(
        (r["label"], r["generator"], r["domain_group"], r["half"]) for r in sample
    )
    for key, n in sorted(counts.items()):
        lines.append(f"{'machine' if key[0] else 'human'}\t{key[1]}\t{key[2]}\t{key[3]}\t{n}")
    (args.out / "counts.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:4]))


if __name__ == "__main__":
    main()
