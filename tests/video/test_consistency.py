from __future__ import annotations

import math

import numpy as np
import pytest

from fakescope.video.clip import probe
from fakescope.video.consistency import (
    FEATURES,
    TemporalModel,
    clip_features,
    load_shipped,
    measure_clip,
)


def _feats(rng, fake: bool) -> dict[str, float]:
    shift = 1.0 if fake else 0.0
    return {
        "flicker_hf": float(np.exp(rng.normal(-3 + shift, 0.3))),
        "flicker_colour": float(np.exp(rng.normal(0 + shift, 0.3))),
        "boundary": float(rng.normal(0 + 0.2 * shift, 0.1)),
        "sharpness": float(rng.normal(0 - 0.3 * shift, 0.1)),
    }


def test_fit_separates_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    feats = [_feats(rng, k % 2 == 1) for k in range(40)]
    labels = [k % 2 for k in range(40)]
    model = TemporalModel.fit(feats, labels)
    p = [model.predict(f) for f in feats]
    assert np.mean([pi for pi, y in zip(p, labels, strict=True) if y]) > 0.8
    assert np.mean([pi for pi, y in zip(p, labels, strict=True) if not y]) < 0.2
    model.save(tmp_path / "m.json")
    again = TemporalModel.load(tmp_path / "m.json")
    assert again.predict(feats[0]) == pytest.approx(p[0])


def test_fit_needs_both_classes():
    rng = np.random.default_rng(1)
    with pytest.raises(ValueError, match="both classes"):
        TemporalModel.fit([_feats(rng, False) for _ in range(4)], [0, 0, 0, 0])


def test_missing_feature_abstains():
    model = TemporalModel([0] * 4, [1] * 4, [1] * 4, 0.0)
    assert model.predict(dict.fromkeys(FEATURES, float("nan"))) is None


def test_clip_features_ignores_nan():
    out = clip_features([{"hf": float("nan"), "colour": 2.0}, {"hf": 0.2, "colour": 4.0}], [], [])
    assert out["flicker_hf"] == 0.2 and out["flicker_colour"] == 3.0
    assert math.isnan(out["boundary"])


def test_shipped_model_loads_if_present():
    model = load_shipped()
    if model is not None:
        assert len(model.coef) == len(FEATURES)


def test_measure_clip_on_a_face_video(make_video):
    pytest.importorskip("cv2")
    from fakescope.video.faces import FaceFinder

    clip = probe(make_video(frames=20, size=(320, 320), fps=10, face=True))
    feats, with_face = measure_clip(clip, [0.0, 0.5, 1.0], FaceFinder())
    assert with_face >= 2
    assert all(math.isfinite(feats[k]) for k in FEATURES)
