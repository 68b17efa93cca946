"""Fixtures: small, real image files built in tmp_path (no shared data needed)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


def photo_like(height: int, width: int, seed: int) -> np.ndarray:
    """A smooth random scene with sensor-like noise, JPEG round-tripped like a camera output."""
    rng = np.random.default_rng(seed)
    coarse = rng.uniform(0, 255, (max(height // 16, 2), max(width // 16, 2), 3)).astype(np.uint8)
    scene = np.asarray(Image.fromarray(coarse).resize((width, height), Image.BICUBIC), np.float64)
    noisy = np.clip(scene + rng.normal(0, 4, scene.shape), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noisy).save(buf, format="JPEG", quality=90)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


@pytest.fixture(autouse=True, scope="session")
def _one_thread() -> None:
    """One torch thread: the tests stay fast on a shared 2-core machine."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    """Six 40x40 photo-like PNGs in a nested folder."""
    folder = tmp_path / "normal"
    (folder / "sub").mkdir(parents=True)
    for i in range(6):
        target = folder / ("sub" if i % 2 else "") / f"img{i}.png"
        Image.fromarray(photo_like(40, 40, i)).save(target)
    return folder
