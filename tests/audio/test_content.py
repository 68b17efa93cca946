import numpy as np

from fakescope.audio.clip import AudioClip
from fakescope.audio.content import CLASSES, ContentClassifier, classify_clip, content_features


def test_features_are_fixed_length_and_finite(sig):
    for x in (sig.voice_like(0.3, 8000), sig.voice_like(4.0, 8000), np.zeros(100, np.float32)):
        f = content_features(x)
        assert f.shape == (58,) and np.isfinite(f).all()


def test_classifier_probabilities_and_memo(sig):
    clf = ContentClassifier()
    p = clf.predict_proba(
        np.stack(
            [content_features(sig.voice_like(1.0, 8000)), content_features(sig.chirp(2.0, 8000))]
        )
    )
    assert p.shape == (2, 3) and np.allclose(p.sum(axis=1), 1)
    clip = AudioClip(sig.voice_like(9.0, 8000)[:, None], 8000)
    out = classify_clip(clip)
    assert out["label"] in CLASSES and len(out["segments"]) == 3
    assert classify_clip(clip) is out


def test_route_thresholds_and_label():
    from fakescope.audio.content import route

    r = route(np.array([[0.8, 0.15, 0.05], [0.6, 0.3, 0.1]]))
    assert r["label"] == "speech" and r["has_voice"] and not r["has_music"]
    assert r["segments"] == ["speech", "speech"]
    mixed = route(np.array([[0.3, 0.3, 0.4]]))
    assert mixed["label"] == "vocals" and mixed["has_voice"] and mixed["has_music"]
    assert not route(np.array([[0.1, 0.85, 0.05]]))["has_voice"]
    assert route(np.array([[0.6, 0.3, 0.1]]), music_threshold=0.4)["has_music"]


def test_classify_clip_equals_route_of_segment_probs(sig):
    from fakescope.audio.content import CONTENT_RATE, route, segment_probs

    clip = AudioClip(sig.chirp(6.0, 8000)[:, None], 8000)
    expected = route(segment_probs(clip.mono_at(CONTENT_RATE), ContentClassifier()))
    assert classify_clip(clip) == expected
