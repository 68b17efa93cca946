from pathlib import Path

import numpy as np
import pytest

from fakescope.anomaly.patches import grid_positions
from fakescope.anomaly.scoring import AnomalyModel, patch_value_map, residual_map

from .conftest import photo_like

TINY = {"patch_size": 16, "width": 16, "z_dim": 8}


def test_score_image_fields() -> None:
    model = AnomalyModel.untrained(TINY)
    s = model.score_image(photo_like(40, 56, 0))
    assert s.raw["izif"] > 0 and np.isfinite(s.raw["critic"])
    assert s.probability is None and s.probabilities == {}  # no calibration yet
    assert len(s.patch_scores) == len(s.critic_scores) == len(s.positions)
    assert s.residual_map.shape == s.critic_map.shape == (40, 56)
    assert np.isfinite(s.residual_map).all() and np.isfinite(s.critic_map).all()
    # Top-25% mean is at least the mean of all patches.
    assert s.raw["izif"] >= float(s.patch_scores.mean()) - 1e-9
    assert s.raw["critic"] == pytest.approx(float(s.critic_scores.mean()), rel=1e-5)


def test_batched_equals_single() -> None:
    model = AnomalyModel.untrained(TINY)
    imgs = [photo_like(40, 40, 1), photo_like(48, 32, 2)]
    batched = [s.raw["izif"] for s in model.score_images(imgs, chunk=5)]
    single = [model.score_image(i).raw["izif"] for i in imgs]
    assert np.allclose(batched, single, rtol=1e-5)


def test_calibrate_save_load_round_trip(tmp_path: Path) -> None:
    model = AnomalyModel.untrained(TINY)
    held_out = [photo_like(40, 40, 20 + i) for i in range(5)]
    cal = model.calibrate(held_out)
    assert set(cal) >= {"izif", "critic", "joint", "residual_reference", "critic_patch_median"}
    # Held-out real images sit mostly below 0.5 by construction.
    probs = [s.probability for s in model.score_images(held_out)]
    assert np.median(probs) == pytest.approx(0.1, abs=1e-6)
    model.save(tmp_path / "m.pt")
    loaded = AnomalyModel.load(tmp_path / "m.pt")
    img = photo_like(32, 32, 3)
    # Saved in float16: scores agree to float16 precision.
    a, b = loaded.score_image(img), model.score_image(img)
    assert a.raw["izif"] == pytest.approx(b.raw["izif"], rel=2e-2)
    assert a.raw["critic"] == pytest.approx(b.raw["critic"], rel=5e-2, abs=5e-3)
    assert loaded.config["patch_size"] == 16 and loaded.config["statistic"] == "critic"
    assert 0 <= a.probability <= 1
    assert set(a.probabilities) == {"izif", "critic", "joint"}
    assert a.raw["joint"] >= 0


def test_load_rejects_foreign_files(tmp_path: Path) -> None:
    (tmp_path / "x.pt").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="not a readable anomaly model"):
        AnomalyModel.load(tmp_path / "x.pt")
    with pytest.raises(FileNotFoundError):
        AnomalyModel.load(tmp_path / "missing.pt")


def test_residual_map_marks_uncovered_pixels_nan() -> None:
    m = residual_map((4, 10), [(0, 0)], np.ones((1, 4, 4)))
    assert np.isnan(m[:, 4:]).all() and (m[:, :4] == 1).all()


def test_patch_value_map_fills_a_sparse_grid_without_holes() -> None:
    positions = grid_positions(200, 300, 16, max_patches=24)  # stride > patch: gaps between
    values = np.arange(len(positions), dtype=np.float64)
    m = patch_value_map((200, 300), positions, 16, values)
    assert m.shape == (200, 300) and np.isfinite(m).all()
    for (y, x), v in zip(positions, values, strict=True):
        assert m[y + 8, x + 8] == v  # each patch centre shows its own score
