"""Simulated fakes made from real photos, for training without any fake-image data set.

- :class:`DecoderBank` - AutoGAN-style (Zhang et al., "Detecting and simulating artifacts in GAN
  fake images", WIFS 2019): a real image is shrunk and rebuilt by small up-sampling decoders
  (transposed convolution, nearest/bilinear up-sampling + convolution, pixel shuffle). Some decoders
  are briefly trained to reconstruct real images, others are random residual decoders on top of a
  nearest/bilinear up-sampling; both leave the spectral traces of generator up-sampling.
- :func:`self_blend` - SBI-style (Shiohara and Yamasaki, "Detecting deepfakes with self-blended
  images", CVPR 2022): a slightly altered copy of the image is blended back into a random region.
- :func:`launder` - JPEG, down-scaling, blur and noise, applied to reals and fakes alike so that
  the detector cannot rely on traces that laundering removes.

Bicubic and Lanczos up-sampling are deliberately NOT used here: the held-out evaluation
(``scripts/image/train_heldout_gan.py``) uses them as an unseen generator family.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

UPSAMPLERS = ("transposed", "nearest", "bilinear", "pixelshuffle")


@dataclass
class DecoderSpec:
    kind: str  # one of UPSAMPLERS
    stages: int  # each stage doubles the size
    width: int
    trained: bool  # briefly trained autoencoder (True) or random residual decoder (False)
    strength: float  # random residual decoders: scale of the decoder's output


def build_decoder(spec: DecoderSpec):
    """A ``torch.nn.Module`` mapping an image shrunk by ``2**stages`` back to full size.

    Examples
    --------
    >>> import torch
    >>> dec = build_decoder(DecoderSpec("pixelshuffle", 1, 8, True, 1.0))
    >>> dec(torch.zeros(1, 3, 16, 16)).shape
    torch.Size([1, 3, 32, 32])
    """
    import torch
    from torch import nn

    def up_block(c: int) -> list[nn.Module]:
        if spec.kind == "transposed":
            return [nn.ConvTranspose2d(c, c, 4, stride=2, padding=1)]
        if spec.kind == "pixelshuffle":
            return [nn.Conv2d(c, 4 * c, 3, padding=1), nn.PixelShuffle(2)]
        return [nn.Upsample(scale_factor=2, mode=spec.kind), nn.Conv2d(c, c, 3, padding=1)]

    class Decoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            w = spec.width
            layers: list[nn.Module] = [nn.Conv2d(3, w, 3, padding=1), nn.LeakyReLU(0.2)]
            for _ in range(spec.stages):
                layers += up_block(w) + [nn.LeakyReLU(0.2)]
            layers += [nn.Conv2d(w, 3, 3, padding=1)]
            self.net = nn.Sequential(*layers)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out = self.net(x * 2 - 1)
            if spec.trained:
                return torch.sigmoid(out * 2)
            # Random decoders add their (up-sampling-patterned) output to a plain up-sampling.
            mode = "nearest" if spec.kind == "nearest" else "bilinear"
            base = nn.functional.interpolate(x, scale_factor=2**spec.stages, mode=mode)
            out = out / (out.detach().std() + 1e-6)
            return torch.clamp(base + spec.strength * out, 0, 1)

    return Decoder()


class DecoderBank:
    """A pool of up-sampling decoders; ``apply`` turns a real image into a simulated fake.

    Parameters
    ----------
    n_decoders : int
        Size of the pool (kinds and depths are cycled, widths and seeds drawn at random).
    train_steps : int
        Adam steps for each trained decoder (brief, as in AutoGAN's simulator).
    seed : int

    Examples
    --------
    >>> bank = DecoderBank(n_decoders=2, train_steps=0)
    >>> img = np.zeros((64, 64, 3), np.uint8)
    >>> bank.fit([img]).apply(img, np.random.default_rng(0)).shape
    (64, 64, 3)
    """

    def __init__(self, n_decoders: int = 24, train_steps: int = 60, seed: int = 0) -> None:
        self.n_decoders = n_decoders
        self.train_steps = train_steps
        self.seed = seed
        self.decoders: list[tuple[DecoderSpec, object]] = []

    def fit(self, reals: list[np.ndarray], progress=None) -> DecoderBank:
        """Create the decoders; trained ones learn to rebuild random crops of ``reals``."""
        import torch

        rng = np.random.default_rng(self.seed)
        torch.manual_seed(self.seed)
        self.decoders = []
        for i in range(self.n_decoders):
            kind = UPSAMPLERS[i % len(UPSAMPLERS)]
            spec = DecoderSpec(
                kind=kind,
                stages=1 + int(rng.random() < 0.35),
                width=int(rng.choice([8, 12, 16])),
                trained=bool(i % 3 != 2) and self.train_steps > 0,
                strength=float(rng.uniform(0.02, 0.08)),
            )
            dec = build_decoder(spec)
            if spec.trained:
                self._train(dec, spec, reals, rng)
            dec.eval()
            self.decoders.append((spec, dec))
            if progress is not None:
                progress()
        return self

    def _train(self, dec, spec: DecoderSpec, reals: list[np.ndarray], rng) -> None:
        import torch

        opt = torch.optim.Adam(dec.parameters(), lr=3e-3)
        size = 64
        f = 2**spec.stages
        for _ in range(self.train_steps):
            batch = []
            for _ in range(4):
                img = reals[int(rng.integers(len(reals)))]
                y = int(rng.integers(0, img.shape[0] - size + 1))
                x = int(rng.integers(0, img.shape[1] - size + 1))
                batch.append(img[y : y + size, x : x + size])
            t = torch.from_numpy(np.stack(batch)).permute(0, 3, 1, 2).float() / 255.0
            small = torch.nn.functional.avg_pool2d(t, f)
            loss = (dec(small) - t).abs().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()

    def apply(
        self, rgb: np.ndarray, rng: np.random.Generator, index: int | None = None
    ) -> np.ndarray:
        """Shrink ``rgb`` (area average) and rebuild it with one decoder of the pool."""
        import torch

        spec, dec = self.decoders[int(rng.integers(len(self.decoders))) if index is None else index]
        f = 2**spec.stages
        h, w = (rgb.shape[0] // f) * f, (rgb.shape[1] // f) * f
        t = torch.from_numpy(np.array(rgb[:h, :w])).permute(2, 0, 1)[None].float()
        with torch.inference_mode():
            small = torch.nn.functional.avg_pool2d(t / 255.0, f)
            out = dec(small)[0].permute(1, 2, 0).numpy()
        return np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)


def random_blob_mask(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A soft mask in [0, 1]: a random ellipse (15-60 % of the image) with blurred edges.

    Examples
    --------
    >>> m = random_blob_mask(32, 32, np.random.default_rng(0))
    >>> m.shape, float(m.max()) <= 1.0
    ((32, 32), True)
    """
    from scipy.ndimage import gaussian_filter

    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    cy, cx = rng.uniform(0.3, 0.7) * h, rng.uniform(0.3, 0.7) * w
    ry, rx = rng.uniform(0.2, 0.4) * h, rng.uniform(0.2, 0.4) * w
    angle = rng.uniform(0, np.pi)
    c, s = np.cos(angle), np.sin(angle)
    u = ((xx - cx) * c + (yy - cy) * s) / rx
    v = (-(xx - cx) * s + (yy - cy) * c) / ry
    mask = (u**2 + v**2 <= 1).astype(np.float64)
    mask = gaussian_filter(mask, sigma=rng.uniform(2, 8))
    return mask / max(mask.max(), 1e-6)


def self_blend(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """SBI-style forgery: blend a colour-, sharpness- and scale-altered copy into a region.

    Examples
    --------
    >>> img = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    >>> self_blend(img, np.random.default_rng(1)).shape
    (64, 64, 3)
    """
    from PIL import Image, ImageFilter

    h, w = rgb.shape[:2]
    src = rgb.astype(np.float64)
    im = Image.fromarray(rgb)
    # Scale jitter (bilinear, never bicubic/Lanczos: those are held out for evaluation).
    s = rng.uniform(0.9, 1.1)
    scaled = im.resize((max(8, round(w * s)), max(8, round(h * s))), Image.Resampling.BILINEAR)
    scaled = scaled.resize((w, h), Image.Resampling.BILINEAR)
    if rng.random() < 0.5:
        scaled = scaled.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 1.5)))
    else:
        scaled = scaled.filter(
            ImageFilter.UnsharpMask(radius=2, percent=int(rng.integers(50, 150)))
        )
    tgt = np.asarray(scaled).astype(np.float64)
    tgt = tgt * rng.uniform(0.9, 1.1, size=3) + rng.uniform(-12, 12, size=3)
    dy, dx = rng.integers(-3, 4, size=2)
    tgt = np.roll(tgt, (int(dy), int(dx)), axis=(0, 1))
    mask = random_blob_mask(h, w, rng)[..., None]
    out = mask * tgt + (1 - mask) * src
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    """Round-trip through JPEG at ``quality``.

    Examples
    --------
    >>> jpeg(np.zeros((16, 16, 3), np.uint8), 80).shape
    (16, 16, 3)
    """
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def launder(rgb: np.ndarray, rng: np.random.Generator, p: float = 1.0) -> np.ndarray:
    """Random laundering: down-scale (p 0.2), blur (0.1), noise (0.1), JPEG (0.3), times ``p``.

    The output may be smaller than the input (down-scaling); callers crop to the size they need.

    Examples
    --------
    >>> img = np.full((64, 64, 3), 128, np.uint8)
    >>> launder(img, np.random.default_rng(0)).dtype
    dtype('uint8')
    """
    from PIL import Image, ImageFilter

    out = rgb
    if rng.random() < 0.2 * p:
        s = rng.uniform(0.5, 0.9)
        h, w = out.shape[:2]
        out = np.asarray(
            Image.fromarray(out).resize(
                (max(32, round(w * s)), max(32, round(h * s))),
                Image.Resampling.BILINEAR if rng.random() < 0.5 else Image.Resampling.BOX,
            )
        )
    if rng.random() < 0.1 * p:
        out = np.asarray(
            Image.fromarray(out).filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.0)))
        )
    if rng.random() < 0.1 * p:
        noise = rng.normal(0, rng.uniform(1, 4), out.shape)
        out = np.clip(out + noise + 0.5, 0, 255).astype(np.uint8)
    if rng.random() < 0.3 * p:
        out = jpeg(out, int(rng.integers(65, 96)))
    return out
