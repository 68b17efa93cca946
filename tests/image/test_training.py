"""``fakescope train image``: source splitting and a tiny end-to-end training run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fakescope.core.registry import commands
from fakescope.image.training import load_real_patches, source_key, split_by_source


def test_source_key_groups_crops() -> None:
    assert source_key(Path("ubuntu__Bridge_by_X__07.png")) == "ubuntu__Bridge_by_X"
    assert source_key(Path("holiday.jpg")) == "holiday"


def test_split_never_shares_a_source() -> None:
    keys = [f"s{i // 3}" for i in range(30)]
    tr, va = split_by_source(keys, 0.2, seed=0)
    assert len(va) > 0 and len(tr) + len(va) == 30
    assert not {keys[i] for i in tr} & {keys[i] for i in va}


def test_load_real_patches_skips_small_and_broken(tmp_path: Path, make_photo) -> None:
    Image.fromarray(make_photo(300)).save(tmp_path / "a__00.png")
    Image.new("RGB", (100, 100)).save(tmp_path / "small.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nbroken")
    images, keys = load_real_patches(tmp_path)
    assert [im.shape for im in images] == [(256, 256, 3)] and keys == ["a"]


def test_train_command_is_registered() -> None:
    assert "image" in commands("train")


@pytest.mark.slow
def test_tiny_training_run_writes_loadable_weights(tmp_path: Path, real_patches: Path) -> None:
    from fakescope.image.fusion import load_image_fuser
    from fakescope.image.residual_cnn import ResidualCNNDetector
    from fakescope.image.spectrum import SpectrumDetector
    from fakescope.image.training import train_image

    out = tmp_path / "w"
    summary = train_image(
        real_patches, out, epochs=1, n_decoders=2, decoder_steps=2, log=lambda m: None
    )
    assert {"spectrum.npz", "residual_cnn.npz", "fusion.json", "training_report.json"} <= {
        p.name for p in out.iterdir()
    }
    assert json.loads((out / "training_report.json").read_text())["n_train"] == summary["n_train"]
    SpectrumDetector(out / "spectrum.npz")
    ResidualCNNDetector(out / "residual_cnn.npz")
    assert load_image_fuser(out / "fusion.json") is not None


def test_the_old_import_paths_still_work() -> None:
    from fakescope.image import commands, training, training_data

    assert training.train_command is commands.train_command
    assert training.WEIGHTS_FILES is commands.WEIGHTS_FILES
    assert training._random_crop is training_data.random_crop
    for name in ("PATCH", "CROP", "load_real_patches", "make_fake", "split_by_source"):
        assert getattr(training, name) is getattr(training_data, name)


def test_fit_pixel_fusion_writes_a_fuser_that_loads(tmp_path: Path) -> None:
    from fakescope.image.fusion import load_image_fuser
    from fakescope.image.training import fit_pixel_fusion

    rng = np.random.default_rng(0)
    labels = np.array([0, 1] * 20)
    spectrum = np.clip(0.3 + 0.2 * labels + rng.normal(0, 0.1, 40), 0, 1)
    cnn = np.clip(0.4 + 0.3 * labels + rng.normal(0, 0.1, 40), 0, 1)
    val_auc = fit_pixel_fusion(spectrum, cnn, labels, tmp_path)
    assert list(val_auc) == ["spectrum", "residual-cnn", "fused"]
    assert all(0.5 < v <= 1.0 for v in val_auc.values())
    assert load_image_fuser(tmp_path / "fusion.json") is not None
    info = json.loads((tmp_path / "fusion.json").read_text())
    assert "validation split of simulated fakes" in json.dumps(info)
