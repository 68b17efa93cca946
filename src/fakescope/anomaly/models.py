"""The three f-AnoGAN networks: a generator, a WGAN critic and an image-to-latent encoder.

All three work on square RGB patches in [-1, 1] whose side is a power of two (16, 32, 64, ...).
The critic's last hidden layer is the feature space used by the anomaly score
(Schlegl et al., 2019, "f-AnoGAN", Medical Image Analysis 54).
"""

from __future__ import annotations

import math

import torch
from torch import nn


def _levels(patch_size: int) -> int:
    """Number of stride-2 stages between a 4x4 map and a ``patch_size`` square."""
    levels = int(round(math.log2(patch_size))) - 2
    if patch_size < 8 or 2 ** (levels + 2) != patch_size:
        raise ValueError(f"patch_size must be a power of two >= 8, got {patch_size}")
    return levels


class Generator(nn.Module):
    """Map a latent vector in [-1, 1]^z_dim to an RGB patch in [-1, 1].

    Parameters
    ----------
    z_dim : int
        Latent size.
    patch_size : int
        Output side in pixels (power of two >= 8).
    width : int
        Channels of the smallest feature map (4x4); each up-sampling stage halves them.

    Examples
    --------
    >>> g = Generator(z_dim=16, patch_size=16, width=32)
    >>> tuple(g(torch.zeros(2, 16)).shape)
    (2, 3, 16, 16)
    """

    def __init__(self, z_dim: int = 64, patch_size: int = 32, width: int = 128) -> None:
        super().__init__()
        levels = _levels(patch_size)
        self.z_dim, self.width = z_dim, width
        self.project = nn.Sequential(
            nn.Linear(z_dim, width * 16), nn.BatchNorm1d(width * 16), nn.ReLU(True)
        )
        layers: list[nn.Module] = []
        channels = width
        for _ in range(levels - 1):
            out = max(channels // 2, 8)
            # Up-sample + 3x3 conv rather than transposed conv: no checkerboard artefacts of
            # our own, so the model's residual does not learn to forgive them in fakes.
            layers += [
                nn.Upsample(scale_factor=2, mode="nearest"),
                nn.Conv2d(channels, out, 3, padding=1),
                nn.BatchNorm2d(out),
                nn.ReLU(True),
            ]
            channels = out
        layers += [
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(channels, 3, 3, padding=1),
            nn.Tanh(),
        ]
        self.body = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        x = self.project(z).view(z.shape[0], self.width, 4, 4)
        return self.body(x)


class _DownStack(nn.Module):
    """Strided conv stack shared by the critic and the encoder: patch -> flat features."""

    def __init__(self, patch_size: int, width: int) -> None:
        super().__init__()
        levels = _levels(patch_size)
        channels = [3] + [max(width // 2 ** (levels - 1 - i), 8) for i in range(levels)]
        layers: list[nn.Module] = []
        for c_in, c_out in zip(channels[:-1], channels[1:], strict=True):
            # No batch norm: the gradient penalty is defined per sample (Gulrajani et al. 2017).
            layers += [nn.Conv2d(c_in, c_out, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
        self.body = nn.Sequential(*layers)
        self.out_features = channels[-1] * 16

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).flatten(1)


class Critic(nn.Module):
    """WGAN critic; :meth:`features` gives the layer used by the f-AnoGAN feature residual.

    Examples
    --------
    >>> d = Critic(patch_size=16, width=32)
    >>> x = torch.zeros(2, 3, 16, 16)
    >>> tuple(d(x).shape), tuple(d.features(x).shape)
    ((2,), (2, 512))
    """

    def __init__(self, patch_size: int = 32, width: int = 128) -> None:
        super().__init__()
        self.trunk = _DownStack(patch_size, width)
        self.head = nn.Linear(self.trunk.out_features, 1)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.trunk(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.trunk(x)).squeeze(1)


class Encoder(nn.Module):
    """Map a patch to the generator's latent space (tanh keeps it inside [-1, 1]^z_dim).

    Examples
    --------
    >>> e = Encoder(z_dim=16, patch_size=16, width=32)
    >>> tuple(e(torch.zeros(2, 3, 16, 16)).shape)
    (2, 16)
    """

    def __init__(self, z_dim: int = 64, patch_size: int = 32, width: int = 128) -> None:
        super().__init__()
        self.trunk = _DownStack(patch_size, width)
        self.head = nn.Sequential(nn.Linear(self.trunk.out_features, z_dim), nn.Tanh())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.trunk(x))


def sample_latent(n: int, z_dim: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Uniform latent codes in [-1, 1], the prior the encoder's tanh output lives in."""
    return torch.rand(n, z_dim, generator=generator) * 2 - 1
