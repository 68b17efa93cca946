from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="session")
def class_folder(tmp_path_factory) -> Path:
    """Three classes of 12 tiny gray images each (bars, squares, circles)."""
    root = tmp_path_factory.mktemp("classes")
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:20, 0:20]
    shapes = {
        "bars": lambda: (xx % 6 < 3) * 200,
        "squares": lambda: ((abs(xx - 10) < 5) & (abs(yy - 10) < 5)) * 220,
        "circles": lambda: (((xx - 10) ** 2 + (yy - 10) ** 2) < 40) * 180,
    }
    for name, draw in shapes.items():
        (root / name).mkdir()
        for i in range(12):
            img = np.clip(draw() + rng.normal(0, 10, (20, 20)), 0, 255).astype(np.uint8)
            Image.fromarray(img, "L").save(root / name / f"{i}.png")
    return root


@pytest.fixture(scope="session")
def tiny_model(class_folder, tmp_path_factory) -> Path:
    from fakescope.generate_image.data import load_class_folders
    from fakescope.generate_image.training import TrainSettings, train_generator

    out = tmp_path_factory.mktemp("model") / "g.npz"
    data = load_class_folders(class_folder, resolution=16)
    settings = TrainSettings(
        steps=3,
        batch_size=8,
        width=4,
        z_dim=16,
        ema_start=1,
        checkpoint_every=3,
        bf16=False,
        training_data="test shapes",
    )
    train_generator(data, out, settings, log=lambda m: None)
    return out


@pytest.fixture(scope="session")
def photo() -> np.ndarray:
    """A 128x160 RGB photo-like image (gradients, an edge, noise)."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:128, 0:160].astype(np.float64)
    base = np.stack([120 + 60 * np.sin(x / 23), 100 + 50 * np.cos(y / 17), 80 + (x + y) / 4], -1)
    base[30:80, 40:120] += 50
    return np.clip(base + rng.normal(0, 4, base.shape), 0, 255).astype(np.uint8)
