"""The plain-torch MobileNetV2: torchvision key names, BatchNorm folding, clear load errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from fakescope.image.backbone import (
    BACKBONE_ENV,
    MobileNetFeatures,
    build_mobilenet_v2,
    default_weights_path,
    feature_size,
)


@pytest.fixture
def random_backbone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    torch.manual_seed(0)
    net = build_mobilenet_v2()
    # Non-trivial BatchNorm statistics, so that folding them is really tested.
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
    path = tmp_path / "mnv2.pth"
    torch.save(net.state_dict(), path)
    monkeypatch.setenv(BACKBONE_ENV, str(path))
    return path


def test_torchvision_key_names() -> None:
    keys = set(build_mobilenet_v2().state_dict())
    assert {"features.0.0.weight", "features.1.conv.0.0.weight", "features.1.conv.1.weight",
            "features.2.conv.3.running_var", "features.18.1.weight",
            "classifier.1.weight"} <= keys  # fmt: skip


def test_features_match_unfolded_network(random_backbone: Path) -> None:
    feats = MobileNetFeatures()
    assert feats.path == random_backbone
    net = build_mobilenet_v2().eval()
    net.load_state_dict(torch.load(random_backbone, weights_only=True))
    x = np.random.default_rng(0).integers(0, 256, (2, 96, 96, 3), dtype=np.uint8)
    got = feats.features(x)
    assert got.shape == (2, feature_size())
    t = torch.from_numpy(x).permute(0, 3, 1, 2).float() / 255
    t = (t - torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)) / torch.tensor(
        [0.229, 0.224, 0.225]
    ).view(1, 3, 1, 1)
    with torch.no_grad():
        last = net.features(t).mean(dim=(2, 3)).numpy()
    start = 24 + 32 + 64 + 96 + 160 + 320
    np.testing.assert_allclose(got[:, start : start + 1280], last, rtol=1e-3, atol=1e-4)


def test_missing_env_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BACKBONE_ENV, str(tmp_path / "nope.pth"))
    with pytest.raises(FileNotFoundError, match="nope.pth"):
        default_weights_path()


def test_not_a_state_dict(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"not torch")
    with pytest.raises(ValueError, match="bad.pth"):
        MobileNetFeatures(bad)
    other = tmp_path / "other.pth"
    torch.save({"w": torch.zeros(3)}, other)
    with pytest.raises(ValueError, match="not a MobileNetV2"):
        MobileNetFeatures(other)
