"""Quality of a class-conditional generator trained on Fashion-MNIST (issue 14 must-show).

    python scripts/generate/quality.py --data /work/data/provenance/fashion \
        --model src/fakescope/generate_image/weights/fashion32.npz --out docs/img/generate

Measures, against the training images and with a small CNN classifier trained here on the real
TRAIN split (its accuracy on the real TEST split is printed as the reference):

- class accuracy: the share of generated samples that the classifier puts in the class they were
  asked for (a conditional GAN that ignores its class scores 10 %);
- Frechet distance (FD) between generated and real TRAIN images in the classifier's 128-d
  penultimate features ("FID" with a domain classifier instead of Inception, which is not
  installable offline); the real TEST split against TRAIN gives the floor, and a per-class
  Gaussian-blob baseline the ceiling;
- both at truncation 1.0 and 0.5 (the truncation trick trades variety for fidelity).

Also writes the samples grid and an interpolation grid as PNGs for docs/generate.md.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from scipy import linalg
from torch import nn


def load_split(root: Path, resolution: int = 32, limit: int | None = None):
    from fakescope.generate_image.data import load_class_folders

    ds = load_class_folders(root, resolution=resolution, max_per_class=limit)
    return ds.images, ds.labels, ds.class_names


class Classifier(nn.Module):
    def __init__(self, n_classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64 * 16, 128),
            nn.ReLU(),
        )
        self.head = nn.Linear(128, n_classes)

    def forward(self, x):
        return self.head(self.features(x))


def train_classifier(x, y, epochs: int, seed: int = 0) -> Classifier:
    torch.manual_seed(seed)
    model = Classifier(int(y.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for _ in range(epochs):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 128):
            idx = perm[i : i + 128]
            loss = nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


@torch.inference_mode()
def features_and_pred(model: Classifier, x: np.ndarray):
    feats, preds = [], []
    for i in range(0, len(x), 500):
        f = model.features(torch.from_numpy(x[i : i + 500]))
        feats.append(f.numpy())
        preds.append(model.head(f).argmax(1).numpy())
    return np.concatenate(feats).astype(np.float64), np.concatenate(preds)


def frechet(a: np.ndarray, b: np.ndarray) -> float:
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = linalg.sqrtm(s1 @ s2)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean.real))


def generate(g, cfg, n_per_class: int, truncation: float, seed: int = 10_000):
    from fakescope.generate_image.sampling import sample

    classes = [c for c in range(cfg.n_classes) for _ in range(n_per_class)]
    seeds = [seed + i for i in range(len(classes))]
    imgs = np.concatenate(
        [
            sample(g, cfg, classes[i : i + 500], seeds[i : i + 500], truncation)
            for i in range(0, len(classes), 500)
        ]
    )
    x = imgs.transpose(0, 3, 1, 2).astype(np.float32) / 127.5 - 1.0
    return x, np.asarray(classes)


def main() -> None:
    from fakescope.generate_image.sampling import enlarge, interpolation_grid, sample, tile
    from fakescope.generate_image.weights import load_generator

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="folder with train/ and test/")
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--per-class", type=int, default=500)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--train-per-class", type=int, default=3000, help="classifier training images")
    ap.add_argument(
        "--classifier-cache",
        type=Path,
        default=Path("/work/data/provenance/eval/fashion_classifier.npz"),
    )
    ap.add_argument("--classifier-only", action="store_true", help="train/cache it and stop")
    args = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    xtr, ytr, names = load_split(args.data / "train", limit=args.train_per_class)
    xte, yte, _ = load_split(args.data / "test")
    cache = args.classifier_cache
    if cache.is_file():
        clf = Classifier(len(names))
        with np.load(cache) as z:
            clf.load_state_dict({k: torch.from_numpy(z[k]) for k in z.files})
        clf.eval()
    else:
        clf = train_classifier(xtr, ytr, args.epochs)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, **{k: v.numpy() for k, v in clf.state_dict().items()})
    if args.classifier_only:
        _, p = features_and_pred(clf, xte)
        print(
            f"classifier test accuracy {(p == yte).mean():.4f} ({time.perf_counter() - t0:.0f} s)"
        )
        return
    g, cfg, info = load_generator(args.model)
    if names != cfg.class_names:
        raise SystemExit(f"class names differ: data {names} vs model {cfg.class_names}")
    rng = np.random.default_rng(0)
    ref_idx = rng.choice(len(xtr), 10 * args.per_class, replace=False)
    f_train, _ = features_and_pred(clf, xtr[ref_idx])
    f_test, p_test = features_and_pred(clf, xte)
    result = {
        "model": str(args.model),
        "steps": info.get("steps"),
        "train_seconds": info.get("train_seconds"),
        "classifier_test_accuracy": float((p_test == yte).mean()),
        "fd_real_test_vs_train": frechet(
            f_test[rng.choice(len(f_test), 10 * args.per_class, replace=False)], f_train
        ),
    }
    # Ceiling: per-class Gaussian blobs with the real class mean and per-pixel std.
    blobs, blob_y = [], []
    for c in range(cfg.n_classes):
        xc = xtr[ytr == c]
        blobs.append(
            np.clip(
                xc.mean(0) + xc.std(0) * rng.standard_normal((args.per_class, *xc.shape[1:])), -1, 1
            )
        )
        blob_y += [c] * args.per_class
    f_blob, p_blob = features_and_pred(clf, np.concatenate(blobs).astype(np.float32))
    result["baseline_blobs"] = {
        "class_accuracy": float((p_blob == np.asarray(blob_y)).mean()),
        "fd_vs_train": frechet(f_blob, f_train),
    }
    for t in (1.0, 0.5):
        xg, yg = generate(g, cfg, args.per_class, t)
        f_gen, p_gen = features_and_pred(clf, xg)
        per_class = {names[c]: float((p_gen[yg == c] == c).mean()) for c in range(cfg.n_classes)}
        seen_as = {
            names[c]: names[int(np.bincount(p_gen[yg == c], minlength=10).argmax())]
            for c in range(cfg.n_classes)
        }
        result[f"truncation_{t}"] = {
            "class_accuracy": float((p_gen == yg).mean()),
            "worst_class": min(per_class.items(), key=lambda kv: kv[1]),
            "per_class_accuracy": per_class,
            "mostly_classified_as": seen_as,
            "fd_vs_train": frechet(f_gen, f_train),
        }
    args.out.mkdir(parents=True, exist_ok=True)
    imgs = sample(
        g, cfg, [c for c in range(cfg.n_classes) for _ in range(10)], list(range(100)), 1.0
    )
    Image.fromarray(enlarge(tile(imgs, 10), 420)[..., 0]).save(args.out / "samples_t1.0.png")
    imgs = sample(
        g, cfg, [c for c in range(cfg.n_classes) for _ in range(10)], list(range(100)), 0.5
    )
    Image.fromarray(enlarge(tile(imgs, 10), 420)[..., 0]).save(args.out / "samples_t0.5.png")
    rows = interpolation_grid(g, cfg, "sneaker", "ankle_boot", seeds=(0, 1000), steps=8, rows=3)
    rows2 = interpolation_grid(g, cfg, "tshirt", "dress", seeds=(5, 1005), steps=8, rows=3)
    both = np.concatenate([rows, rows2]).reshape(-1, *rows.shape[2:])
    Image.fromarray(enlarge(tile(both, 8), 340)[..., 0]).save(args.out / "interpolation.png")
    real = np.concatenate(
        [((xtr[ytr == c][:10] + 1) * 127.5).round().astype(np.uint8) for c in range(10)]
    )
    Image.fromarray(enlarge(tile(real.transpose(0, 2, 3, 1), 10), 420)[..., 0]).save(
        args.out / "real_train.png"
    )
    result["seconds"] = round(time.perf_counter() - t0, 1)
    (args.out / "quality.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
