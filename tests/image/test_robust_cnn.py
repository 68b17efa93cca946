"""``robust-cnn``: network shapes, weight round trip, the detector and its torch module, and the
opt-in registration (weights are trained by the user when none ship)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from fakescope.core.media import Media
from fakescope.image.robust_cnn import (
    RobustCNNDetector,
    build_model,
    centre_crop,
    load_model,
    save_model,
)
from fakescope.testing import check_pictures_drawn_on_demand


@pytest.fixture(scope="module")
def weights(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("robust-weights")
    torch.manual_seed(0)
    model = build_model(width=4).eval()
    with torch.no_grad():  # non-trivial BatchNorm statistics, so folding is exercised
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 2.0)
    save_model(
        model, folder / "robust_cnn.npz", {"scale": 0.7, "bias": -0.2, "adversarial_eps": 2 / 255}
    )
    return folder


def _media(rgb: np.ndarray) -> Media:
    return Media("x.png", "image", rgb, {})


def test_model_is_fully_convolutional_and_keeps_every_pixel() -> None:
    m = build_model().eval()
    with torch.no_grad():
        assert m(torch.zeros(2, 3, 128, 96)).shape == (2, 1, 8, 6)
    # no fixed front end: the first learnt layer sees all 12 space-to-depth channels
    assert m.features[0][0].in_channels == 12


@pytest.mark.parametrize("front", ["highpass", "srm", "rgb"])
def test_front_end_is_linear_nothing_saturates(front: str) -> None:
    m = build_model(front=front).eval()
    x = torch.rand(1, 3, 32, 32)
    d = (torch.rand_like(x) * 2 - 1) * 2 / 255
    with torch.no_grad():
        a, b, c = m.prepare(x), m.prepare(x + d), m.prepare(x + 2 * d)
    torch.testing.assert_close(c - b, b - a, atol=1e-4, rtol=1e-4)


def test_highpass_front_end_has_low_gain_and_ignores_flat_colour() -> None:
    m = build_model(front="highpass").eval()
    x = torch.rand(1, 3, 32, 32)
    d = (torch.rand_like(x) * 2 - 1) * 2 / 255
    with torch.no_grad():
        moved = (m.prepare(x + d) - m.prepare(x)).abs().max()
        flat = m.prepare(torch.full((1, 3, 16, 16), 0.3)).abs().max()
    # (identity - binomial blur) has L1 gain 1.5; the front end scales residuals by 16
    assert float(moved) <= 16 * 1.5 * 2 / 255 + 1e-5
    assert float(flat) < 1e-5


def test_unknown_front_end_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown front end"):
        build_model(front="fft")


def test_save_load_round_trip(tmp_path: Path) -> None:
    m = build_model(width=4).eval()
    save_model(m, tmp_path / "w.npz", {"scale": 2.0})
    back, info = load_model(tmp_path / "w.npz")
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(back(x), m(x))
    assert float(info["scale"]) == 2.0


def test_centre_crop_is_even_and_bounded() -> None:
    assert centre_crop(np.zeros((33, 35, 3), np.uint8)).shape == (32, 34, 3)
    assert centre_crop(np.zeros((3000, 64, 3), np.uint8)).shape == (1024, 64, 3)


def test_detector_scores_with_heat_map_and_batches_agree(weights: Path) -> None:
    det = RobustCNNDetector(weights=weights / "robust_cnn.npz")
    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 256, (96, 130, 3), dtype=np.uint8) for _ in range(2)]
    imgs.append(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8))
    batch = det.score_batch([_media(i) for i in imgs])
    for img, ev in zip(imgs, batch, strict=True):
        single = det.score(_media(img))
        assert 0 <= ev.score <= 1 and abs(single.score - ev.score) < 1e-5
    [art] = batch[0].artefacts
    # drawn only when someone looks (scan --json never draws it), like every detector's pictures
    check_pictures_drawn_on_demand(det, _media(imgs[0]))
    assert art.png is None and Image.open(io.BytesIO(art.picture())).size[0] > 0
    assert batch[0].details["grid"] == [6, 9] and batch[0].details["adversarially_trained"]
    json.dumps(batch[0].to_dict())


def test_too_small_images_abstain(weights: Path) -> None:
    det = RobustCNNDetector(weights=weights / "robust_cnn.npz")
    ev = det.score(_media(np.zeros((20, 200, 3), np.uint8)))
    assert ev.score is None and "too small" in ev.reason


def test_torch_module_matches_scores_and_has_gradients(weights: Path) -> None:
    det = RobustCNNDetector(weights=weights / "robust_cnn.npz")
    rng = np.random.default_rng(1)
    imgs = [rng.integers(0, 256, (64, 81, 3), dtype=np.uint8) for _ in range(2)]
    scores = [e.score for e in det.score_batch([_media(i) for i in imgs])]
    x = (torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2).float() / 255).requires_grad_(True)
    logits = det.torch_module()(x)
    np.testing.assert_allclose(torch.sigmoid(logits).detach().numpy(), scores, atol=1e-5)
    logits.sum().backward()
    assert float(x.grad.abs().sum()) > 0


def test_missing_weights_name_the_file_and_the_command(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        RobustCNNDetector(weights=tmp_path / "nothing" / "robust_cnn.npz")
    assert str(tmp_path / "nothing") in str(info.value) and "--adversarial" in str(info.value)


def test_registered_opt_in(weights: Path) -> None:
    from fakescope.core.registry import detector_specs
    from fakescope.core.weights import using_weights

    [spec] = [s for s in detector_specs("image") if s.name == "robust-cnn"]
    assert not spec.default
    with using_weights("image", weights):
        assert spec.factory().name == "robust-cnn"
