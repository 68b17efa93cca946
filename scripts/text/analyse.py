"""Compare single LM statistics and small fusions per generator on the held-out split.

Usage::

    .venv/bin/python scripts/text/analyse.py --features /work/data/text/features_v2.jsonl

(features_v2.jsonl from candidate_stats.py carries the features of every current detector;
score_shared.py's features.jsonl only those that existed when it was scored.)

Fits each candidate fusion (the same `fit_weights` as `fakescope train text`) on the train side
of the split of scripts/text/make_split.py and prints, per generator, ROC-AUC and TPR at 1 % FPR
on held-out pairs. Use it to choose -d/--detector; the shipped weights come from `fakescope train`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from make_split import split_of  # noqa: E402

from fakescope.text.calibration import DETECTOR_FEATURES  # noqa: E402
from fakescope.text.fitting import fit_weights  # noqa: E402
from fakescope.text.training import summary_metrics  # noqa: E402

CANDIDATES = {
    "lik+rank+curv": ("lm-likelihood", "lm-rank", "lm-curvature"),
    "lik+curv": ("lm-likelihood", "lm-curvature"),
    "rank+curv": ("lm-rank", "lm-curvature"),
    "lik+rank+curv+tail": ("lm-likelihood", "lm-rank", "lm-curvature", "lm-tail"),
    "lik+curv+tail": ("lm-likelihood", "lm-curvature", "lm-tail"),
    "lik+rank+curv+burst": ("lm-likelihood", "lm-rank", "lm-curvature", "lm-burstiness"),
    "lik+rank+curv+tail+burst": (
        "lm-likelihood",
        "lm-rank",
        "lm-curvature",
        "lm-tail",
        "lm-burstiness",
    ),
}
LOWER_IS_MACHINE = ("lm-rank", "lm-entropy", "lm-tail", "lm-burstiness")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--features", type=Path, default=Path("/work/data/text/features_v2.jsonl"))
    ap.add_argument("--json", type=Path, help="also write the table as JSON here")
    ap.add_argument(
        "--extra",
        type=Path,
        action="append",
        default=[],
        help="feature records of machine text from other generators (score_jsonl.py); "
        "evaluated against all held-out human texts, never trained on",
    )
    args = ap.parse_args()
    recs = [json.loads(line) for line in args.features.read_text().splitlines() if line.strip()]
    recs = [r for r in recs if r["n_tokens"] >= 40]
    train = [r for r in recs if split_of(r["human_key"]) == "train"]
    test = [r for r in recs if split_of(r["human_key"]) == "test"]
    print(f"{len(train)} train texts, {len(test)} test texts")
    scorers = {}
    for det, feat in DETECTOR_FEATURES.items():
        if feat == "binoculars":
            continue
        sign = -1.0 if det in LOWER_IS_MACHINE else 1.0
        scorers[det] = lambda r, f=feat, s=sign: s * r[f]
    for name, dets in CANDIDATES.items():
        for nonneg, c, tag in ((True, 0.001, ""), (True, 1.0, ":c=1"), (False, 1.0, ":free")):
            label = f"fused:{name}{tag}"
            w = fit_weights(
                train, [r["label"] for r in train], detectors=dets, nonnegative=nonneg, c=c
            )
            scorers[label] = lambda r, w=w: w.fused_probability(r)
            coefs = {k: round(v, 2) for k, v in w.fuser.coef.items()}
            thr = tuple(round(t, 3) for t in w.fuser.thresholds)
            print(f"{label} coef={coefs} thresholds={thr}")
    by_gen = defaultdict(list)
    for r in test:
        by_gen[r["generator"]].append(r)
    humans = [r for r in test if r["label"] == 0]
    for path in args.extra:
        extra = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
        for r in extra:
            if r["n_tokens"] >= 40:
                by_gen["x:" + r["generator"]].append(r)
        for g in {"x:" + r["generator"] for r in extra}:
            by_gen[g] = humans + by_gen[g]
    table = {}
    gens = sorted(by_gen)
    header = f"{'score':28s}" + "".join(f"{g[:12]:>14s}" for g in gens) + f"{'mean':>8s}"
    print(header + "   (ROC-AUC / TPR@1%FPR)")
    for name, fn in scorers.items():
        row = {}
        for g in gens:
            rs = by_gen[g]
            row[g] = summary_metrics([fn(r) for r in rs], [r["label"] for r in rs])
        mean_auc = float(np.mean([m["roc_auc"] for m in row.values()]))
        mean_tpr = float(np.mean([m["tpr_at_1pct_fpr"] for m in row.values()]))
        table[name] = {"per_generator": row, "mean_roc_auc": mean_auc, "mean_tpr": mean_tpr}
        cells = "".join(f"{row[g]['roc_auc']:7.3f}/{row[g]['tpr_at_1pct_fpr']:.2f}" for g in gens)
        print(f"{name:28s}{cells}{mean_auc:8.3f}/{mean_tpr:.2f}")
    counts = {
        g: (sum(r["label"] == 0 for r in by_gen[g]), sum(r["label"] == 1 for r in by_gen[g]))
        for g in gens
    }
    print("test counts (human, machine):", counts)
    if args.json:
        args.json.write_text(json.dumps({"counts": counts, "table": table}, indent=1))


if __name__ == "__main__":
    main()
