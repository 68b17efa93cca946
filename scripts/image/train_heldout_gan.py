"""Make the HELD-OUT image evaluation set: generators the image detectors never saw in training.

Writes 256x256 PNGs to ``OUT/``:

- ``real/``           held-out real photo patches (the test split of build_real_corpus.py,
                      whose source photos never appear in training);
- ``fake_gan/``       outputs of a small SRGAN-style generator (Ledig et al. 2017) trained here
                      adversarially (hinge loss, spectral-norm patch discriminator, plus L1) on the
                      TRAIN patches to turn a 4x smaller image into a full-size one; it is applied
                      to the held-out patches shrunk by 4, so its outputs are as varied as photos;
- ``fake_dcgan/``     samples of an unconditional DCGAN (Radford et al. 2016) at 64x64 on the train
                      patches followed by a learnt x4 super-resolution stage. On this little data
                      and CPU time it collapses to a few textures (the script prints a diversity
                      number), so it is reported separately;
- ``fake_upsample/``  the held-out real patches shrunk by 2, 3 or 4 and up-sampled back with
                      bicubic or Lanczos interpolation (half of them then sharpened with an unsharp
                      mask) - interpolation kernels that ``fakescope train image`` never uses.

Example
-------
    python scripts/image/train_heldout_gan.py --real /work/data/image/real \
        --out /work/data/image/eval --steps 600
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageFilter
from rich.progress import track
from torch import nn

Z = 64


def load_folder(folder: Path) -> list[np.ndarray]:
    return [np.asarray(Image.open(p).convert("RGB")) for p in sorted(folder.glob("*.png"))]


class Generator(nn.Module):
    """DCGAN generator: z -> 64x64 RGB through four transposed convolutions."""

    def __init__(self, w: int = 16) -> None:
        super().__init__()
        self.fc = nn.Linear(Z, 8 * w * 4 * 4)
        self.w = w

        def up(cin: int, cout: int) -> list[nn.Module]:
            return [
                nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False),
                nn.BatchNorm2d(cout),
                nn.ReLU(True),
            ]

        self.net = nn.Sequential(
            nn.BatchNorm2d(8 * w), nn.ReLU(True),
            *up(8 * w, 4 * w), *up(4 * w, 2 * w), *up(2 * w, w),
            nn.ConvTranspose2d(w, 3, 4, 2, 1), nn.Tanh(),
        )  # fmt: skip

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(self.fc(z).view(-1, 8 * self.w, 4, 4))


class Discriminator(nn.Module):
    """DCGAN discriminator with spectral normalisation (Miyato et al. 2018), which keeps a small
    GAN on a small data set from collapsing to one texture."""

    def __init__(self, w: int = 16) -> None:
        super().__init__()
        sn = nn.utils.parametrizations.spectral_norm
        self.net = nn.Sequential(
            sn(nn.Conv2d(3, w, 4, 2, 1)), nn.LeakyReLU(0.2, True),
            sn(nn.Conv2d(w, 2 * w, 4, 2, 1)), nn.LeakyReLU(0.2, True),
            sn(nn.Conv2d(2 * w, 4 * w, 4, 2, 1)), nn.LeakyReLU(0.2, True),
            sn(nn.Conv2d(4 * w, 8 * w, 4, 2, 1)), nn.LeakyReLU(0.2, True),
            sn(nn.Conv2d(8 * w, 1, 4, 1, 0)),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).view(-1)


class SuperRes(nn.Module):
    """x4 super-resolution: two transposed convolutions and a refining convolution."""

    def __init__(self, w: int = 24) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, w, 3, 1, 1), nn.ReLU(True),
            nn.ConvTranspose2d(w, w, 4, 2, 1), nn.ReLU(True),
            nn.ConvTranspose2d(w, w // 2, 4, 2, 1), nn.ReLU(True),
            nn.Conv2d(w // 2, 3, 3, 1, 1),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def to_tensor(batch: list[np.ndarray]) -> torch.Tensor:
    return torch.from_numpy(np.stack(batch)).permute(0, 3, 1, 2).float() / 127.5 - 1


def train_gan(reals64: list[np.ndarray], steps: int, rng: np.random.Generator) -> Generator:
    g, d = Generator(), Discriminator()
    og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.0, 0.9))
    od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.0, 0.9))
    bs = 32
    for step in track(range(steps), description="DCGAN 64x64"):
        idx = rng.integers(0, len(reals64), bs)
        batch = [reals64[i][:, ::-1] if rng.random() < 0.5 else reals64[i] for i in idx]
        real = to_tensor([np.ascontiguousarray(b) for b in batch])
        fake = g(torch.randn(bs, Z))
        # hinge loss (SNGAN)
        loss_d = torch.relu(1 - d(real)).mean() + torch.relu(1 + d(fake.detach())).mean()
        od.zero_grad()
        loss_d.backward()
        od.step()
        loss_g = -d(fake).mean()
        og.zero_grad()
        loss_g.backward()
        og.step()
        if step % 100 == 0:
            print(f"step {step}: loss_d {loss_d.item():.3f} loss_g {loss_g.item():.3f}", flush=True)
    return g.eval()


def train_sr(reals: list[np.ndarray], steps: int, rng: np.random.Generator) -> SuperRes:
    sr = SuperRes()
    opt = torch.optim.Adam(sr.parameters(), 1e-3)
    for _ in track(range(steps), description="SR x4"):
        batch = []
        for i in rng.integers(0, len(reals), 8):
            y, x = rng.integers(0, 256 - 128 + 1, 2)
            batch.append(reals[i][y : y + 128, x : x + 128])
        hi = to_tensor(batch)
        lo = nn.functional.avg_pool2d(hi, 4)
        loss = (sr(lo) - hi).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return sr.eval()


class ResBlock(nn.Module):
    def __init__(self, w: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(w, w, 3, 1, 1), nn.PReLU(w), nn.Conv2d(w, w, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class SRGenerator(nn.Module):
    """SRGAN-style x4 generator: residual blocks, two transposed-convolution up-samplings."""

    def __init__(self, w: int = 32, blocks: int = 3) -> None:
        super().__init__()
        self.head = nn.Sequential(nn.Conv2d(3, w, 5, 1, 2), nn.PReLU(w))
        self.body = nn.Sequential(*[ResBlock(w) for _ in range(blocks)])
        self.up = nn.Sequential(
            nn.ConvTranspose2d(w, w, 4, 2, 1), nn.PReLU(w),
            nn.ConvTranspose2d(w, w // 2, 4, 2, 1), nn.PReLU(w // 2),
            nn.Conv2d(w // 2, 3, 5, 1, 2), nn.Tanh(),
        )  # fmt: skip

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.head(x)
        return self.up(h + self.body(h))


def train_srgan(reals: list[np.ndarray], steps: int, rng: np.random.Generator) -> SRGenerator:
    g, d = SRGenerator(), Discriminator()
    og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.9))
    od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.9))
    for step in track(range(steps), description="SRGAN x4"):
        batch = []
        for i in rng.integers(0, len(reals), 8):
            y, x = rng.integers(0, 256 - 64 + 1, 2)
            batch.append(reals[i][y : y + 64, x : x + 64])
        hi = to_tensor(batch)
        lo = nn.functional.avg_pool2d(hi, 4)
        fake = g(lo)
        loss_d = torch.relu(1 - d(hi)).mean() + torch.relu(1 + d(fake.detach())).mean()
        od.zero_grad()
        loss_d.backward()
        od.step()
        loss_g = (fake - hi).abs().mean() * 10 - d(fake).mean() * 0.1
        og.zero_grad()
        loss_g.backward()
        og.step()
        if step % 100 == 0:
            print(
                f"srgan step {step}: loss_d {loss_d.item():.3f} loss_g {loss_g.item():.3f}",
                flush=True,
            )
    return g.eval()


def save(arr: torch.Tensor, path: Path) -> None:
    img = ((arr.clamp(-1, 1) + 1) * 127.5 + 0.5).byte().permute(1, 2, 0).numpy()
    Image.fromarray(img).save(path)


def upsampled_fake(img: np.ndarray, rng: np.random.Generator) -> tuple[Image.Image, str]:
    factor = int(rng.choice([2, 3, 4]))
    method = rng.choice(["bicubic", "lanczos"])
    resample = Image.Resampling.BICUBIC if method == "bicubic" else Image.Resampling.LANCZOS
    small = Image.fromarray(img).resize((256 // factor, 256 // factor), Image.Resampling.BOX)
    up = small.resize((256, 256), resample)
    sharpen = rng.random() < 0.5
    if sharpen:
        up = up.filter(ImageFilter.UnsharpMask(radius=2, percent=120, threshold=2))
    return up, f"x{factor}_{method}{'_sharp' if sharpen else ''}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--real", type=Path, default=Path("/work/data/image/real"))
    ap.add_argument("--out", type=Path, default=Path("/work/data/image/eval"))
    ap.add_argument("--steps", type=int, default=600, help="DCGAN steps")
    ap.add_argument("--sr-steps", type=int, default=300)
    ap.add_argument("--n", type=int, default=0, help="fakes per kind (0: as many as real)")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--srgan-steps", type=int, default=400)
    ap.add_argument("--skip-dcgan", action="store_true", help="only (re)make fake_gan/")
    ap.add_argument(
        "--upsample-only",
        action="store_true",
        help="only make real/ and fake_upsample/ (no GAN training; own random seed)",
    )
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    t0 = time.time()

    train = load_folder(args.real / "train")
    test_files = sorted((args.real / "test").glob("*.png"))
    n = args.n or len(test_files)
    for sub in ("real", "fake_gan", "fake_dcgan", "fake_upsample"):
        (args.out / sub).mkdir(parents=True, exist_ok=True)

    if args.upsample_only:
        for p in test_files:
            shutil.copyfile(p, args.out / "real" / p.name)
        for p in track(test_files[:n], description="up-sampled fakes"):
            up, tag = upsampled_fake(np.asarray(Image.open(p).convert("RGB")), rng)
            up.save(args.out / "fake_upsample" / f"{p.stem}__{tag}.png")
        return
    srg = train_srgan(train, args.srgan_steps, rng)
    with torch.no_grad():
        for p in track(test_files[:n], description="SRGAN fakes"):
            lo = nn.functional.avg_pool2d(to_tensor([np.asarray(Image.open(p).convert("RGB"))]), 4)
            save(srg(lo)[0], args.out / "fake_gan" / f"{p.stem}__srgan.png")
    if args.skip_dcgan:
        return

    for p in test_files:
        shutil.copyfile(p, args.out / "real" / p.name)
    for p in track(test_files[:n], description="up-sampled fakes"):
        up, tag = upsampled_fake(np.asarray(Image.open(p).convert("RGB")), rng)
        up.save(args.out / "fake_upsample" / f"{p.stem}__{tag}.png")

    reals64 = [np.asarray(Image.fromarray(r).resize((64, 64), Image.Resampling.BOX)) for r in train]
    g = train_gan(reals64, args.steps, rng)
    sr = train_sr(train, args.sr_steps, rng)
    with torch.no_grad():
        # diversity check: mean pixel distance between samples (a collapsed GAN gives ~0)
        probe = g(torch.randn(16, Z))
        spread = float((probe[:, None] - probe[None]).abs().mean())
        print(
            f"GAN sample diversity (mean abs difference between samples, -1..1 scale): {spread:.3f}"
        )
        for i in range(0, n, 16):
            k = min(16, n - i)
            imgs = sr(g(torch.randn(k, Z)))
            for j in range(k):
                save(imgs[j], args.out / "fake_dcgan" / f"dcgan_sr_{i + j:04d}.png")
    print(f"wrote {len(test_files)} real, {n} SRGAN, {n} DCGAN and {n} up-sampled fakes "
          f"to {args.out} in {time.time() - t0:.0f} s")  # fmt: skip


if __name__ == "__main__":
    main()
