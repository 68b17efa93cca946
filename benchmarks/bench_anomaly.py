"""f-AnoGAN vs a convolutional-autoencoder baseline, side by side on the same data.

Both are one-class models: trained on real images only, scored on held-out real images and on
fakes from generators neither model saw. Prints ROC-AUC per fake family and time per image,
with the f-AnoGAN / baseline ratios measured in the same run.

Usage
-----
    .venv/bin/python benchmarks/bench_anomaly.py            # shipped model, default data paths
    .venv/bin/python benchmarks/bench_anomaly.py --model OUT/anomaly.pt --limit 50

Data (outside the repository; see docs/anomaly.md): real crops split by source photo in
REAL_TRAIN / REAL_TEST, fake families in folders named ``fake_*``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from fakescope.anomaly.baseline import AutoencoderBaseline
from fakescope.anomaly.dataset import list_images, load_folder, read_rgb
from fakescope.anomaly.detector import DEFAULT_WEIGHTS, AnomalyDetector
from fakescope.core.media import Media
from fakescope.core.metrics import roc_auc

REAL_TRAIN = Path("/work/data/image/real/train")
REAL_TEST = Path("/work/data/image/real/test")
STATS = ("critic", "izif", "joint")
FAKE_ROOTS = (
    Path("/work/data/image/eval"),
    Path("/work/data/anomaly/eval"),
    Path("/work/data/anomaly/fresh"),
    Path("/work/data/anomaly/fresh2"),
)


def _images(folder: Path, limit: int | None) -> list[np.ndarray]:
    return [read_rgb(p) for p in list_images(folder)[:limit]]


def _timed(fn, images: list[np.ndarray]) -> tuple[np.ndarray, float]:  # noqa: ANN001
    """Scores and CPU seconds per image (CPU time: the machine is shared, wall time is noisy)."""
    start = time.process_time()
    scores = np.asarray(fn(images), dtype=np.float64)
    return scores, (time.process_time() - start) / max(len(images), 1)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--model", type=Path, default=DEFAULT_WEIGHTS)
    ap.add_argument("--real-train", type=Path, default=REAL_TRAIN)
    ap.add_argument("--real-test", type=Path, default=REAL_TEST)
    ap.add_argument(
        "--fake",
        type=Path,
        action="append",
        help="fake folder(s); default: fake_* under " + ", ".join(map(str, FAKE_ROOTS)),
    )
    ap.add_argument("--baseline-steps", type=int, default=1500)
    ap.add_argument("--limit", type=int, default=None, help="at most this many images per folder")
    ap.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = ap.parse_args()
    torch.set_num_threads(1)

    fakes = args.fake or sorted(
        d
        for root in FAKE_ROOTS
        if root.is_dir()
        for d in root.iterdir()
        if d.name.startswith("fake_")
    )
    missing = [p for p in (args.real_train, args.real_test, *fakes) if not p.is_dir()]
    if missing or not fakes:
        print(
            "bench_anomaly: skipped, data not found "
            f"({', '.join(map(str, missing)) or 'no fake_* folders'}); "
            "build it as described in docs/anomaly.md"
        )
        return 0

    detector = AnomalyDetector(args.model)
    model = detector.model
    cfg = model.config
    train_images, _ = load_folder(args.real_train, model.patch_size)
    start = time.process_time()
    baseline = AutoencoderBaseline(
        patch_size=model.patch_size,
        z_dim=int(cfg["z_dim"]),
        width=int(cfg["width"]),
        representation=cfg["representation"],
        steps=args.baseline_steps,
        top_fraction=float(cfg["top_fraction"]),
        max_patches=int(cfg["max_patches"]),
    ).fit(train_images)
    baseline_fit_s = time.process_time() - start

    def fanogan(images: list[np.ndarray]) -> np.ndarray:
        return np.array([[r.raw[k] for k in STATS] for r in model.score_images(images)])

    def fanogan_scan(images: list[np.ndarray]) -> list[float]:
        medias = [Media(f"{i}.png", "image", img) for i, img in enumerate(images)]
        return [e.score for e in detector.score_batch(medias)]

    real = _images(args.real_test, args.limit)
    real_f, t_f = _timed(fanogan, real)
    real_b, t_b = _timed(baseline.score_images, real)
    _, t_scan = _timed(fanogan_scan, real[:32])
    real_p = np.asarray([r.probability for r in model.score_images(real)])

    print(
        f"model {args.model}  ({cfg['representation']} patches {model.patch_size}px, "
        f"detector statistic: {cfg['statistic']})"
    )
    print(
        f"real test: {args.real_test} n={len(real)}; baseline trained {baseline_fit_s:.0f} CPU s "
        f"({args.baseline_steps} steps) on {len(train_images)} images from {args.real_train}"
    )
    print(
        "real images called likely synthetic (calibrated score >= 0.5): "
        f"{np.mean(real_p >= 0.5):.1%}"
    )
    print(
        "ROC-AUC, fakes vs held-out real. f-AnoGAN statistics: critic = -D(x), izif = the "
        "paper's residual score, joint = two-sided Mahalanobis of both; AE = autoencoder baseline"
    )
    print(
        f"{'family':<30}{'n':>5}"
        + "".join(f"{c:>8}" for c in (*STATS, "AE"))
        + f"{'det/AE':>9}{'flag>=.5':>10}"
    )
    results = {}
    all_f, all_b, all_labels = [real_f], [real_b], [np.zeros(len(real))]
    for folder in fakes:
        imgs = _images(folder, args.limit)
        sf, sb = fanogan(imgs), baseline.score_images(imgs)
        labels = np.r_[np.zeros(len(real)), np.ones(len(imgs))]
        aucs = [roc_auc(labels, np.r_[real_f[:, i], sf[:, i]]) for i in range(len(STATS))]
        auc_b = roc_auc(labels, np.r_[real_b, sb])
        flagged = float(np.mean([r.probability >= 0.5 for r in model.score_images(imgs)]))
        name = f"{folder.parent.parent.name}/{folder.parent.name}/{folder.name}"
        results[name] = {
            "n": len(imgs),
            **{f"auc_{k}": a for k, a in zip(STATS, aucs, strict=True)},
            "auc_autoencoder": auc_b,
            "flagged_at_0.5": flagged,
        }
        detector_auc = aucs[STATS.index(cfg["statistic"])]
        print(
            f"{name:<30}{len(imgs):>5}"
            + "".join(f"{a:>8.3f}" for a in (*aucs, auc_b))
            + f"{detector_auc / auc_b:>9.2f}{flagged:>10.1%}"
        )
        all_f.append(sf)
        all_b.append(sb)
        all_labels.append(np.ones(len(imgs)))
    labels = np.concatenate(all_labels)
    stacked = np.concatenate(all_f)
    all_aucs = [roc_auc(labels, stacked[:, i]) for i in range(len(STATS))]
    auc_b = roc_auc(labels, np.concatenate(all_b))
    print(
        f"{'all fakes':<30}{int(labels.sum()):>5}"
        + "".join(f"{a:>8.3f}" for a in (*all_aucs, auc_b))
        + f"{all_aucs[STATS.index(cfg['statistic'])] / auc_b:>9.2f}"
    )
    print(f"(ratio column: the detector's statistic, {cfg['statistic']}, over the autoencoder)")
    print(
        f"CPU time per 256x256 image (model only): f-AnoGAN {1000 * t_f:.1f} ms, "
        f"autoencoder {1000 * t_b:.1f} ms, ratio {t_f / t_b:.2f}; "
        f"full detector with heat maps {1000 * t_scan:.1f} ms (1 thread)"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "model": str(args.model),
                    "real_n": len(real),
                    "families": results,
                    "all": {
                        **{f"auc_{k}": a for k, a in zip(STATS, all_aucs, strict=True)},
                        "auc_autoencoder": auc_b,
                    },
                    "ms_per_image": {
                        "fanogan": 1000 * t_f,
                        "autoencoder": 1000 * t_b,
                        "detector": 1000 * t_scan,
                    },
                    "real_flagged_at_0.5": float(np.mean(real_p >= 0.5)),
                },
                indent=1,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
