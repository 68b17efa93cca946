"""Training backbone-probe and the fusion on a tiny genuine-style folder (random backbone)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from fakescope.core.evidence import Evidence
from fakescope.core.media import Media
from fakescope.image.backbone import BACKBONE_ENV, build_mobilenet_v2
from fakescope.image.fusion import load_image_fuser
from fakescope.image.genuine import group_folds, group_of, read_genuine, train_genuine
from fakescope.image.probe import BackboneProbeDetector

from .conftest import natural_image


@pytest.fixture
def random_backbone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    torch.manual_seed(0)
    path = tmp_path / "mnv2.pth"
    torch.save(build_mobilenet_v2().state_dict(), path)
    monkeypatch.setenv(BACKBONE_ENV, str(path))
    return path


@pytest.fixture
def genuine_folder(tmp_path: Path) -> Path:
    """real/: camera-like crops of 4 sources; fake/: blocky x4 up-sampled crops of 4 families."""
    root = tmp_path / "genuine"
    for sub in ("real", "fake"):
        (root / sub).mkdir(parents=True)
    for i in range(24):
        img = natural_image(256, seed=i)[i % 2 * 64 :][:128, :128]
        Image.fromarray(np.ascontiguousarray(img)).save(root / "real" / f"src{i % 4}__p{i}__0.png")
        small = np.asarray(Image.fromarray(natural_image(256, seed=100 + i)).resize((32, 32)))
        fake = np.repeat(np.repeat(small, 4, 0), 4, 1)
        Image.fromarray(fake).save(root / "fake" / f"fam{i % 4}__g{i}__0.png")
    return root


def test_group_names_and_folds() -> None:
    assert group_of(Path("real/urban100__img_001__3.webp")) == "urban100"
    folds = group_folds(["a", "a", "b", "c", "d"], np.array([1, 1, 1, 0, 0]), 2)
    assert folds[0] == folds[1] and set(folds[3:]) == {0, 1}


def test_read_genuine_errors(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    with pytest.raises(ValueError, match="no images"):
        read_genuine(tmp_path)
    (tmp_path / "fake").mkdir()
    Image.fromarray(natural_image(128)).save(tmp_path / "real" / "a.png")
    (tmp_path / "fake" / "b.png").write_bytes(b"broken")
    with pytest.raises(ValueError, match="b.png"):
        read_genuine(tmp_path)


def test_train_genuine_writes_probe_and_fusion(
    tmp_path: Path, genuine_folder: Path, random_backbone: Path
) -> None:
    out = tmp_path / "weights"
    summary = train_genuine(genuine_folder, out, views=1, folds=2, log=lambda m: None)
    assert summary["n_fake"] == 24 and summary["groups"] == 8
    assert (out / "probe.npz").exists()
    fuser = load_image_fuser(out / "fusion.json")
    assert fuser is not None
    assert set(fuser.pixel.coef) == {"backbone-probe"}
    variants = [set(v.coef) for v in fuser.variants]
    assert {"spectrum", "residual-cnn"} in variants
    assert {"backbone-probe", "spectrum", "residual-cnn"} in variants
    assert all(w >= 0 for v in fuser.variants for w in v.coef.values())
    assert 0.5 <= fuser.thresholds[1] <= 0.99
    info = json.loads((out / "fusion.json").read_text())["pixel"]["info"]
    assert "auc" in info

    det = BackboneProbeDetector(out / "probe.npz")
    real = natural_image(256, seed=3)
    ev = det.score(Media("a.png", "image", real))
    assert 0.0 < ev.score < 1.0 and "stage_contributions" in ev.details
    x = torch.from_numpy(real[None]).permute(0, 3, 1, 2).float() / 255.0
    with torch.no_grad():
        z = float(det.torch_module()(x)[0])
    assert abs(1 / (1 + np.exp(-z)) - ev.score) < 1e-4
    small = det.score(Media("s.png", "image", real[:20, :20]))
    assert small.score is None

    # Without the backbone the fusion fitted without the probe is used, not a zero weight.
    pixels = [Evidence("spectrum", 0.9, ""), Evidence("residual-cnn", 0.8, "")]
    assert set(fuser.pixel_fuser(pixels).coef) == {"spectrum", "residual-cnn"}
    assert fuser.uncounted(pixels + [Evidence("anomaly", 0.9, "")]) == ["anomaly"]


def train_app():
    import typer

    from fakescope.image.training import train_command

    app = typer.Typer()  # the command alone, as `fakescope train image` mounts it
    app.command()(train_command)
    return app


def photo_folder(root: Path) -> Path:
    root.mkdir()
    for i in range(6):
        Image.fromarray(natural_image(160, seed=50 + i)).save(root / f"photo{i}.png")
    return root


def test_extra_real_needs_genuine(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    extra, out = photo_folder(tmp_path / "extra"), tmp_path / "w"
    alone = CliRunner().invoke(train_app(), ["--extra-real", str(extra)])
    assert alone.exit_code == 2 and "--real DIR, --genuine DIR" in alone.output
    no_genuine = CliRunner().invoke(
        train_app(), ["--real", str(extra), "--extra-real", str(extra), "--out", str(out)]
    )
    assert no_genuine.exit_code == 2 and "--extra-real" in no_genuine.output
    assert not out.exists()


@pytest.mark.slow
def test_train_command_adds_extra_real_photos(
    tmp_path: Path, genuine_folder: Path, random_backbone: Path
) -> None:
    from typer.testing import CliRunner

    app = train_app()
    extra = photo_folder(tmp_path / "extra")
    out = tmp_path / "w"
    args = ["--genuine", str(genuine_folder), "--extra-real", str(extra), "--out", str(out),
            "--views", "1"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "training_report.json").read_text())["genuine"]
    assert report["extra_real"] == str(extra)
    assert BackboneProbeDetector(out / "probe.npz").classifier.mean.shape == (112,)
