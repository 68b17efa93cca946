"""Fit the recipe that round 2's protocol chose on the whole fit half and write the text weights.

Usage (from the repo root; reads only cached features, under a minute)::

    .venv/bin/python scripts/text/ship_round2.py --data /work/data/text/chat \\
        --protocol /work/data/text/chat/round2/protocol.json \\
        --out src/fakescope/text/weights/fusion.json

It calls the function ``fakescope train text`` calls (:func:`fakescope.text.fitting.fit_weights`)
on the cached statistics and pooled hidden states of the same scorer (SmolLM2-135M, bf16, first
256 tokens), so the fit-half texts are not run through the model a second time. The training
set is rule 5 of /work/data/notes/issue21_round2_protocol.md: the fit half of every text allowed
in training (confounded machine sets, TOEFL and GPT-4 edits of human essays left out). The
threshold rule the protocol chose maps onto ``train text``'s options: T99 is the pooled humans'
99th percentile, TDOM ``--threshold-by-source`` with one file per domain group, TDOM995 the same
with ``--target-fpr 0.005``. ``--write-jsonl DIR`` writes those files (one per domain group and
class) so that ``fakescope train text`` reproduces the fit from the texts themselves (slower: it
scores them again).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from head_protocol import trainable  # noqa: E402
from protocol_data import load  # noqa: E402

from fakescope.text.feature_fusion import STATISTICS  # noqa: E402
from fakescope.text.fitting import fit_weights  # noqa: E402
from fakescope.text.hidden_head import HIDDEN_FEATURE  # noqa: E402
from fakescope.text.training import score_features, summary_metrics  # noqa: E402

TARGET = {"T99": (0.01, False), "TDOM": (0.01, True), "TDOM995": (0.005, True)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("/work/data/text/chat"))
    ap.add_argument(
        "--protocol", type=Path, default=Path("/work/data/text/chat/round2/protocol.json")
    )
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument(
        "--unigram",
        type=Path,
        default=Path(__file__).resolve().parents[2]
        / "src/fakescope/text/weights/unigram-smollm2-135m.npy",
        help="unigram table (the shipped one: what the scorer reads)",
    )
    ap.add_argument("--write-jsonl", type=Path, default=None)
    args = ap.parse_args()
    chosen = json.loads(args.protocol.read_text())["chosen"]
    rows = [r for r in load(args.data, unigram=args.unigram) if trainable(r)]
    spec = chosen.get("spec") or {}
    layer = int(spec["hidden"][1]) if spec.get("hidden") else None
    if spec.get("hidden") and spec["hidden"][0] != "mean":
        sys.exit(f"the shipped head reads token-mean states only, not {spec['hidden'][0]!r}")
    if spec.get("mlp") or spec.get("embed"):
        sys.exit("only a logistic head on SmolLM2's own states ships (no MLP, no second model)")
    if chosen["recipe"] not in {"C", "CU@tok", "H"}:
        sys.exit(f"recipe {chosen['recipe']!r} has no production path in this script")
    statistics = list(spec.get("stats") or STATISTICS)
    if set(statistics) - set(STATISTICS):
        missing = sum(not r.get("has_tokens") for r in rows)
        rows = [r for r in rows if r.get("has_tokens")]
        print(f"{missing} trainable texts lack token arrays (unigram statistics): left out")
    target_fpr, by_source = TARGET[chosen["threshold"]]
    feats = [dict(r["features"]) for r in rows]
    labels = [int(r["label"]) for r in rows]
    pooled = np.stack([r["hidden"][("mean", layer)] for r in rows]) if layer is not None else None
    weights = fit_weights(
        feats,
        labels,
        target_fpr=target_fpr,
        model="smollm2-135m",
        window=512,
        statistics=statistics,
        fallback_statistics=STATISTICS,
        pooled=pooled,
        head_layer=layer,
        head_c=float(spec.get("C", 0.05)),
        groups=[r["domain_group"] for r in rows] if by_source else None,
    )
    if weights.hidden is not None and pooled is not None:
        for f, h in zip(feats, pooled, strict=True):
            f[HIDDEN_FEATURE] = weights.hidden.value(h)
    scores = score_features(weights, feats)
    weights.info = {
        "n_human": labels.count(0),
        "n_machine": labels.count(1),
        "max_tokens": 256,
        "target_fpr": target_fpr,
        "nonnegative": True,
        "ridge_c": 1.0,
        "fusion": "statistics",
        "statistics": statistics,
        "head": None if layer is None else {"layer": layer, "c": float(spec.get("C", 0.05))},
        "threshold_by_source": by_source,
        "threshold_rule": chosen["threshold"],
        "train_metrics": {k: summary_metrics(v, labels) for k, v in scores.items()},
        "data": "fit half of the chat-era sample and the fast-detect-gpt subset (docs/text.md, "
        "round 2; scripts/text/ship_round2.py)",
    }
    weights.save(args.out)
    print(
        f"wrote {args.out}: {len(rows)} texts, recipe {chosen['recipe']}, threshold "
        f"{chosen['threshold']} = {weights.fuser.thresholds[1]:.4f}"
    )
    print(f"in-sample fused ROC-AUC {weights.info['train_metrics']['fused']['roc_auc']:.4f}")
    if args.write_jsonl:
        args.write_jsonl.mkdir(parents=True, exist_ok=True)
        files: dict[str, list[str]] = {}
        for r in rows:
            name = f"{'machine' if r['label'] else 'human'}-{r['set']}-{r['domain_group']}.jsonl"
            files.setdefault(name, []).append(json.dumps({"id": r["id"], "text": r["text"]}))
        for name, lines in files.items():
            (args.write_jsonl / name).write_text("\n".join(lines) + "\n")
        print(f"wrote {len(files)} JSONL files to {args.write_jsonl}")


if __name__ == "__main__":
    main()
