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
