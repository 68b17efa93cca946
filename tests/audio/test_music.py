import numpy as np
import pytest

from fakescope.audio.clip import AudioClip
from fakescope.audio.loader import load_audio
from fakescope.audio.music import FEATURE_NAMES, MusicArtifactsDetector, music_features
from fakescope.audio.music_synth import upsample_from
from fakescope.core.media import Media


def _music(seconds=6.0, rate=44100, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    x = (
        sum(
            np.sin(2 * np.pi * f * t) * (1 + np.sin(t * k))
            for k, f in enumerate((110, 220, 330, 660, 2500, 7000), start=1)
        )
        / 6
    )
    x = x + 0.05 * rng.standard_normal(len(t))
    return np.stack([x, 0.7 * x + 0.3 * np.roll(x, 50)], axis=1).astype(np.float32)


def test_features_see_the_cutoff_and_mono():
    x = _music(2.0)
    f = dict(zip(FEATURE_NAMES, music_features(x), strict=True))
    g = dict(zip(FEATURE_NAMES, music_features(upsample_from(x, 44100, 16000)), strict=True))
    assert g["cutoff"] < 0.45 < f["cutoff"]
    mono = np.repeat(x[:, :1], 2, axis=1)
    assert dict(zip(FEATURE_NAMES, music_features(mono), strict=True))["is_mono"] == 1.0
    assert len(FEATURE_NAMES) == music_features(x).shape[0]


def _media(x, rate, label="music"):
    clip = AudioClip(x, rate)
    clip.cache["content"] = {"label": label, "probs": {}, "segments": []}
    return Media("m.wav", "audio", clip, {})


def test_detector_scores_music_with_spectrum_and_timeline():
    det = MusicArtifactsDetector()
    ev = det.score(_media(_music(12.0), 44100))
    assert 0 <= ev.score <= 1
    assert ev.artefacts[0].png.startswith(b"\x89PNG")
    assert len(ev.details["segments"]) == 3 and len(ev.artefacts) == 2


def test_detector_abstains_on_speech_and_low_rate(stereo_44k):
    det = MusicArtifactsDetector()
    assert det.score(_media(_music(2.0), 44100, "speech")).score is None
    low = det.score(_media(_music(2.0, 8000), 8000))
    assert low.score is None and "too low" in low.reason
    media = load_audio(stereo_44k)[0]
    ev = det.score(media)
    assert ev.score is None or 0 <= ev.score <= 1


@pytest.mark.parametrize("seed", [0, 1])
def test_same_input_same_score(seed):
    det = MusicArtifactsDetector()
    x = _music(3.0, seed=seed)
    assert det.score(_media(x, 44100)).score == det.score(_media(x.copy(), 44100)).score
