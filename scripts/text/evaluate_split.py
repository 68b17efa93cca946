"""Run `fakescope evaluate` per generator on the held-out split and summarise.

Usage::

    .venv/bin/python scripts/text/evaluate_split.py --split /work/data/text/split \\
        --out /work/data/text/eval [--detector lm-likelihood] [--extra gemma=FILE.jsonl]

Each generator is evaluated with exactly::

    FAKESCOPE_TEXT_MAX_TOKENS=200 FAKESCOPE_TEXT_CACHE_DIR=/work/data/text/cache \\
    fakescope evaluate --real split/test/human_<g>.jsonl --fake split/test/machine_<g>.jsonl --json

(first 200 tokens; the cache only avoids recomputing windows already scored). ``--extra
NAME=FILE`` adds machine text from a generator outside ../shared, evaluated against all
held-out human texts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

FAKESCOPE = str(Path(sys.executable).parent / "fakescope")


def run(real: list[Path], fake: list[Path], detector: str | None, env: dict) -> dict:
    cmd = [FAKESCOPE, "evaluate"]
    for r in real:
        cmd += ["--real", str(r)]
    for f in fake:
        cmd += ["--fake", str(f)]
    cmd.append("--json")
    if detector:
        cmd += ["--detector", detector]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out[out.index("{") :])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--split", type=Path, default=Path("/work/data/text/split"))
    ap.add_argument("--out", type=Path, default=Path("/work/data/text/eval"))
    ap.add_argument("--cache", type=Path, default=Path("/work/data/text/cache"))
    ap.add_argument("--detector", default=None)
    ap.add_argument("--extra", action="append", default=[], help="NAME=machine.jsonl")
    args = ap.parse_args()
    env = dict(
        os.environ,
        FAKESCOPE_TEXT_MAX_TOKENS="200",
        FAKESCOPE_TEXT_CACHE_DIR=str(args.cache),
        OMP_NUM_THREADS="1",
    )
    args.out.mkdir(parents=True, exist_ok=True)
    test = args.split / "test"
    jobs = {}
    for fake in sorted(test.glob("machine_*.jsonl")):
        g = fake.stem.removeprefix("machine_")
        jobs[g] = ([test / f"human_{g}.jsonl"], [fake])
    all_humans = sorted(test.glob("human_*.jsonl"))
    for item in args.extra:
        name, path = item.split("=", 1)
        jobs[name] = (all_humans, [Path(path)])
    rows = {}
    tag = args.detector or "fused"
    for g, (real, fake) in jobs.items():
        res = run(real, fake, args.detector, env)
        (args.out / f"{tag}_{g}.json").write_text(json.dumps(res, indent=1))
        rows[g] = res
        print(
            f"{g:22s} AUC {res['roc_auc']:.3f}  AP {res['average_precision']:.3f}  "
            f"EER {res['eer']:.3f}  TPR@1%FPR {res['tpr_at_1pct_fpr']:.3f}  "
            f"n_real {res['n_real']} n_fake {res['n_fake']}",
            flush=True,
        )
    shared = [r for g, r in rows.items() if (test / f"machine_{g}.jsonl").exists()]
    if shared:
        print(
            f"{'mean (../shared)':22s} AUC {np.mean([r['roc_auc'] for r in shared]):.3f}  "
            f"AP {np.mean([r['average_precision'] for r in shared]):.3f}  "
            f"EER {np.mean([r['eer'] for r in shared]):.3f}  "
            f"TPR@1%FPR {np.mean([r['tpr_at_1pct_fpr'] for r in shared]):.3f}"
        )


if __name__ == "__main__":
    main()
