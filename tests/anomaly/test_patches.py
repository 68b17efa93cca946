import numpy as np
import pytest

from fakescope.anomaly.patches import (
    extract_patches,
    grid_positions,
    high_pass,
    random_patches,
    to_model_input,
)


def test_grid_covers_every_pixel_and_touches_borders() -> None:
    pos = grid_positions(70, 90, 32)
    cover = np.zeros((70, 90), bool)
    for y, x in pos:
        cover[y : y + 32, x : x + 32] = True
    assert cover.all()
    assert max(y for y, _ in pos) == 70 - 32 and max(x for _, x in pos) == 90 - 32


def test_grid_is_capped_for_large_images() -> None:
    pos = grid_positions(2000, 3000, 32, max_patches=256)
    assert len(pos) <= 256
    assert len(set(pos)) == len(pos)


def test_grid_rejects_tiny_images() -> None:
    with pytest.raises(ValueError, match="smaller than one"):
        grid_positions(20, 100, 32)


def test_extract_and_random_patches() -> None:
    img = np.arange(40 * 50 * 3, dtype=np.uint32).reshape(40, 50, 3).astype(np.uint8)
    p = extract_patches(img, [(3, 5)], 16)
    assert np.array_equal(p[0], img[3:19, 5:21])
    r = random_patches([img], 7, 16, np.random.default_rng(1))
    assert r.shape == (7, 16, 16, 3) and r.dtype == np.uint8


def test_high_pass_removes_constant_and_keeps_impulse() -> None:
    x = np.full((1, 5, 5, 3), 100.0)
    x[0, 2, 2, 0] = 109.0
    hp = high_pass(x)
    assert hp[0, 2, 2, 0] == pytest.approx(9 - 1)  # 109 - mean(8*100 + 109)/9 - ... = 8
    assert hp[0, 0, 0, 1] == 0.0


def test_model_input_ranges_and_flat_patches() -> None:
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 256, (3, 16, 16, 3), dtype=np.uint8)
    for rep in ("rgb", "residual"):
        x = to_model_input(noisy, rep)
        assert x.shape == (3, 3, 16, 16) and x.dtype == np.float32
        assert x.min() >= -1 and x.max() <= 1
    flat = np.full((1, 16, 16, 3), 77, np.uint8)
    assert np.abs(to_model_input(flat, "residual")).max() == 0.0
    # Contrast does not change the residual representation much (unit spread per patch).
    a = to_model_input(noisy // 4 + 100, "residual")
    b = to_model_input(noisy, "residual")
    assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.9


def test_unknown_representation() -> None:
    with pytest.raises(ValueError, match="unknown representation"):
        to_model_input(np.zeros((1, 8, 8, 3), np.uint8), "fft")
