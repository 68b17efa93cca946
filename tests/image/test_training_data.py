"""The data of ``train image --real``: source split, crops, simulated fakes, validation set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fakescope.core.sample_size import TooLittleData
from fakescope.image.training_data import (
    RealSplit,
    SimulatedData,
    random_crop,
    simulate_fakes,
    split_real,
)


def test_random_crop_pads_an_image_smaller_than_the_crop() -> None:
    small = np.arange(20 * 30 * 3, dtype=np.uint8).reshape(20, 30, 3)
    crop = random_crop(small, 32, np.random.default_rng(0))
    assert crop.shape == (32, 32, 3) and crop.flags["C_CONTIGUOUS"]


def test_random_crop_is_a_window_of_the_image_or_its_mirror() -> None:
    img = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    for seed in range(6):
        crop = random_crop(img, 16, np.random.default_rng(seed))
        windows = np.lib.stride_tricks.sliding_window_view(img, (16, 16, 3))[..., 0, :, :, :]
        found = (windows == crop).all(axis=(-1, -2, -3)).any()
        found_mirror = (windows == crop[:, ::-1]).all(axis=(-1, -2, -3)).any()
        assert found or found_mirror


def test_split_real_keeps_sources_apart(real_patches: Path) -> None:
    split = split_real(real_patches, 0.25, seed=0)
    assert isinstance(split, RealSplit)
    assert (split.n_images, split.n_sources) == (24, 8)
    assert len(split.train) + len(split.val) == 24 and len(split.val) % 3 == 0


def test_split_real_refuses_too_few_patches(tmp_path: Path, make_photo) -> None:
    for k in range(5):
        Image.fromarray(make_photo(256, seed=k)).save(tmp_path / f"p{k}.png")
    with pytest.raises(TooLittleData, match="real images"):
        split_real(tmp_path)


def test_validation_set_pairs_each_photo_with_a_fake(simulated_data: SimulatedData) -> None:
    val = simulated_data.val_set
    assert len(val) % 2 == 0 and len(val) > 0
    assert [v[1] for v in val] == [0, 1] * (len(val) // 2)
    assert {v[2] for v in val[0::2]} == {"real"}
    assert {v[2] for v in val[1::2]} <= {"decoder", "self-blend"}
    assert simulated_data.val_labels.tolist() == [v[1] for v in val]


def test_simulated_data_is_reproducible(real_patches: Path) -> None:
    def build() -> SimulatedData:
        split = split_real(real_patches, 0.15, seed=3)
        return simulate_fakes(split, seed=3, n_decoders=2, decoder_steps=1, log=lambda m: None)

    a, b = build(), build()
    assert all(np.array_equal(x[0], y[0]) for x, y in zip(a.val_set, b.val_set, strict=True))
    fa = a.fake(a.train[0], np.random.default_rng(5))
    fb = b.fake(b.train[0], np.random.default_rng(5))
    assert fa.shape == a.train[0].shape and np.array_equal(fa, fb)
