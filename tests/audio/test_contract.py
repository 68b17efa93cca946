"""Every registered audio detector obeys the Detector contract (sklearn check_estimator style)."""

import json

import pytest

from fakescope.audio.loader import load_audio
from fakescope.core.registry import DetectorUnavailable, create_detector, detector_specs

NAMES = [s.name for s in detector_specs("audio")]


def test_audio_detectors_are_registered():
    assert {"lfcc-gmm", "spec-cnn", "music-artifacts"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_contract(name, voice_wav, stereo_44k, chirp_wav):
    try:
        det = create_detector(name)
    except DetectorUnavailable as exc:  # opt-in model not installed
        pytest.skip(str(exc))
    assert det.modality == "audio" and det.name == name
    for path in (voice_wav, stereo_44k, chirp_wav):
        media = load_audio(path)[0]
        ev = det.score(media)
        assert ev.detector == name
        assert ev.score is None or 0.0 <= ev.score <= 1.0
        assert ev.reason
        json.dumps(ev.to_dict())
        again = det.score(load_audio(path)[0])
        assert again.score == ev.score


def test_espeak_clip_is_flagged_by_the_fused_verdict(espeak_wav):
    from fakescope.core.pipeline import Scanner

    report = next(iter(Scanner().scan([str(espeak_wav)])))
    assert report.modality == "audio" and report.error is None
    assert report.score is not None and report.score > 0.5, report.detector_scores
