"""Tiny inputs and a tiny trained detector for the robustness tests."""

from __future__ import annotations

import numpy as np
import pytest
import torch

# one thread: the test machines are shared, and two torch threads on a busy 2-core machine
# made these tiny models many times slower
torch.set_num_threads(1)


def _smooth(rng: np.random.Generator, size: int) -> np.ndarray:
    """A smooth image (bilinear up-sampling of a 4x4 grid): the tiny model's "fake"."""
    small = torch.from_numpy(rng.random((1, 3, 4, 4), dtype=np.float32))
    return torch.nn.functional.interpolate(small, size=(size, size), mode="bilinear")[0]


def _noisy(rng: np.random.Generator, size: int) -> np.ndarray:
    """Grey plus strong pixel noise: the tiny model's "real"."""
    base = torch.full((3, size, size), float(rng.uniform(0.3, 0.7)))
    return (base + 0.15 * torch.from_numpy(rng.standard_normal((3, size, size))).float()).clamp(
        0, 1
    )


@pytest.fixture(scope="session")
def tiny_model():
    """A small CNN trained in a second to tell smooth ("machine-made") from noisy images;
    returns ``(model, x, y)`` with a held-out batch it gets right."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.Conv2d(8, 1, 3, padding=1),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(0),
    )
    opt = torch.optim.Adam(model.parameters(), lr=0.02)

    def batch(n: int):
        xs = [_smooth(rng, 16) if i % 2 else _noisy(rng, 16) for i in range(n)]
        return torch.stack(xs), torch.tensor([float(i % 2) for i in range(n)])

    for _ in range(100):
        x, y = batch(32)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    x, y = batch(16)
    with torch.no_grad():
        assert ((model(x) > 0).float() == y).all(), "the tiny model did not learn its task"
    return model, x, y
