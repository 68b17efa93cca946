"""Cache backbone features and detector scores of the shared genuine-generator image set.

Reads ``../shared/datasets/images`` (``real/`` and ``fake/``; 653 crops of 18 generator families,
418 camera crops of 8 sources) in the order of :func:`fakescope.image.genuine.read_genuine` and
writes, per view, one ``.npz`` under ``--out`` (the same cache ``fakescope train image --genuine
DIR --cache OUT`` reads):

- ``clean``: the stored pixels;  ``jpeg90``: JPEG q90 (4:2:0) of them (both classes alike);
- ``aug0`` ... ``aug{K-1}``: random web-style views (:func:`fakescope.image.augment.web_launder`,
  the same chain for both classes), used for training only.

Each file holds ``mobilenet`` (N x 2192 pooled MobileNetV2 features), with
``--spectrum-features`` the 102 ``spectrum`` features, and, for the clean and
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
from lowlevel_features import lowlevel_features

from fakescope.image.genuine import (
    EVAL_VIEWS,
    backbone_features,
    detector_scores,
    make_view,
    read_extra_real,
    read_genuine,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="../shared/datasets/images")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--aug", type=int, default=4, help="number of random training views")
    ap.add_argument("--anomaly", action="store_true", help="also score the opt-in anomaly model")
    ap.add_argument(
        "--spectrum-features",
        action="store_true",
        help="also cache the 102 spectrum features of every view (a probe candidate)",
    )
    ap.add_argument(
        "--lowlevel",
        action="store_true",
        help="also cache the 57 pixel-relation (NPR-style) features of every view",
    )
    ap.add_argument(
        "--extra-real",
        type=Path,
        help="folder of extra real photos (e.g. build_real_corpus.py output) cached "
        "under OUT/extra_real/ (training views only)",
    )
    ap.add_argument(
        "--extra-sim-fake",
        action="store_true",
        help="with --extra-real: also cache simulated fakes (AutoGAN-style decoders of "
        "fakescope.image.simulate, one per extra real photo) under OUT/extra_fake/",
    )
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
        if args.lowlevel and "lowlevel" not in cached:
            cached["lowlevel"] = np.stack([lowlevel_features(x) for x in pixels])
            np.savez(path, **cached)
        if args.spectrum_features and "spectrum_features" not in cached:
            from fakescope.image.spectrum_features import spectrum_features

            cached["spectrum_features"] = np.stack([spectrum_features(x) for x in pixels])
            np.savez(path, **cached)
        if view in EVAL_VIEWS:
            for name in names:
                if name not in cached:
                    detectors.setdefault(name, create_detector(name))
                    cached[name] = detector_scores(detectors[name], pixels)
                    np.savez(path, **cached)
        print(f"{view}: {sorted(cached)} in {time.time() - t0:.0f} s", flush=True)
    if args.extra_real:
        extra_views(args, net, read_extra_real(args.extra_real), "extra_real")
    if args.extra_real and args.extra_sim_fake:
        from fakescope.image.simulate import DecoderBank

        reals = read_extra_real(args.extra_real)
        rng = np.random.default_rng(190)
        bank = DecoderBank(n_decoders=24, train_steps=60, seed=19).fit(reals[::4])
        fakes = [bank.apply(x, rng) for x in reals]
        extra_views(args, net, fakes, "extra_fake")


def extra_views(args: argparse.Namespace, net, images: list[np.ndarray], name: str) -> None:
    out = args.out / name
    out.mkdir(exist_ok=True)
    for k in range(args.aug):
        path = out / f"aug{k}.npz"
        cached = dict(np.load(path)) if path.exists() else {}
        pixels = make_view(images, f"aug{k}")
        if "mobilenet" not in cached:
            cached["mobilenet"] = backbone_features(net, pixels)
        if args.lowlevel and "lowlevel" not in cached:
            cached["lowlevel"] = np.stack([lowlevel_features(x) for x in pixels])
        np.savez(path, **cached)
        print(f"{name} aug{k}: {len(images)} images {sorted(cached)}", flush=True)


if __name__ == "__main__":
    main()
