"""Adversarially fine-tune an existing residual CNN (default: the shipped one) and write a full
image weights folder (use it with ``FAKESCOPE_IMAGE_WEIGHTS=OUT``).

The same hardening as ``fakescope train image --adversarial`` (:func:`fakescope.robustness.
adversarial.harden_image_cnn`: PGD eps 2/255, 3 steps, half of each batch, extra laundering,
6 epochs), on the same data pipeline (real patches split by source, simulated decoder and
self-blend fakes, laundering), but starting from trained weights instead of retraining from
scratch: the "before" of the before/after table is then exactly the detector users have. The CNN
is re-calibrated (Platt) and the image fusion refitted on the validation split; ``spectrum.npz``
is copied unchanged. Writes ``training_report.json`` with the validation robustness before/after.

Usage::

    .venv/bin/python scripts/robustness/harden_image.py \\
        --real /work/data/robustness/image/real/train \\
        --out /work/data/robustness/weights/image-hardened
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np
import torch


def main() -> None:
    from fakescope.core.evidence import Evidence
    from fakescope.core.fusion import LogisticFuser
    from fakescope.image import weights_dir
    from fakescope.image.classifier import FeatureClassifier
    from fakescope.image.fusion import ImageFuser
    from fakescope.image.residual_cnn import load_model, pool_logits, save_model
    from fakescope.image.simulate import DecoderBank, launder
    from fakescope.image.spectrum_features import spectrum_features
    from fakescope.image.training_data import (
        CROP,
        load_real_patches,
        make_fake,
        random_crop,
        split_by_source,
    )
    from fakescope.robustness.adversarial import (
        AdversarialTraining,
        centre_batches,
        harden_image_cnn,
    )

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", type=Path, required=True, help="real training patches")
    ap.add_argument("--weights", type=Path, default=None, help="start from (default: shipped)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--eps", type=float, default=2 / 255)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.time()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    src = args.weights or weights_dir()
    args.out.mkdir(parents=True, exist_ok=True)

    images, keys = load_real_patches(args.real)
    tr, va = split_by_source(keys, 0.15, args.seed)
    train_imgs, val_imgs = [images[i] for i in tr], [images[i] for i in va]
    print(f"{len(train_imgs)} training and {len(val_imgs)} validation patches", flush=True)
    bank = DecoderBank(n_decoders=24, train_steps=60, seed=args.seed).fit(train_imgs)
    vrng = np.random.default_rng(args.seed + 1)
    val_set = []
    for img in val_imgs:
        val_set.append((launder(img, vrng, p=0.5), 0))
        val_set.append((launder(make_fake(bank, img, vrng)[0], vrng, p=0.5), 1))

    model, _info = load_model(src / "residual_cnn.npz")
    model = model.to(memory_format=torch.channels_last)
    adv = AdversarialTraining(eps=args.eps, steps=args.steps, epochs=args.epochs)

    def to_tensor(batch):
        t = torch.from_numpy(np.stack(batch)).permute(0, 3, 1, 2).float() / 255.0
        return t.contiguous(memory_format=torch.channels_last)

    def draw_batch():
        fake = rng.random(32) < 0.5
        imgs = [
            make_fake(bank, train_imgs[i], rng)[0] if f else train_imgs[i]
            for i, f in zip(rng.integers(0, len(train_imgs), 32), fake, strict=True)
        ]
        batch = [random_crop(adv.launder(launder(im, rng), rng), CROP, rng) for im in imgs]
        return to_tensor(batch), torch.from_numpy(fake.astype(np.float32))

    def forward(x):
        return pool_logits(model(x))

    steps_per_epoch = max(1, (2 * len(train_imgs)) // 32)
    report = harden_image_cnn(
        model, forward, draw_batch, val_set, steps_per_epoch, adv, lambda m: print(m, flush=True)
    )
    model.eval()
    from sklearn.linear_model import LogisticRegression

    batches = centre_batches(val_set)
    with torch.no_grad():
        z = torch.cat([forward(x) for x, _ in batches]).numpy()
    yv = np.concatenate([y.numpy() for _, y in batches]).astype(int)
    platt = LogisticRegression(C=10.0).fit(z[:, None], yv)
    scale, bias = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    save_model(model, args.out / "residual_cnn.npz", {"scale": scale, "bias": bias})
    shutil.copyfile(src / "spectrum.npz", args.out / "spectrum.npz")
    spec = FeatureClassifier.load(args.out / "spectrum.npz")
    spec_val = spec.predict_proba(np.stack([spectrum_features(v[0]) for v in val_set]))
    cnn_val = 1 / (1 + np.exp(-(scale * z + bias)))
    y_val = [v[1] for v in val_set]
    # centre_batches keeps the order of val_set, so the two score lists align
    pixel = LogisticFuser.fit(
        {"spectrum": spec_val.tolist(), "residual-cnn": cnn_val.tolist()}, y_val, target_fpr=0.05
    )
    pixel.info = {"fitted_on": "validation split after adversarial fine-tuning"}
    ImageFuser(pixel, info={"trained_by": "scripts/robustness/harden_image.py"}).save(
        args.out / "fusion.json"
    )
    fused = [
        pixel.fuse([Evidence("spectrum", float(s), ""), Evidence("residual-cnn", float(c), "")])
        for s, c in zip(spec_val, cnn_val, strict=True)
    ]
    from fakescope.core.metrics import roc_auc

    summary = {
        "started_from": str(src),
        "real": str(args.real),
        "adversarial": report,
        "val_auc": {"residual-cnn": roc_auc(y_val, cnn_val), "fused": roc_auc(y_val, fused)},
        "seconds": round(time.time() - t0, 1),
    }
    (args.out / "training_report.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary["val_auc"]), f"{summary['seconds']} s; weights in {args.out}")


if __name__ == "__main__":
    main()
