import numpy as np
import pytest

from fakescope.core import registry
from fakescope.core.evidence import Evidence
from fakescope.video.crops import frame_media
from fakescope.video.frame_detectors import FrameDetectors


class Mean:
    name, modality = "test-mean", "image"

    def score(self, media):
        return Evidence(self.name, float(media.data.mean() / 255.0), "mean")


class BatchBreaks(Mean):
    name = "test-batch-breaks"

    def score_batch(self, medias):
        raise RuntimeError("no batches today")


@pytest.fixture
def registered():
    for cls in (Mean, BatchBreaks):
        registry.register_detector(cls.name, "image", cls, default=False)
    yield
    for cls in (Mean, BatchBreaks):
        registry._DETECTORS.pop(cls.name, None)


def _textured(level: int) -> np.ndarray:
    rng = np.random.default_rng(level)
    return np.clip(level + rng.integers(-20, 20, (32, 32, 3)), 0, 255).astype(np.uint8)


def test_scores_each_picture_with_each_detector_batch_or_not(registered):
    panel = FrameDetectors(["test-mean", "test-batch-breaks"])
    assert not panel.started
    images = [frame_media("a@0s", _textured(60)), frame_media("a@1s", _textured(200))]
    per_image = panel.score(images)
    assert panel.started
    assert [[e.detector for e in evs] for evs in per_image] == [
        ["test-mean", "test-batch-breaks"]
    ] * 2
    assert per_image[0][0].score < per_image[1][0].score
    assert per_image[1][1].score == pytest.approx(per_image[1][0].score)  # fell back to score()


def test_flat_pictures_get_no_scores(registered):
    panel = FrameDetectors(["test-mean"])
    black = frame_media("a@0s", np.zeros((32, 32, 3), np.uint8))
    assert panel.score([black, frame_media("a@1s", _textured(90))])[0] == []


def test_a_detector_that_cannot_start_is_noted():
    panel = FrameDetectors(["no-such-detector"])
    assert panel.detectors() == []
    assert "no-such-detector" in panel.notes[0]


def test_fuse_uses_the_image_fuser_or_a_logit_mean():
    assert FrameDetectors.fuse([Evidence("x", None, "abstains")]) is None
    assert 0.0 <= FrameDetectors.fuse([Evidence("test-mean", 0.8, "")]) <= 1.0
