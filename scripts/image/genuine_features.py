"""Cache backbone features and detector scores of the shared genuine-generator image set.

Reads ``../shared/datasets/images`` (``real/`` and ``fake/``; 653 crops of 18 generator families,
418 camera crops of 8 sources) in the order of :func:`fakescope.image.genuine.read_genuine` and
writes, per view, one ``.npz`` under ``--out`` (the same cache ``fakescope train image --genuine
DIR --cache OUT`` reads):

- ``clean``: the stored pixels;  ``jpeg90``: JPEG q90 (4:2:0) of them (both classes alike);
- ``aug0`` ... ``aug{K-1}``: random web-style views (:func:`fakescope.image.augment.web_launder`,
  the same chain for both classes), used for training only.

Each file holds ``mobilenet`` (N x 2192 pooled MobileNetV2 features) and, for the clean and
jpeg90 views, the ``spectrum``, ``residual-cnn`` (and with ``--anomaly`` the ``anomaly``) scores
of the detectors as installed. ``index.tsv`` lists label and group of each row. A rerun skips
what is cached.

    python scripts/image/genuine_features.py --data ../shared/datasets/images \
        --out /work/data/image/genuine --aug 4 --anomaly
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from fakescope.image.genuine import (
    EVAL_VIEWS,
    backbone_features,
    detector_scores,
    make_view,
    read_genuine,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="../shared/datasets/images")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--aug", type=int, default=4, help="number of random training views")
    ap.add_argument("--anomaly", action="store_true", help="also score the opt-in anomaly model")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    import torch

    from fakescope.core.plugins import load_plugins
    from fakescope.core.registry import create_detector
    from fakescope.image.backbone import MobileNetFeatures

    torch.set_num_threads(args.threads)
    load_plugins()
    args.out.mkdir(parents=True, exist_ok=True)
    images, labels, groups = read_genuine(args.data)
    with open(args.out / "index.tsv", "w") as f:
        f.write("label\tgroup\n")
        for y, g in zip(labels, groups, strict=True):
            f.write(f"{'fake' if y else 'real'}\t{g.split('/', 1)[1]}\n")
    net = MobileNetFeatures()
    names = ["spectrum", "residual-cnn"] + (["anomaly"] if args.anomaly else [])
    detectors = {}
    for view in list(EVAL_VIEWS) + [f"aug{k}" for k in range(args.aug)]:
        path = args.out / f"{view}.npz"
        cached = dict(np.load(path)) if path.exists() else {}
        t0 = time.time()
        pixels = make_view(images, view)
        if "mobilenet" not in cached:
            cached["mobilenet"] = backbone_features(net, pixels)
            np.savez(path, **cached)
        if view in EVAL_VIEWS:
            for name in names:
                if name not in cached:
                    detectors.setdefault(name, create_detector(name))
                    cached[name] = detector_scores(detectors[name], pixels)
                    np.savez(path, **cached)
        print(f"{view}: {sorted(cached)} in {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
