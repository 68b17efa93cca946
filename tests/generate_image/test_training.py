from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fakescope.generate_image.data import DataError, load_class_folders
from fakescope.generate_image.sampling import SamplingError, interpolation_grid, sample
from fakescope.generate_image.weights import WeightsError, load_generator


def test_tiny_training_writes_a_loadable_model(tiny_model: Path):
    g, cfg, info = load_generator(tiny_model)
    assert cfg.class_names == ["bars", "circles", "squares"] and cfg.channels == 1
    assert info["steps"] == 3 and info["training_data"] == "test shapes"
    a = sample(g, cfg, ["bars", "circles"], seeds=[5, 6], truncation=0.5)
    b = sample(g, cfg, ["bars", "circles"], seeds=[5, 6], truncation=0.5)
    assert a.shape == (2, 16, 16, 1) and a.dtype == np.uint8 and np.array_equal(a, b)
    grid = interpolation_grid(g, cfg, "bars", "squares", steps=5, rows=2)
    assert grid.shape == (2, 5, 16, 16, 1)
    with pytest.raises(SamplingError, match="knows: bars, circles, squares"):
        sample(g, cfg, ["dogs"], seeds=[0])


def test_bad_data_folders(tmp_path: Path):
    with pytest.raises(DataError, match="not a folder"):
        load_class_folders(tmp_path / "nope")
    with pytest.raises(DataError, match="no class sub-folders"):
        load_class_folders(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="has no images"):
        load_class_folders(tmp_path)
    (tmp_path / "empty" / "bad.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match="no readable image"):
        load_class_folders(tmp_path)
    Image.new("RGB", (30, 20), (10, 200, 30)).save(tmp_path / "empty" / "ok.png")
    ds = load_class_folders(tmp_path, resolution=8)
    assert ds.channels == 3 and ds.images.shape == (1, 3, 8, 8) and len(ds.skipped) == 1


def test_bad_weights_file(tmp_path: Path):
    with pytest.raises(WeightsError, match="no generator weights"):
        load_generator(tmp_path / "missing.npz")
    (tmp_path / "x.npz").write_bytes(b"garbage")
    with pytest.raises(WeightsError, match="not a fakescope generator"):
        load_generator(tmp_path / "x.npz")


def test_shipped_model_loads_and_samples():
    g, cfg, info = load_generator()
    assert cfg.n_classes == 10 and "sneaker" in cfg.class_names
    assert sample(g, cfg, ["sneaker"], seeds=[0]).shape == (1, 32, 32, 1)
