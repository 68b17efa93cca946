"""A simpler one-class baseline: a convolutional autoencoder's reconstruction error.

Same patches, representation and top-fraction aggregation as the f-AnoGAN model, so the
benchmark compares the models and nothing else (benchmarks/bench_anomaly.py).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from fakescope.anomaly.patches import (
    extract_patches,
    grid_positions,
    random_patches,
    to_model_input,
)


class ConvAutoencoder(nn.Module):
    """Patch -> strided convs -> ``z_dim`` bottleneck -> up-sampling convs -> patch.

    Examples
    --------
    >>> ae = ConvAutoencoder(patch_size=16, z_dim=8)
    >>> tuple(ae(torch.zeros(2, 3, 16, 16)).shape)
    (2, 3, 16, 16)
    """

    def __init__(self, patch_size: int = 32, z_dim: int = 64, width: int = 64) -> None:
        super().__init__()
        levels = int(round(math.log2(patch_size))) - 2
        if patch_size < 8 or 2 ** (levels + 2) != patch_size:
            raise ValueError(f"patch_size must be a power of two >= 8, got {patch_size}")
        chans = [3] + [max(width // 2 ** (levels - 1 - i), 8) for i in range(levels)]
        down: list[nn.Module] = []
        for a, b in zip(chans[:-1], chans[1:], strict=True):
            down += [nn.Conv2d(a, b, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        self.encode = nn.Sequential(*down, nn.Flatten(), nn.Linear(chans[-1] * 16, z_dim))
        self.width = chans[-1]
        self.expand = nn.Linear(z_dim, chans[-1] * 16)
        up: list[nn.Module] = []
        rev = chans[::-1]
        for a, b in zip(rev[:-1], rev[1:], strict=True):
            up += [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(a, b, 3, padding=1)]
            up += [nn.ReLU(True)] if b != 3 else [nn.Tanh()]
        self.decode = nn.Sequential(*up)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.expand(self.encode(x)).view(x.shape[0], self.width, 4, 4)
        return self.decode(h)


class AutoencoderBaseline:
    """Fit on normal images, score by top-fraction mean patch reconstruction error.

    Parameters follow :class:`fakescope.anomaly.training.TrainConfig` where they overlap.

    Examples
    --------
    >>> imgs = [np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8)]
    >>> base = AutoencoderBaseline(patch_size=16, z_dim=8, width=16, steps=2, batch_size=4)
    >>> scores = base.fit(imgs).score_images(imgs)
    >>> scores.shape
    (1,)
    """

    def __init__(
        self,
        patch_size: int = 32,
        z_dim: int = 64,
        width: int = 64,
        representation: str = "residual",
        steps: int = 3000,
        batch_size: int = 64,
        lr: float = 1e-3,
        top_fraction: float = 0.25,
        max_patches: int = 256,
        seed: int = 0,
    ) -> None:
        self.patch_size, self.z_dim, self.width = patch_size, z_dim, width
        self.representation, self.steps, self.batch_size = representation, steps, batch_size
        self.lr, self.top_fraction, self.max_patches, self.seed = (
            lr,
            top_fraction,
            max_patches,
            seed,
        )

    def fit(self, images: list[np.ndarray]) -> AutoencoderBaseline:
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        self.model_ = ConvAutoencoder(self.patch_size, self.z_dim, self.width)
        opt = torch.optim.Adam(self.model_.parameters(), lr=self.lr)
        self.model_.train()
        for _ in range(self.steps):
            patches = random_patches(images, self.batch_size, self.patch_size, rng)
            x = torch.from_numpy(to_model_input(patches, self.representation))
            loss = ((self.model_(x) - x) ** 2).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        self.model_.eval()
        return self

    @torch.no_grad()
    def score_images(self, images: list[np.ndarray]) -> np.ndarray:
        """Raw anomaly score per image (higher = less like the training images)."""
        out = []
        for img in images:
            pos = grid_positions(img.shape[0], img.shape[1], self.patch_size, self.max_patches)
            x = torch.from_numpy(
                to_model_input(extract_patches(img, pos, self.patch_size), self.representation)
            )
            err = ((self.model_(x) - x) ** 2).flatten(1).mean(1).numpy()
            k = max(1, int(math.ceil(self.top_fraction * len(err))))
            out.append(float(np.sort(err)[-k:].mean()))
        return np.array(out)
