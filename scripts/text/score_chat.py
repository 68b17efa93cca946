"""Score the chat-era sample with the language model once and cache per-text features.

Usage (from the repo root; resumable, never scores a text twice)::

    nice -n 10 .venv/bin/python scripts/text/score_chat.py --data /work/data/text/chat

Reads ``sample.jsonl`` (scripts/text/chat_data.py) and appends to ``features-<model>.jsonl`` one
record per text: its id, the document features of its first ``--max-tokens`` tokens (the same
statistics the detectors read), whether the detectors would judge it (English, enough tokens),
and the token count. The mean hidden states of a few layers (for the supervised-head
experiment) go to ``pooled-<model>/<batch>.npz``. Every protocol sweep then reads these files
and costs nothing.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from fakescope.text.language import check_english
from fakescope.text.lm import configured_model, shared_model
from fakescope.text.scoring import MIN_TOKENS, TextScorer


def model_tag(name: str) -> str:
    return Path(name.rstrip("/")).name.lower().removesuffix(".gguf")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("/work/data/text/chat"))
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--batch", type=int, default=32, help="texts per model batch")
    ap.add_argument("--layers", default="8,16,24,30", help="hidden-state layers to pool")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="stop after this many texts")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    tag = model_tag(configured_model())
    feats_path = args.data / f"features-{tag}.jsonl"
    pooled_dir = args.data / f"pooled-{tag}"
    pooled_dir.mkdir(parents=True, exist_ok=True)
    done = set()
    if feats_path.exists():
        with feats_path.open() as fh:
            done = {json.loads(line)["id"] for line in fh}
    with (args.data / "sample.jsonl").open() as fh:
        sample = [json.loads(line) for line in fh]
    todo = [r for r in sample if r["id"] not in done]
    if args.limit:
        todo = todo[: args.limit]
    layers = tuple(int(x) for x in args.layers.split(",") if x)
    lm = shared_model()
    layers = tuple(k for k in layers if k <= lm.model.config.num_hidden_layers)
    scorer = TextScorer(lm, max_tokens=args.max_tokens, pooled_layers=layers, cache_tokens=0)
    print(f"{len(todo)} texts to score ({len(done)} done), model {lm.name}", flush=True)
    t0, tokens = time.time(), 0
    with feats_path.open("a") as fh:
        for b in range(0, len(todo), args.batch):
            batch = todo[b : b + args.batch]
            stats = scorer.stats_batch([r["text"] for r in batch])
            pooled = []
            for r, st in zip(batch, stats, strict=True):
                lang = check_english(r["text"])
                rec = {
                    "id": r["id"],
                    "judged": bool(lang.ok and st.n_scored >= MIN_TOKENS),
                    "n_tokens": len(st.ids),
                    "n_tokens_total": st.n_tokens_total,
                    "features": {k: round(float(v), 6) for k, v in st.features.items()},
                }
                fh.write(json.dumps(rec) + "\n")
                pooled.append(st.pooled)
                tokens += len(st.ids)
            fh.flush()
            if layers:
                np.savez(
                    pooled_dir / f"{b + len(done):06d}.npz",
                    ids=np.array([r["id"] for r in batch]),
                    pooled=np.stack(pooled).astype(np.float16),
                    layers=np.array(layers),
                )
            rate = tokens / max(time.time() - t0, 1e-9)
            print(f"{b + len(batch)}/{len(todo)} texts, {rate:.0f} tokens/s", flush=True)


if __name__ == "__main__":
    main()
