from __future__ import annotations

import json

import numpy as np
import pytest

from fakescope.core import registry
from fakescope.core.evidence import Evidence
from fakescope.core.media import MediaError
from fakescope.video.consistency import TemporalModel
from fakescope.video.detector import VideoFramesDetector
from fakescope.video.loader import load_video

from .conftest import truncate

TEST_DETECTOR = "test-brightness"


class Brightness:
    """A real, tiny image detector for tests: brighter pictures score higher."""

    name = TEST_DETECTOR
    modality = "image"

    def __init__(self) -> None:
        self.calls = 0

    def score(self, media):
        self.calls += 1
        assert media.modality == "image" and media.data.dtype == np.uint8
        return Evidence(self.name, float(media.data.mean() / 255.0), "brightness")


@pytest.fixture
def brightness_detector():
    registry.register_detector(TEST_DETECTOR, "image", Brightness, default=False)
    yield TEST_DETECTOR
    registry._DETECTORS.pop(TEST_DETECTOR, None)


def test_scores_frames_with_image_detectors_and_draws_a_timeline(make_video, brightness_detector):
    media = load_video(make_video(frames=30, fps=15))[0]
    det = VideoFramesDetector(image_detectors=[brightness_detector], temporal_model=None)
    ev = det.score(media)
    assert ev.detector == "video-frames"
    assert 0.0 <= ev.score <= 1.0
    frames = ev.details["frames"]
    assert [f["time"] for f in frames] == pytest.approx([0.0, 0.5, 1.0, 1.5], abs=0.14)
    assert all(f["frame_score"] is not None for f in frames)
    assert ev.details["image_detectors"] == [TEST_DETECTOR]
    titles = [a.title for a in ev.artefacts]
    assert titles[0] == "Per-frame scores over time"
    assert all(a.picture()[:4] == b"\x89PNG" for a in ev.artefacts)
    assert len(ev.artefacts) == 1 + 3  # timeline + worst frames
    json.dumps(ev.to_dict())  # evidence is JSON-serialisable
    again = det.score(media)
    assert again.score == pytest.approx(ev.score)  # deterministic


def test_truncated_video_is_scored_and_explained(make_video, brightness_detector):
    cut = truncate(make_video("clip.mkv", frames=60, fps=15))
    media = load_video(cut)[0]
    ev = VideoFramesDetector(image_detectors=[brightness_detector], temporal_model=None).score(
        media
    )
    assert ev.score is not None
    assert ev.reason.startswith("Damaged video: decoding stopped at")
    assert "readable frames checked" in ev.reason
    assert ev.details["decoding"]["stopped_early"]
    assert 1 <= len(ev.details["frames"]) < 8


def test_faces_feed_face_scores_and_the_temporal_model(make_video, brightness_detector):
    pytest.importorskip("cv2")
    media = load_video(make_video(frames=20, size=(320, 320), fps=10, face=True))[0]
    model = TemporalModel([0] * 4, [1] * 4, [0.0, 1.0, 0.0, 0.0], 0.0)
    ev = VideoFramesDetector(image_detectors=[brightness_detector], temporal_model=model).score(
        media
    )
    assert ev.details["frames_with_face"] >= 2
    assert any(f["face_score"] is not None for f in ev.details["frames"])
    assert ev.details["temporal_score"] is not None
    assert "face consistency" in ev.reason


def test_abstains_without_any_scorer(make_video):
    media = load_video(make_video(frames=10))[0]
    ev = VideoFramesDetector(image_detectors=[], temporal_model=None).score(media)
    assert ev.score is None and "cannot judge" in ev.reason


def test_broken_image_detector_is_noted_not_fatal(make_video):
    media = load_video(make_video(frames=10))[0]
    ev = VideoFramesDetector(image_detectors=["no-such-detector"], temporal_model=None).score(media)
    assert ev.score is None
    assert any("no-such-detector" in n for n in ev.details["notes"])


def test_no_frames_is_a_media_error(make_video, monkeypatch):
    media = load_video(make_video(frames=10))[0]
    monkeypatch.setattr("fakescope.video.detector.FrameReader.__iter__", lambda self: iter(()))
    with pytest.raises(MediaError, match="no frame could be decoded"):
        VideoFramesDetector(image_detectors=[], temporal_model=None).score(media)


def test_a_black_video_is_not_judged_on_its_flat_frames(tmp_path, brightness_detector):
    # Image detectors score flat pictures 1.0; a black screen recording came out "likely
    # synthetic". Flat frames now get no image scores, so the video abstains.
    import av

    path = tmp_path / "black.mp4"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        for _ in range(20):
            frame = av.VideoFrame.from_ndarray(np.zeros((64, 96, 3), np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    [media] = load_video(path)
    ev = VideoFramesDetector(image_detectors=[brightness_detector], temporal_model=None).score(
        media
    )
    assert ev.score is None
