"""Per-generator ROC-AUC of each image detector and of the fused verdict on the held-out set.

One Scanner pass (the engine behind ``fakescope evaluate``) over ``EVAL/real`` and every
``EVAL/fake_*`` folder; prints a table and writes it as JSON.

Example
-------
    python scripts/image/eval_heldout.py --eval /work/data/image/eval --json heldout.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from fakescope.core.metrics import equal_error_rate, roc_auc
from fakescope.core.pipeline import Scanner
from fakescope.core.registry import get_fuser

DETECTORS = ["backbone-probe", "spectrum", "residual-cnn", "metadata"]
#: "fused" is the default verdict (backbone-probe + metadata); "fused-all" the verdict with the
#: opt-in spectrum and residual-cnn added (the fusion variant fitted for them).
DEFAULT = ("backbone-probe", "metadata")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--eval", type=Path, default=Path("/work/data/image/eval"))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    scanner = Scanner(detectors=DETECTORS, batch_size=32)
    fuser = get_fuser("image")
    sets = ["real"] + sorted(p.name for p in args.eval.glob("fake_*") if p.is_dir())
    sets = [s for s in sets if any((args.eval / s).iterdir())]
    scores: dict[str, dict[str, list[float]]] = {}
    names = ["fused", "fused-all", *DETECTORS]
    for name in sets:
        per: dict[str, list[float]] = {d: [] for d in names}
        for r in scanner.scan([str(args.eval / name)]):
            if r.error is not None or r.score is None:
                continue
            per["fused"].append(fuser.fuse([e for e in r.evidence if e.detector in DEFAULT]))
            per["fused-all"].append(r.score)
            for d in DETECTORS:
                per[d].append(r.detector_scores.get(d, np.nan))
        scores[name] = per
        print(f"scored {name}: {len(per['fused'])} images", flush=True)
    table = {}
    fakes = [s for s in sets if s != "real"]
    groups = {f: [f] for f in fakes}
    groups["all fakes"] = fakes
    for label, members in groups.items():
        row = {}
        for d in names:
            real = np.array(scores["real"][d])
            fake = np.concatenate([np.array(scores[m][d]) for m in members])
            y = np.r_[np.zeros(len(real)), np.ones(len(fake))]
            s = np.r_[real, fake]
            row[d] = {"roc_auc": float(roc_auc(y, s)), "eer": float(equal_error_rate(y, s)[0])}
        row["n_real"], row["n_fake"] = len(scores["real"]["fused"]), int(len(fake))
        table[label] = row
        print(f"{label:16s} n={row['n_real']}/{row['n_fake']}  " + "  ".join(
            f"{d} AUC {row[d]['roc_auc']:.3f}" for d in names))  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(table, indent=2) + "\n")


if __name__ == "__main__":
    main()
