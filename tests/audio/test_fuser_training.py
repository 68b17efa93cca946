import json

import numpy as np

from fakescope.audio.fuser_training import fit_speech_fusers, fuse_all


def _scores(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.array([0, 1] * (n // 2))
    noisy = lambda s: list(np.clip(0.5 + (y - 0.5) * s + rng.normal(0, 0.2, n), 0.01, 0.99))  # noqa: E731
    return {"lfcc-gmm": noisy(0.4), "spec-cnn": noisy(0.6), "whisper-embed": noisy(0.2)}, y


def test_speech_fuser_and_whisper_variant_written_with_metrics(tmp_path):
    scores, y = _scores()
    logged: list[str] = []
    metrics = fit_speech_fusers(tmp_path, scores, y, "espeak", logged.append)
    payload = json.loads((tmp_path / "fuser.json").read_text())
    assert set(payload["speech"]["coef"]) == {"lfcc-gmm", "spec-cnn"}
    (variant,) = payload["speech_variants"]
    assert set(variant["coef"]) == set(scores)
    assert payload["music"] is None  # no music.npz in the folder
    assert set(metrics) == {*scores, "fused", "fused with whisper-embed"}
    assert metrics["fused"]["roc_auc"] > 0.9 and "calibration split" in logged[0]


def test_music_fuser_only_next_to_music_weights(tmp_path):
    scores, y = _scores()
    two = {k: scores[k] for k in ("lfcc-gmm", "spec-cnn")}
    (tmp_path / "music.npz").write_bytes(b"")
    fit_speech_fusers(tmp_path, two, y, None, lambda m: None)
    payload = json.loads((tmp_path / "fuser.json").read_text())
    assert payload["music"] == {"coef": {"music-artifacts": 1.0}, "intercept": 0.0}
    assert payload["speech_variants"] == []


def test_fuse_all_applies_the_fuser_clip_by_clip():
    from fakescope.core.fusion import LogisticFuser

    scores, y = _scores()
    two = {k: scores[k] for k in ("lfcc-gmm", "spec-cnn")}
    fuser = LogisticFuser.fit(two, list(y))
    fused = fuse_all(fuser, scores)  # extra scores are ignored
    assert len(fused) == len(y) and all(0 <= v <= 1 for v in fused)
    assert np.mean([f for f, t in zip(fused, y, strict=True) if t]) > np.mean(
        [f for f, t in zip(fused, y, strict=True) if not t]
    )
