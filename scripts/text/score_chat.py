"""Score the protocol samples with the language model once and cache everything a head needs.

Usage (from the repo root; resumable, never scores a text twice)::

    nice -n 10 .venv/bin/python scripts/text/score_chat.py --data /work/data/text/chat \\
        --samples sample.jsonl,fdg_sample.jsonl

One LM pass per text (its first ``--max-tokens`` tokens, the scorer the detectors use) writes:

- ``features2-<model>.<shard>.jsonl``: per text its id, the document statistics, whether the
  detectors would judge it (English, enough tokens) and the token counts;
- ``scored-<model>/<shard>-<n>.npz`` per batch: the per-token arrays (``ids``, ``loglik``,
  ``entropy``, ``rank``, concatenated, with ``offsets`` per text), so that any token-level
  statistic (e.g. the unigram-normalised surprisal) is computed later without the model; and
  ``pooled``: the mean over tokens, then the last token's hidden states, of ``layers``.

Texts are taken in this order: those of the samples that round 1 did not score (its
``features-<model>.jsonl``), then the rest, each sample in its own interleaved order, so that a
stopped run leaves a usable, balanced set. ``--shard K/N`` runs N processes side by side.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakescope.text.language import check_english
from fakescope.text.lm import configured_model, shared_model
from fakescope.text.scoring import MIN_TOKENS, TextScorer


def model_tag(name: str) -> str:
    return Path(name.rstrip("/")).name.lower().removesuffix(".gguf")


def read_ids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    with path.open() as fh:
        return {json.loads(line)["id"] for line in fh if line.strip()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("/work/data/text/chat"))
    ap.add_argument("--samples", default="sample.jsonl,fdg_sample.jsonl")
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--batch", type=int, default=32, help="texts per model batch")
    ap.add_argument("--layers", default="4,8,12,16,20,24,28,30", help="hidden-state layers")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="stop after this many texts")
    ap.add_argument("--shard", default="0/1", help="K/N: score every N-th text from the K-th")
    ap.add_argument(
        "--trainable-only",
        action="store_true",
        help="only texts a shipped fit may use (fit half, no TOEFL, no confounded machine set)",
    )
    args = ap.parse_args()
    shard, n_shards = (int(x) for x in args.shard.split("/"))
    torch.set_num_threads(args.threads)
    tag = model_tag(configured_model())
    feats_path = args.data / f"features2-{tag}.{shard}.jsonl"
    out_dir = args.data / f"scored-{tag}"
    out_dir.mkdir(parents=True, exist_ok=True)
    done = set().union(*(read_ids(p) for p in args.data.glob(f"features2-{tag}.*.jsonl")))
    round1 = read_ids(args.data / f"features-{tag}.jsonl")
    records = []
    for name in args.samples.split(","):
        with (args.data / name).open() as fh:
            records += [json.loads(line) for line in fh if line.strip()]
    todo = [r for r in records if r["id"] not in done]
    if args.trainable_only:
        from protocol_data import is_confounded

        todo = [
            r
            for r in todo
            if r["half"] == "fit" and r["domain_group"] != "toefl" and not is_confounded(r)
        ]
    todo.sort(key=lambda r: r["id"] in round1)  # stable: new texts first, each in sample order
    todo = todo[shard::n_shards]
    if args.limit:
        todo = todo[: args.limit]
    lm = shared_model()
    layers = tuple(int(x) for x in args.layers.split(",") if x)
    layers = tuple(k for k in layers if k <= lm.model.config.num_hidden_layers)
    scorer = TextScorer(
        lm, max_tokens=args.max_tokens, pooled_layers=layers, pooled_last=True, cache_tokens=0
    )
    print(f"{len(todo)} texts to score ({len(done)} done), model {lm.name}", flush=True)
    t0, tokens = time.time(), 0
    batch_no = len(list(out_dir.glob(f"{shard}-*.npz")))
    with feats_path.open("a") as fh:
        for b in range(0, len(todo), args.batch):
            batch = todo[b : b + args.batch]
            stats = scorer.stats_batch([r["text"] for r in batch])
            arrays: dict[str, list] = {k: [] for k in ("ids", "loglik", "entropy", "rank")}
            offsets, pooled = [0], []
            for st in stats:
                # token j of st.tokens is ids[j + 1] (the first token has no prediction)
                arrays["ids"].append(np.asarray(st.ids[1:], dtype=np.int32))
                arrays["loglik"].append(st.tokens.loglik.astype(np.float32))
                arrays["entropy"].append(st.tokens.entropy.astype(np.float16))
                arrays["rank"].append(st.tokens.rank.astype(np.int32))
                offsets.append(offsets[-1] + len(st.tokens))
                pooled.append(st.pooled)
            np.savez(
                out_dir / f"{shard}-{batch_no:05d}.npz",
                text_ids=np.array([r["id"] for r in batch]),
                offsets=np.array(offsets, dtype=np.int64),
                pooled=np.stack(pooled).astype(np.float16),
                layers=np.array(layers),
                **{k: np.concatenate(v) for k, v in arrays.items()},
            )
            batch_no += 1
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
                tokens += len(st.ids)
            fh.flush()
            rate = tokens / max(time.time() - t0, 1e-9)
            print(f"{b + len(batch)}/{len(todo)} texts, {rate:.0f} tokens/s", flush=True)


if __name__ == "__main__":
    main()
