"""Build held-out fakes for the anomaly benchmark from generators the anomaly model never sees.

Usage
-----
    .venv/bin/python scripts/anomaly/make_fakes.py \
        --train /work/data/image/real/train --test /work/data/image/real/test \
        --out /work/data/anomaly/eval --decoder-steps 250

Writes PNGs to OUT/fake_upsample and OUT/fake_decoder (one per real test image):

- fake_upsample: each test crop down-scaled (area) by 2, 3 or 4 and up-scaled back with
  bilinear, bicubic, nearest or Lanczos interpolation (the up-sampling step of many generators).
- fake_decoder: a small convolutional autoencoder (x4 down-sampling to an 8-channel latent,
  like a latent-diffusion VAE) trained briefly on train crops, round-tripping the test crops.

The anomaly model trains on real images only; none of these generators or outputs is used
in its training or calibration. (GAN fakes come from scripts/image/train_heldout_gan.py: a
DCGAN trained here for two CPU minutes produced only noise, so this script makes none.)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

UPSAMPLERS = [Image.BILINEAR, Image.BICUBIC, Image.NEAREST, Image.LANCZOS]


def load_dir(folder: Path) -> list[tuple[str, np.ndarray]]:
    out = []
    for p in sorted(folder.glob("*.png")) + sorted(folder.glob("*.jpg")):
        out.append((p.stem, np.asarray(Image.open(p).convert("RGB"))))
    return out


def make_upsample(test: list[tuple[str, np.ndarray]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for i, (name, img) in enumerate(test):
        factor = (2, 3, 4)[i % 3]
        method = UPSAMPLERS[i % 4]
        h, w = img.shape[:2]
        small = Image.fromarray(img).resize((w // factor, h // factor), Image.BOX)
        small.resize((w, h), method).save(out / f"{name}__up{factor}_{method}.png")


def random_crops(
    images: list[np.ndarray], n: int, size: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` random ``size`` x ``size`` crops, uint8 (n, size, size, 3)."""
    batch = np.empty((n, size, size, 3), np.uint8)
    for i in range(n):
        img = images[rng.integers(len(images))]
        y = rng.integers(0, img.shape[0] - size + 1)
        x = rng.integers(0, img.shape[1] - size + 1)
        batch[i] = img[y : y + size, x : x + size]
    return batch


def crops(images: list[np.ndarray], n: int, size: int, rng: np.random.Generator) -> torch.Tensor:
    batch = random_crops(images, n, size, rng).astype(np.float32)
    return torch.from_numpy(batch.transpose(0, 3, 1, 2) / 127.5 - 1)


def make_decoder(
    train: list[np.ndarray],
    test: list[tuple[str, np.ndarray]],
    out: Path,
    steps: int,
    seed: int,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed + 1)
    enc = nn.Sequential(
        nn.Conv2d(3, 64, 3, 1, 1),
        nn.ReLU(True),
        nn.Conv2d(64, 64, 4, 2, 1),
        nn.ReLU(True),
        nn.Conv2d(64, 64, 4, 2, 1),
        nn.ReLU(True),
        nn.Conv2d(64, 8, 3, 1, 1),
    )
    dec = nn.Sequential(
        nn.Conv2d(8, 64, 3, 1, 1),
        nn.ReLU(True),
        nn.ConvTranspose2d(64, 64, 4, 2, 1),
        nn.ReLU(True),
        nn.ConvTranspose2d(64, 64, 4, 2, 1),
        nn.ReLU(True),
        nn.Conv2d(64, 3, 3, 1, 1),
        nn.Tanh(),
    )
    opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], 1e-3)
    start, step = time.time(), 0
    while step < steps:
        x = crops(train, 16, 64, rng)
        loss = ((dec(enc(x)) - x) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    print(
        f"decoder: {step} steps in {time.time() - start:.0f} s, last MSE {float(loss.detach()):.4f}"
    )
    with torch.no_grad():
        for name, img in test:
            x = torch.from_numpy(img.astype(np.float32).transpose(2, 0, 1)[None] / 127.5 - 1)
            y = dec(enc(x))[0].numpy().transpose(1, 2, 0)
            arr = ((y + 1) * 127.5).clip(0, 255).round().astype(np.uint8)
            Image.fromarray(arr).save(out / f"{name}__decoded.png")


def fake_maker_parser(doc: str | None) -> argparse.ArgumentParser:
    """The options every held-out fake builder shares (train/test folders, output, seed)."""
    ap = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--train", type=Path, required=True)
    ap.add_argument("--test", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    return ap


def load_train_test(
    args: argparse.Namespace,
) -> tuple[list[np.ndarray], list[tuple[str, np.ndarray]]]:
    """Read the real train crops and the named test crops (one torch thread: a shared machine)."""
    torch.set_num_threads(1)
    train = [img for _, img in load_dir(args.train)]
    test = load_dir(args.test)
    print(f"{len(train)} train images, {len(test)} test images", flush=True)
    return train, test


def main() -> None:
    ap = fake_maker_parser(__doc__)
    ap.add_argument("--decoder-steps", type=int, default=250, help="autoencoder training steps")
    args = ap.parse_args()
    train, test = load_train_test(args)
    make_upsample(test, args.out / "fake_upsample")
    make_decoder(train, test, args.out / "fake_decoder", args.decoder_steps, args.seed)


if __name__ == "__main__":
    main()
