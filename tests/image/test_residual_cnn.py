"""``residual-cnn``: network shapes, weight round trip, and the shipped detector on real pixels."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from fakescope.core.media import Media
from fakescope.image.residual_cnn import (
    ResidualCNNDetector,
    build_model,
    load_model,
    pool_logits,
    save_model,
)
from fakescope.image.simulate import DecoderBank


@pytest.fixture(scope="module")
def detector() -> ResidualCNNDetector:
    return ResidualCNNDetector()


def _media(rgb: np.ndarray) -> Media:
    return Media("x.png", "image", rgb, {})


def test_model_is_fully_convolutional() -> None:
    m = build_model().eval()
    with torch.no_grad():
        assert m(torch.zeros(2, 3, 128, 96)).shape == (2, 1, 8, 6)


def test_srm_layer_ignores_smooth_content() -> None:
    m = build_model().eval()
    ramp = torch.linspace(0, 1, 64)[None, None, None, :].expand(1, 3, 64, 64)
    r = m.residuals(ramp.contiguous())
    assert float(r[..., 4:-4, 4:-4].abs().max()) < 1e-3


def test_pool_logits_rewards_local_hot_spot() -> None:
    cells = torch.full((1, 1, 8, 8), -4.0)
    cells[0, 0, :2, :4] = 6.0  # one eighth of the cells are sure
    assert float(pool_logits(cells)[0]) > float(cells.flatten().mean())


def test_save_load_round_trip(tmp_path: Path) -> None:
    m = build_model().eval()
    save_model(m, tmp_path / "w.npz", {"scale": 2.0, "bias": -1.0})
    back, info = load_model(tmp_path / "w.npz")
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(back(x), m(x))
    assert float(info["scale"]) == 2.0 and float(info["bias"]) == -1.0


def test_simulated_fakes_score_higher(detector: ResidualCNNDetector, make_photo) -> None:
    photos = [make_photo(seed=s) for s in range(4)]
    bank = DecoderBank(n_decoders=3, train_steps=0, seed=1).fit(photos)  # random decoders
    rng = np.random.default_rng(0)
    fakes = [bank.apply(p, rng, index=i % 3) for i, p in enumerate(photos)]
    real = [e.score for e in detector.score_batch([_media(p) for p in photos])]
    fake = [e.score for e in detector.score_batch([_media(f) for f in fakes])]
    assert np.mean(fake) > np.mean(real) + 0.2


def test_evidence_heat_map(detector: ResidualCNNDetector, photo: np.ndarray) -> None:
    ev = detector.score(_media(photo))
    assert 0 <= ev.score <= 1
    [art] = ev.artefacts
    assert art.kind == "image" and Image.open(io.BytesIO(art.picture())).size == (160, 160)
    assert ev.details["grid"] == [16, 16]
    json.dumps(ev.to_dict())


def test_batch_handles_mixed_sizes(detector: ResidualCNNDetector, photo: np.ndarray) -> None:
    medias = [_media(photo), _media(photo[:200, :120]), _media(photo[:20, :20]), _media(photo)]
    out = detector.score_batch(medias)
    assert len(out) == 4 and out[2].score is None
    assert out[0].score == pytest.approx(out[3].score)
    assert out[1].score == pytest.approx(detector.score(medias[1]).score, abs=1e-5)
