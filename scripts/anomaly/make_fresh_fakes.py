"""Build two more held-out fake families, made after the anomaly model's settings were chosen.

Usage
-----
    .venv/bin/python scripts/anomaly/make_fresh_fakes.py \
        --train /work/data/image/real/train --test /work/data/image/real/test \
        --out /work/data/anomaly/fresh --steps 600

Writes PNGs to OUT/fake_espcn and OUT/fake_denoise (one per real test image); with
``--grain-only``, only OUT/fake_grain:

- fake_espcn: ESPCN super-resolution (Shi et al. 2016: convolutions in low resolution, then a
  pixel shuffle), one network for x2 and one for x4, trained with an L1 loss on the real train
  crops; each test crop is box-down-scaled and super-resolved back to its size.
- fake_denoise: a DnCNN-style residual denoiser (Zhang et al. 2017) trained on the real train
  crops with Gaussian noise of sigma 10-40; each test crop gets noise of sigma 15, 25 or 35 and
  is denoised (a stand-in for img2img and the last steps of a diffusion sampler, which also
  replace sensor noise by a learned, smoother texture).

- fake_grain: each test crop box-down-scaled x2 and bicubic up-scaled (a smoothing generator),
  then film grain synthesised as AV1 does it: Gaussian noise through an auto-regressive filter
  (separable AR(1), coefficient 0.3-0.6, here in both directions) with a luminance-dependent
  strength, chroma grain at half strength. The grain replaces the lost sensor noise with a
  synthetic one.

These families were built to confirm a setting (16-px patches) chosen before anyone scored them;
see docs/anomaly.md. None of them is used to train or calibrate the anomaly model.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))
from make_fakes import fake_maker_parser, load_train_test, random_crops  # noqa: E402


def to_tensor(images: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(images.astype(np.float32).transpose(0, 3, 1, 2) / 127.5 - 1)


def to_uint8(x: torch.Tensor) -> np.ndarray:
    return ((x.numpy().transpose(1, 2, 0) + 1) * 127.5).clip(0, 255).round().astype(np.uint8)


def box_down(img: np.ndarray, factor: int) -> np.ndarray:
    h, w = img.shape[:2]
    return np.asarray(Image.fromarray(img).resize((w // factor, h // factor), Image.BOX))


class ESPCN(nn.Module):
    def __init__(self, factor: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 64, 5, 1, 2),
            nn.Tanh(),
            nn.Conv2d(64, 32, 3, 1, 1),
            nn.Tanh(),
            nn.Conv2d(32, 3 * factor * factor, 3, 1, 1),
            nn.PixelShuffle(factor),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class DnCNN(nn.Module):
    def __init__(self, depth: int = 8, width: int = 48) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(3, width, 3, 1, 1), nn.ReLU(True)]
        for _ in range(depth - 2):
            layers += [nn.Conv2d(width, width, 3, 1, 1), nn.BatchNorm2d(width), nn.ReLU(True)]
        layers.append(nn.Conv2d(width, 3, 3, 1, 1))
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x - self.body(x)  # the network predicts the noise


def train_espcn(train: list[np.ndarray], factor: int, steps: int, seed: int) -> ESPCN:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = ESPCN(factor)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    for _ in range(steps):
        hr = random_crops(train, 16, 16 * factor, rng)
        lr = np.stack([box_down(c, factor) for c in hr])
        loss = (net(to_tensor(lr)) - to_tensor(hr)).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"espcn x{factor}: {steps} steps, last L1 {float(loss.detach()):.4f}", flush=True)
    return net.eval()


def train_denoiser(train: list[np.ndarray], steps: int, seed: int) -> DnCNN:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = DnCNN()
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    for _ in range(steps):
        clean = to_tensor(random_crops(train, 16, 48, rng))
        sigma = torch.from_numpy(rng.uniform(10, 40, (16, 1, 1, 1)).astype(np.float32)) / 127.5
        noisy = clean + sigma * torch.randn_like(clean)
        loss = ((net(noisy) - clean) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"denoiser: {steps} steps, last MSE {float(loss.detach()):.5f}", flush=True)
    return net.eval()


def add_film_grain(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """AV1-style synthetic grain: AR-filtered Gaussian noise scaled by a function of luma."""
    from scipy.signal import lfilter

    h, w = img.shape[:2]
    rho = rng.uniform(0.3, 0.6)
    base, slope = rng.uniform(2.0, 4.0), rng.uniform(-1.5, 3.0)
    luma = img.astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    strength = np.clip(base + slope * luma / 255.0, 0.5, None)
    out = img.astype(np.float64)
    chroma = [1.0, 0.5, 0.5]  # grain is added in YCbCr: luma full, chroma half
    grains = []
    for _ in range(3):
        g = lfilter([1.0], [1.0, -rho], rng.standard_normal((h, w)), axis=1)
        g = lfilter([1.0], [1.0, -rho], g, axis=0)
        grains.append(g / g.std())
    y, cb, cr = (strength * c * g for c, g in zip(chroma, grains, strict=True))
    out[..., 0] += y + 1.402 * cr
    out[..., 1] += y - 0.344 * cb - 0.714 * cr
    out[..., 2] += y + 1.772 * cb
    return out.clip(0, 255).round().astype(np.uint8)


def make_grain(test: list[tuple[str, np.ndarray]], out: Path, seed: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed + 30)
    for name, img in test:
        h, w = img.shape[:2]
        smooth = Image.fromarray(box_down(img, 2)).resize((w, h), Image.BICUBIC)
        grainy = add_film_grain(np.asarray(smooth), rng)
        Image.fromarray(grainy).save(out / f"{name}__grain.png")


def main() -> None:
    ap = fake_maker_parser(__doc__)
    ap.add_argument("--steps", type=int, default=600, help="training steps per network")
    ap.add_argument("--grain-only", action="store_true", help="build only fake_grain")
    args = ap.parse_args()
    train, test = load_train_test(args)
    start = time.time()
    if args.grain_only:
        make_grain(test, args.out / "fake_grain", args.seed)
        print(f"done in {time.time() - start:.0f} s", flush=True)
        return

    espcn = {f: train_espcn(train, f, args.steps, args.seed + f) for f in (2, 4)}
    out = args.out / "fake_espcn"
    out.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        for i, (name, img) in enumerate(test):
            factor = (2, 4)[i % 2]
            y = espcn[factor](to_tensor(box_down(img, factor)[None]))[0]
            Image.fromarray(to_uint8(y)).save(out / f"{name}__espcn{factor}.png")

    denoiser = train_denoiser(train, args.steps, args.seed + 10)
    out = args.out / "fake_denoise"
    out.mkdir(parents=True, exist_ok=True)
    noise_rng = torch.Generator().manual_seed(args.seed + 20)
    with torch.no_grad():
        for i, (name, img) in enumerate(test):
            sigma = (15, 25, 35)[i % 3]
            x = to_tensor(img[None])
            noisy = x + sigma / 127.5 * torch.randn(x.shape, generator=noise_rng)
            Image.fromarray(to_uint8(denoiser(noisy)[0])).save(out / f"{name}__dn{sigma}.png")
    print(f"done in {time.time() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
