"""What bfloat16 compute changes in the text scores: the same texts scored in float32.

Usage (from the repo root, after score_chat.py)::

    nice -n 10 .venv/bin/python scripts/text/dtype_check.py --n 64 \\
        --weights src/fakescope/text/weights/fusion.json

Scores the first ``--n`` texts of ``sample.jsonl`` with ``FAKESCOPE_TEXT_DTYPE=float32`` (cached
in ``features-fp32-check.jsonl``) and compares them with the bfloat16 features of
``features-smollm2-135m.jsonl``: per statistic the largest and median absolute difference and
the correlation, and for the fused verdict of ``--weights`` the median and largest difference of
the probabilities and the ROC-AUC on these texts under each precision.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("/work/data/text/chat"))
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--weights", type=Path, required=True)
    ap.add_argument("--max-tokens", type=int, default=256)
    args = ap.parse_args()
    os.environ["FAKESCOPE_TEXT_DTYPE"] = "float32"
    import torch

    from fakescope.core import metrics
    from fakescope.text.calibration import TextWeights
    from fakescope.text.lm import load_model
    from fakescope.text.scoring import TextScorer

    torch.set_num_threads(1)
    with (args.data / "sample.jsonl").open() as fh:
        sample = [json.loads(line) for line in fh][: args.n]
    with (args.data / "features-smollm2-135m.jsonl").open() as fh:
        bf16 = {r["id"]: r for r in map(json.loads, fh)}
    cache = args.data / "features-fp32-check.jsonl"
    fp32: dict[str, dict] = {}
    if cache.exists():
        with cache.open() as fh:
            fp32 = {r["id"]: r["features"] for r in map(json.loads, fh)}
    todo = [r for r in sample if r["id"] not in fp32]
    if todo:
        scorer = TextScorer(load_model("smollm2-135m"), max_tokens=args.max_tokens, cache_tokens=0)
        with cache.open("a") as fh:
            for b in range(0, len(todo), 16):
                batch = todo[b : b + 16]
                for r, st in zip(
                    batch, scorer.stats_batch([r["text"] for r in batch]), strict=True
                ):
                    fp32[r["id"]] = st.features
                    fh.write(json.dumps({"id": r["id"], "features": st.features}) + "\n")
    for feats in [*fp32.values(), *(r["features"] for r in bf16.values())]:
        # features cached before the statistic existed: derive it as stats.summarise does
        feats.setdefault("binoculars1", -feats["loglik"] / max(feats["entropy"], 1e-6))
    rows = [r for r in sample if r["id"] in bf16 and bf16[r["id"]]["judged"]]
    print(f"{len(rows)} texts judged, both precisions")
    for name in ("loglik", "log_rank", "curvature", "surprisal_tail", "entropy", "loglik_std"):
        a = np.array([fp32[r["id"]][name] for r in rows])
        b = np.array([bf16[r["id"]]["features"][name] for r in rows])
        d = np.abs(a - b)
        print(
            f"{name:15s} max |diff| {d.max():.4f}  median {np.median(d):.4f}  "
            f"spread across texts {a.std():.4f}  correlation {np.corrcoef(a, b)[0, 1]:.5f}"
        )
    weights = TextWeights.load(args.weights)
    y = np.array([r["label"] for r in rows])
    p32 = np.array([weights.fused_probability(fp32[r["id"]]) for r in rows])
    p16 = np.array([weights.fused_probability(bf16[r["id"]]["features"]) for r in rows])
    d = np.abs(p32 - p16)
    print(f"fused probability: median |diff| {np.median(d):.4f}, max {d.max():.4f}")
    if len(set(y)) == 2:
        auc32, auc16 = metrics.roc_auc(y, p32), metrics.roc_auc(y, p16)
        print(f"fused ROC-AUC on these texts: float32 {auc32:.4f}, bfloat16 {auc16:.4f}")


if __name__ == "__main__":
    main()
