"""A small class-conditional GAN in the BigGAN spirit (Brock et al. 2019), for CPU training.

What is kept from BigGAN (and SNGAN / projection-discriminator, Miyato et al. 2018):

- generator residual blocks with **conditional batch norm**: the gain and bias of every batch norm
  are linear functions of a shared class embedding concatenated with a chunk of the latent vector
  (hierarchical latent, "skip-z");
- a **projection discriminator**: ``D(x, y) = psi(phi(x)) + <embed(y), phi(x)>``;
- **spectral normalisation** on every weight of both networks;
- the **hinge loss** (see :mod:`fakescope.generate_image.training`);
- the **truncation trick** at sampling time: latents are drawn from a normal truncated to
  ``|z| <= truncation`` (resampled), trading variety for fidelity.

Sizes are cut down so that 32x32 training runs on two CPU cores in well under an hour.

Examples
--------
>>> import torch
>>> cfg = GeneratorConfig(n_classes=3, resolution=32, channels=1, width=8, z_dim=16)
>>> g, d = Generator(cfg), Discriminator(cfg)
>>> x = g(torch.zeros(2, 16), torch.tensor([0, 2]))
>>> x.shape, d(x, torch.tensor([0, 2])).shape
(torch.Size([2, 1, 32, 32]), torch.Size([2]))
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
from torch import nn
from torch.nn.utils import spectral_norm


def _identity(module: nn.Module) -> nn.Module:
    return module


@dataclass
class GeneratorConfig:
    """Architecture of a generator/discriminator pair (stored next to the weights).

    ``resolution`` must be 4 times a power of two (16, 32, 64); ``width`` scales every layer.
    """

    n_classes: int
    resolution: int = 32
    channels: int = 3
    width: int = 32
    z_dim: int = 64
    embed_dim: int = 64
    class_names: list[str] = field(default_factory=list)

    @property
    def n_blocks(self) -> int:
        n = int(round(math.log2(self.resolution / 4)))
        if 4 * 2**n != self.resolution or n < 1:
            raise ValueError(f"resolution must be 4 x a power of two (8, 16, 32, 64), not {self}")
        return n

    def block_widths(self) -> list[int]:
        """Channel widths from the 4x4 seed to full resolution (halving from 4*width)."""
        return [max(self.width, 4 * self.width // 2**i) for i in range(self.n_blocks + 1)]

    def to_dict(self) -> dict:
        return asdict(self)


class ConditionalBatchNorm(nn.Module):
    """Batch norm whose gain and bias come from a conditioning vector (class embedding + z)."""

    def __init__(self, features: int, cond_dim: int, sn=spectral_norm) -> None:
        super().__init__()
        self.bn = nn.BatchNorm2d(features, affine=False)
        self.gain = sn(nn.Linear(cond_dim, features, bias=False))
        self.bias = sn(nn.Linear(cond_dim, features, bias=False))

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        g = 1 + self.gain(cond)[:, :, None, None]
        b = self.bias(cond)[:, :, None, None]
        return self.bn(x) * g + b


class GBlock(nn.Module):
    """Up-sampling residual block: CBN-ReLU-up-conv-CBN-ReLU-conv, shortcut up + 1x1 conv."""

    def __init__(self, cin: int, cout: int, cond_dim: int, sn=spectral_norm) -> None:
        super().__init__()
        self.bn1 = ConditionalBatchNorm(cin, cond_dim, sn)
        self.conv1 = sn(nn.Conv2d(cin, cout, 3, padding=1))
        self.bn2 = ConditionalBatchNorm(cout, cond_dim, sn)
        self.conv2 = sn(nn.Conv2d(cout, cout, 3, padding=1))
        self.skip = sn(nn.Conv2d(cin, cout, 1))

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        h = nn.functional.relu(self.bn1(x, cond))
        h = nn.functional.interpolate(h, scale_factor=2, mode="nearest")
        h = self.conv1(h)
        h = self.conv2(nn.functional.relu(self.bn2(h, cond)))
        return h + self.skip(nn.functional.interpolate(x, scale_factor=2, mode="nearest"))


class Generator(nn.Module):
    """z (N, z_dim) + class (N,) -> image (N, C, R, R) in [-1, 1].

    ``spectral=False`` builds the same network without spectral norm: the shipped weights are
    saved with the normalisation folded into them (:func:`fold_spectral_norm`).
    """

    def __init__(self, cfg: GeneratorConfig, spectral: bool = True) -> None:
        super().__init__()
        sn = spectral_norm if spectral else _identity
        self.cfg = cfg
        widths = cfg.block_widths()
        n = cfg.n_blocks
        # Hierarchical latent: one chunk feeds the 4x4 seed, one chunk each block.
        self.chunk = cfg.z_dim // (n + 1)
        cond_dim = cfg.embed_dim + self.chunk
        self.embed = nn.Embedding(cfg.n_classes, cfg.embed_dim)  # shared across blocks
        self.seed = sn(nn.Linear(self.chunk, widths[0] * 16))
        self.blocks = nn.ModuleList(
            [GBlock(widths[i], widths[i + 1], cond_dim, sn) for i in range(n)]
        )
        self.out_bn = nn.BatchNorm2d(widths[-1])
        self.out = sn(nn.Conv2d(widths[-1], cfg.channels, 3, padding=1))

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.synthesize(z, self.embed(y))

    def synthesize(self, z: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        """Images from latents and class embeddings (mix embeddings to interpolate classes)."""
        chunks = torch.split(z[:, : self.chunk * (len(self.blocks) + 1)], self.chunk, dim=1)
        h = self.seed(chunks[0]).view(z.shape[0], -1, 4, 4)
        for block, zc in zip(self.blocks, chunks[1:], strict=True):
            h = block(h, torch.cat([e, zc], dim=1))
        return torch.tanh(self.out(nn.functional.relu(self.out_bn(h))))


class DBlock(nn.Module):
    """Down-sampling residual block with spectral norm (pre-activation except the first)."""

    def __init__(self, cin: int, cout: int, first: bool) -> None:
        super().__init__()
        sn = spectral_norm
        self.first = first
        self.conv1 = sn(nn.Conv2d(cin, cout, 3, padding=1))
        self.conv2 = sn(nn.Conv2d(cout, cout, 3, padding=1))
        self.skip = sn(nn.Conv2d(cin, cout, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x if self.first else nn.functional.relu(x)
        h = self.conv2(nn.functional.relu(self.conv1(h)))
        h = nn.functional.avg_pool2d(h, 2)
        return h + self.skip(nn.functional.avg_pool2d(x, 2))


class Discriminator(nn.Module):
    """Projection discriminator: image (N, C, R, R) + class (N,) -> hinge logit (N,)."""

    def __init__(self, cfg: GeneratorConfig) -> None:
        super().__init__()
        sn = spectral_norm
        chans = [cfg.channels] + [cfg.width * 2**i for i in range(cfg.n_blocks)]
        self.blocks = nn.Sequential(
            *[DBlock(chans[i], chans[i + 1], first=i == 0) for i in range(cfg.n_blocks)]
        )
        self.final = sn(nn.Conv2d(chans[-1], chans[-1], 3, padding=1))
        self.linear = sn(nn.Linear(chans[-1], 1))
        self.embed = sn(nn.Embedding(cfg.n_classes, chans[-1]))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        h = self.final(nn.functional.relu(self.blocks(x)))
        h = nn.functional.relu(h).sum(dim=(2, 3))
        return self.linear(h)[:, 0] + (self.embed(y) * h).sum(dim=1)


def truncated_normal(
    n: int, dim: int, truncation: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Standard normal latents with every value resampled until ``|z| <= truncation``.

    ``truncation <= 0`` or ``>= 10`` means no truncation.

    Examples
    --------
    >>> z = truncated_normal(100, 8, 0.5, torch.Generator().manual_seed(0))
    >>> bool(z.abs().max() <= 0.5)
    True
    """
    z = torch.randn(n, dim, generator=generator)
    if truncation <= 0 or truncation >= 10:
        return z
    for _ in range(1000):
        bad = z.abs() > truncation
        if not bad.any():
            break
        z[bad] = torch.randn(int(bad.sum()), generator=generator)
    return z.clamp(-truncation, truncation)


def fold_spectral_norm(generator: Generator) -> dict[str, torch.Tensor]:
    """State dict of a spectral-normed generator with ``W / sigma(W)`` folded into plain weights.

    ``sigma = u^T W v`` with the stored power-iteration vectors (what spectral norm uses in eval
    mode). The result loads into ``Generator(cfg, spectral=False)``.
    """
    state = {k: v.detach().clone() for k, v in generator.state_dict().items()}
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if key.endswith(("weight_u", "weight_v")):
            continue
        if key.endswith("weight_orig"):
            base = key[: -len("_orig")]
            u, v = state[base + "_u"], state[base + "_v"]
            w = value.reshape(value.shape[0], -1)
            sigma = torch.dot(u, torch.mv(w, v))
            out[base] = value / sigma
        else:
            out[key] = value
    return out
