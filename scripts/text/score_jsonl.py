"""Score the texts of a .jsonl file into feature records (same format as score_shared.py).

Usage::

    .venv/bin/python scripts/text/score_jsonl.py /work/data/text/gemma270m_t07.jsonl \\
        --generator gemma-3-270m-t0.7 --label 1 --out /work/data/text/features_gemma.jsonl

Used for machine text from generators outside ../shared (held out from training: analyse.py
compares them against the held-out human texts of the split).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from fakescope.text.lm import shared_model
from fakescope.text.scoring import TextScorer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("source", type=Path)
    ap.add_argument("--generator", required=True)
    ap.add_argument("--label", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--cache", type=Path, default=Path("/work/data/text/cache"))
    ap.add_argument("--max-tokens", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    scorer = TextScorer(shared_model(), max_tokens=args.max_tokens, cache_dir=args.cache)
    rows = [json.loads(x) for x in args.source.read_text().splitlines() if x.strip()]
    with args.out.open("w") as fh:
        for i, row in enumerate(rows):
            st = scorer.stats(row["text"])
            rec = {
                "file": args.source.name,
                "index": i,
                "generator": args.generator,
                "domain": row.get("domain", "?"),
                "label": args.label,
                "human_key": "",
                "n_tokens_total": st.n_tokens_total,
                **st.features,
            }
            fh.write(json.dumps(rec) + "\n")
    print(f"wrote {len(rows)} records to {args.out}")


if __name__ == "__main__":
    main()
