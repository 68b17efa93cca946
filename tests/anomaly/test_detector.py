import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fakescope.anomaly.detector import DEFAULT_WEIGHTS, WEIGHTS_ENV, AnomalyDetector
from fakescope.anomaly.training import TrainConfig, train_anomaly
from fakescope.core.media import Media, MediaError

from .conftest import photo_like


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("anomaly")
    folder = root / "normal"
    folder.mkdir()
    for i in range(5):
        Image.fromarray(photo_like(40, 40, i)).save(folder / f"{i}.png")
    cfg = TrainConfig(
        patch_size=16, width=16, z_dim=8, batch_size=4, gan_steps=2, encoder_steps=2, n_critic=1
    )
    return train_anomaly(folder, root / "out", cfg, progress=False).model_path


def _check(evidence, size: tuple[int, int]) -> None:  # noqa: ANN001
    assert evidence.detector == "anomaly"
    assert 0.0 <= evidence.score <= 1.0
    assert evidence.reason
    assert len(evidence.artefacts) == 2  # critic map and izi_f residual map
    for art in evidence.artefacts:
        assert art.kind == "image"
        assert Image.open(io.BytesIO(art.picture())).size == size
    assert evidence.details["patches"] > 0
    assert 0 <= evidence.details["probability_izif"] <= 1
    evidence.to_dict()  # JSON-serialisable


def test_user_weights_by_path_and_env(tiny_model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    media = Media("photo.png", "image", photo_like(48, 64, 7))
    _check(AnomalyDetector(tiny_model).score(media), (64, 48))
    monkeypatch.setenv(WEIGHTS_ENV, str(tiny_model))
    det = AnomalyDetector()
    assert det.weights == str(tiny_model)
    first, second = det.score(media).score, det.score(media).score
    assert first == second  # deterministic


def test_batch_with_a_too_small_image(tiny_model: Path) -> None:
    det = AnomalyDetector(tiny_model)
    medias = [
        Media("a.png", "image", photo_like(40, 40, 1)),
        Media("tiny.png", "image", np.zeros((8, 8, 3), np.uint8)),
    ]
    ok, small = det.score_batch(medias)
    assert ok.score is not None and small.score is None
    assert "too small" in small.reason


def test_bad_input_and_missing_weights(tiny_model: Path, tmp_path: Path) -> None:
    det = AnomalyDetector(tiny_model)
    with pytest.raises(MediaError, match="not an RGB image"):
        det.score(Media("x.wav", "image", np.zeros(100)))
    with pytest.raises(FileNotFoundError, match="fakescope train anomaly"):
        AnomalyDetector(tmp_path / "nothing.pt")


@pytest.mark.skipif(not DEFAULT_WEIGHTS.exists(), reason="shipped weights not built")
def test_shipped_model_on_real_pixels() -> None:
    det = AnomalyDetector(DEFAULT_WEIGHTS)
    photo = photo_like(256, 256, 11)
    _check(det.score(Media("photo.png", "image", photo)), (256, 256))


@pytest.mark.skipif(not DEFAULT_WEIGHTS.exists(), reason="shipped weights not built")
def test_shipped_weights_are_small_and_calibrated() -> None:
    assert DEFAULT_WEIGHTS.stat().st_size < 5 * 2**20
    det = AnomalyDetector(DEFAULT_WEIGHTS)
    cal = det.model.calibration
    assert {"izif", "critic"} <= set(cal) and cal["critic"]["n"] >= 10
    assert det.model.config["statistic"] in ("critic", "izif")
