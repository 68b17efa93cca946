import numpy as np
import pytest

from fakescope.audio.clip import AudioClip
from fakescope.audio.loader import load_audio
from fakescope.audio.music import (
    MusicArtifactsDetector,
    MusicModel,
    kind_features,
    music_segments,
    native_band_limit,
)
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


def _media(x, rate, label="music"):
    clip = AudioClip(x, rate)
    clip.cache["content"] = {"label": label, "probs": {}, "segments": [], "has_music": True}
    if label == "speech":
        clip.cache["content"]["has_music"] = False
    return Media("m.wav", "audio", clip, {})


def test_segments_cover_the_file_in_3s_pieces():
    segs = music_segments(np.zeros(16000 * 10, np.float32))
    assert [(a, b) for a, b, _ in segs] == [(0.0, 3.0), (3.0, 6.0), (6.0, 10.0)]


def test_features_depend_on_the_audio_not_its_level():
    x = _music(3.0, 16000)[:, 0]
    f = kind_features(x)
    assert np.allclose(f, kind_features(0.1 * x), atol=1e-4)
    assert not np.allclose(f, kind_features(_music(3.0, 16000, seed=3)[:, 0] * np.hanning(48000)))


def test_native_band_limit_sees_a_low_pass():
    x = _music(2.0)
    full = native_band_limit(AudioClip(x, 44100))
    from fakescope.audio.dsp import resample

    low = native_band_limit(AudioClip(resample(resample(x, 44100, 16000), 16000, 44100), 44100))
    assert low < 10_000 < 15_000 < full


def test_detector_scores_music_with_fakeprint_timeline_and_analysis():
    det = MusicArtifactsDetector()
    ev = det.score(_media(_music(12.0), 44100))
    assert 0 <= ev.score <= 1
    titles = [a.title for a in ev.artefacts]
    assert titles[0] == "music fakeprint" and "music analysis" in titles and len(titles) == 3
    assert all(a.png is None for a in ev.artefacts)  # drawn only where a person looks
    assert all(a.picture().startswith(b"\x89PNG") for a in ev.artefacts)
    assert len(ev.details["segments"]) == 4
    assert "tempo_bpm" in ev.details["music_analysis"]


def test_detector_abstains_on_speech_low_rate_and_short():
    det = MusicArtifactsDetector(analysis=False)
    assert det.score(_media(_music(2.0), 44100, "speech")).score is None
    low = det.score(_media(_music(2.0, 8000), 8000))
    assert low.score is None and "too low" in low.reason
    short = det.score(_media(_music(0.5), 44100))
    assert short.score is None and "too short" in short.reason


def test_sample_rate_alone_does_not_decide(stereo_44k):
    """The same music at 44.1 and 48 kHz gets nearly the same score (everything is 16 kHz)."""
    from fakescope.audio.dsp import resample

    det = MusicArtifactsDetector(analysis=False)
    x = _music(6.0)
    a = det.score(_media(x, 44100)).score
    b = det.score(_media(resample(x, 44100, 48000), 48000)).score
    assert abs(a - b) < 0.05
    media = load_audio(stereo_44k)[0]
    ev = det.score(media)
    assert ev.score is None or 0 <= ev.score <= 1


@pytest.mark.parametrize("seed", [0, 1])
def test_same_input_same_score(seed):
    det = MusicArtifactsDetector(analysis=False)
    x = _music(3.0, seed=seed)
    assert det.score(_media(x, 44100)).score == det.score(_media(x.copy(), 44100)).score


def test_old_model_files_get_a_clear_error(tmp_path):
    path = tmp_path / "music.npz"
    np.savez(path, mean=np.zeros(3), scale=np.ones(3), w1=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="fakescope train music"):
        MusicModel(path)
