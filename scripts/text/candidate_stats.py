"""Measure candidate token-level statistics per generator on the held-out split.

Usage (after score_shared.py; reads the per-window cache, so no text is scored again)::

    .venv/bin/python scripts/text/candidate_stats.py --features /work/data/text/features.jsonl \\
        --out /work/data/text/features_v2.jsonl [--extra gemma=/work/data/text/gemma_t07.jsonl]

Recomputes every text's token statistics from the cache, writes the records again with the
current ``summarise`` features (so analyse.py sees new detectors' features) plus the candidates
below, and prints each candidate's ROC-AUC / TPR at 1 % FPR per generator on the held-out pairs
(``--extra``: machine text of another generator against all held-out human texts; these texts
are scored by the model once and cached). Every candidate is oriented so that higher = machine.

Candidates (from the literature on zero-shot detection with small scoring models): mean
log-likelihood, log-rank, entropy; DetectLLM's log-likelihood / log-rank ratio (LRR); one-model
Binoculars (mean -loglik / mean entropy); Fast-DetectGPT curvature normalised by the summed
variance (shipped) and per-token variants (mean, median, trimmed, clipped z, share z > 0);
quantiles of the token log-likelihood; share of top-1 / top-10 tokens; spread and lower tail of
the token log-likelihood (burstiness).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from make_split import split_of  # noqa: E402

from fakescope.text.lm import shared_model  # noqa: E402
from fakescope.text.scoring import MIN_TOKENS, TextScorer  # noqa: E402
from fakescope.text.stats import TokenStats  # noqa: E402
from fakescope.text.training import summary_metrics  # noqa: E402

DATA = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "text" / "fast-detect-gpt"


def candidates(t: TokenStats) -> dict[str, float]:
    """Candidate document statistics of one text's tokens, each oriented higher = machine."""
    ll = t.loglik.astype(np.float64)
    ent = t.entropy.astype(np.float64)
    var = np.maximum(t.variance.astype(np.float64), 1e-6)
    lr = np.log(t.rank.astype(np.float64))
    n = ll.size
    z = (ll + ent) / np.sqrt(var)
    k = int(0.1 * n)
    zs = np.sort(z)
    return {
        "loglik": ll.mean(),
        "-log_rank": -lr.mean(),
        "-entropy": -ent.mean(),
        "lrr": -ll.mean() / max(lr.mean(), 1e-6),
        "-binoculars_1model": ll.mean() / max(ent.mean(), 1e-6),
        "curvature (shipped)": (ll.sum() + ent.sum()) / np.sqrt(var.sum()) / np.sqrt(n),
        "curv_mean_z": z.mean(),
        "curv_median_z": float(np.median(z)),
        "curv_trim10_z": zs[k : n - k].mean(),
        "curv_clip2_z": np.clip(z, -2, 2).mean(),
        "curv_clip3_z": np.clip(z, -3, 3).mean(),
        "share_z_pos": (z > 0).mean(),
        "loglik+entropy": (ll + ent).mean(),
        "loglik_q05": float(np.percentile(ll, 5)),
        "loglik_q10": float(np.percentile(ll, 10)),
        "loglik_q25": float(np.percentile(ll, 25)),
        "loglik_q50": float(np.percentile(ll, 50)),
        "loglik_clip10": np.clip(ll, -10, 0).mean(),
        "top1": (t.rank == 1).mean(),
        "top10": (t.rank <= 10).mean(),
        "-loglik_std (burstiness)": -ll.std(),
        "-std(loglik+entropy)": -(ll + ent).std(),
        "-var(loglik)/mean(var)": -ll.var() / var.mean(),
        "-surprisal_tail (lm-tail)": -np.maximum(-ll - 5, 0).mean(),
        "-surprisal_tail@4": -np.maximum(-ll - 4, 0).mean(),
        "-surprisal_tail@6": -np.maximum(-ll - 6, 0).mean(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--features", type=Path, default=Path("/work/data/text/features.jsonl"))
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--cache", type=Path, default=Path("/work/data/text/cache"))
    ap.add_argument("--out", type=Path, default=Path("/work/data/text/features_v2.jsonl"))
    ap.add_argument("--extra", action="append", default=[], help="NAME=machine.jsonl")
    ap.add_argument("--max-tokens", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", type=Path, help="also write the table as JSON here")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    scorer = TextScorer(shared_model(), max_tokens=args.max_tokens, cache_dir=args.cache)
    recs = [json.loads(x) for x in args.features.read_text().splitlines() if x.strip()]
    files: dict[str, dict] = {}
    out, cand = [], []
    for r in recs:
        data = files.setdefault(r["file"], json.loads((args.data / r["file"]).read_text()))
        text = data["original" if r["label"] == 0 else "sampled"][r["index"]]
        st = scorer.stats(text)
        if st.n_scored < MIN_TOKENS:
            continue
        keep = {k: r[k] for k in ("file", "domain", "generator", "index", "label", "human_key")}
        out.append({**keep, "n_tokens_total": st.n_tokens_total, **st.features})
        cand.append((r, candidates(st.tokens)))
    args.out.write_text("".join(json.dumps(r) + "\n" for r in out))
    print(f"wrote {len(out)} records to {args.out}")
    groups: dict[str, list] = defaultdict(list)
    for r, c in cand:
        if split_of(r["human_key"]) == "test":
            groups[r["generator"]].append((r["label"], c))
    humans = [(y, c) for g in list(groups) for y, c in groups[g] if y == 0]
    for item in args.extra:
        name, path = item.split("=", 1)
        rows = [json.loads(x) for x in Path(path).read_text().splitlines() if x.strip()]
        extra = []
        for row in rows:
            st = scorer.stats(row["text"])
            if st.n_scored >= MIN_TOKENS:
                extra.append((1, candidates(st.tokens)))
        groups["x:" + name] = humans + extra
    gens = sorted(g for g in groups if not g.startswith("x:")) + sorted(
        g for g in groups if g.startswith("x:")
    )
    names = list(cand[0][1])
    print(f"{'statistic':26s}" + "".join(f"{g[:12]:>14s}" for g in gens) + "  mean of ../shared")
    table = {}
    for nm in names:
        row = {}
        for g in gens:
            ys = [y for y, _ in groups[g]]
            row[g] = summary_metrics([c[nm] for _, c in groups[g]], ys)
        shared = [row[g] for g in gens if not g.startswith("x:")]
        mean_auc = float(np.mean([m["roc_auc"] for m in shared]))
        mean_tpr = float(np.mean([m["tpr_at_1pct_fpr"] for m in shared]))
        table[nm] = {"per_generator": row, "mean_roc_auc": mean_auc, "mean_tpr": mean_tpr}
        cells = "".join(f"{row[g]['roc_auc']:7.3f}/{row[g]['tpr_at_1pct_fpr']:.2f}" for g in gens)
        print(f"{nm:26s}{cells}  {mean_auc:.3f}/{mean_tpr:.2f}")
    counts = {g: (sum(y == 0 for y, _ in v), sum(y == 1 for y, _ in v)) for g, v in groups.items()}
    print("test counts (human, machine):", counts)
    if args.json:
        args.json.write_text(json.dumps({"counts": counts, "table": table}, indent=1))


if __name__ == "__main__":
    main()
