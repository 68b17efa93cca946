"""Score a real folder against fake folders with an anomaly model; print ROC-AUC per family.

Usage
-----
    .venv/bin/python scripts/anomaly/evaluate.py MODEL.pt --real /work/data/image/real/test \
        --fake /work/data/anomaly/eval/fake_upsample --fake /work/data/anomaly/eval/fake_gan
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from fakescope.anomaly.dataset import list_images, read_rgb
from fakescope.anomaly.scoring import AnomalyModel
from fakescope.core.metrics import roc_auc


def score_folder(
    model: AnomalyModel, folder: Path, limit: int | None = None
) -> tuple[np.ndarray, float]:
    files = list_images(folder)[:limit]
    images = [read_rgb(f) for f in files]
    start = time.perf_counter()
    scores = np.array(
        [[s.raw["critic"], s.raw["izif"], s.raw["joint"]] for s in model.score_images(images)]
    )
    return scores, (time.perf_counter() - start) / max(len(images), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model", type=Path)
    ap.add_argument("--real", type=Path, required=True)
    ap.add_argument("--fake", type=Path, action="append", required=True)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = AnomalyModel.load(args.model)
    real, t_real = score_folder(model, args.real, args.limit)
    out = {"real_n": len(real), "ms_per_image": 1000 * t_real, "families": {}}
    print(f"real: n={len(real)}  {1000 * t_real:.1f} ms/image")
    for folder in args.fake:
        fake, _ = score_folder(model, folder, args.limit)
        labels = np.r_[np.zeros(len(real)), np.ones(len(fake))]
        auc = [roc_auc(labels, np.r_[real[:, i], fake[:, i]]) for i in (0, 1, 2)]
        name = f"{folder.parent.parent.name}/{folder.name}"
        out["families"][name] = {
            "n": len(fake),
            "auc_critic": auc[0],
            "auc_izif": auc[1],
            "auc_joint": auc[2],
        }
        print(
            f"{name}: n={len(fake)}  AUC critic {auc[0]:.3f}  izif {auc[1]:.3f}  joint {auc[2]:.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
