from __future__ import annotations

import numpy as np
import pytest

from fakescope.core.evidence import Evidence
from fakescope.text import calibration
from fakescope.text.calibration import (
    Calibration,
    TextFuser,
    TextWeights,
    load_weights,
)
from fakescope.text.fitting import fit_calibration, fit_weights

from .conftest import CALIBRATED_DETECTORS


def _synthetic(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n), np.ones(n)].astype(int)
    shift = np.where(y == 1, 1.0, 0.0)
    feats = [
        {
            "loglik": -3.5 + 0.8 * s + rng.normal(0, 0.4),
            "log_rank": 2.0 - 0.5 * s + rng.normal(0, 0.3),
            "curvature": -0.1 + 0.2 * s + rng.normal(0, 0.1),
            "entropy": 3.0 - 0.3 * s + rng.normal(0, 0.3),
            "loglik_std": 2.8 - 0.3 * s + rng.normal(0, 0.2),
            "surprisal_tail": 0.9 - 0.3 * s + rng.normal(0, 0.15),
        }
        for s in shift
    ]
    return feats, y


def test_fit_calibration_direction_and_means():
    cal = fit_calibration([-4.0, -3.9, -3.7, -2.3, -2.1, -2.0], [0, 0, 0, 1, 1, 1], "loglik")
    assert cal.coef > 0
    assert cal.probability(-1.0) > 0.9 and cal.probability(-5.0) < 0.1
    assert cal.human_mean == pytest.approx(-3.8667, abs=1e-3)
    back = Calibration.from_dict(cal.to_dict())
    assert back.probability(-3.0) == pytest.approx(cal.probability(-3.0))


def test_fit_weights_and_fused_probability(tmp_path):
    feats, y = _synthetic()
    w = fit_weights(feats, y, target_fpr=0.05)
    assert set(w.calibrations) == CALIBRATED_DETECTORS
    assert set(w.fuser.coef) == {"lm-likelihood", "lm-rank", "lm-curvature", "lm-tail"}
    assert w.calibrations["lm-rank"].coef < 0  # lower rank = machine
    assert w.calibrations["lm-tail"].coef < 0  # fewer very surprising tokens = machine
    assert w.calibrations["lm-burstiness"].coef < 0  # more even surprisal = machine
    assert all(v >= 0 for v in w.fuser.coef.values())
    fused = np.array([w.fused_probability(f) for f in feats])
    assert fused[y == 1].mean() > fused[y == 0].mean()
    lo, hi = w.fuser.thresholds
    assert 0 < lo < hi < 1
    # The stated threshold keeps training false positives near the target.
    assert (fused[y == 0] >= hi).mean() <= 0.06
    assert w.info == {}
    path = w.save(tmp_path / "fusion.json")
    again = TextWeights.load(path)
    assert again.fused_probability(feats[0]) == pytest.approx(w.fused_probability(feats[0]))


def test_fused_probability_equals_fuser_on_evidence():
    feats, y = _synthetic(50)
    w = fit_weights(feats, y)
    f = feats[3]
    evidence = [Evidence(n, c.probability(f[c.feature]), "") for n, c in w.calibrations.items()]
    assert w.fuser.fuse(evidence) == pytest.approx(w.fused_probability(f), rel=1e-6)


def test_text_fuser_reads_weights_lazily(tmp_path, monkeypatch):
    feats, y = _synthetic(50)
    path = fit_weights(feats, y).save(tmp_path / "w.json")
    monkeypatch.setenv(calibration.WEIGHTS_ENV, str(path))
    calibration.clear_weights_cache()
    try:
        fuser = TextFuser()
        assert fuser.thresholds == tuple(load_weights().fuser.thresholds)
        assert fuser.fuse([Evidence("lm-likelihood", None, "too short to judge")]) is None
        p = fuser.fuse([Evidence("lm-likelihood", 0.9, ""), Evidence("lm-rank", 0.8, "")])
        assert 0.0 <= p <= 1.0
    finally:
        calibration.clear_weights_cache()


def test_missing_or_broken_weights_have_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="fakescope train text"):
        load_weights(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(ValueError, match="cannot read"):
        TextWeights.load(bad)


def test_shipped_weights_are_valid():
    w = TextWeights.load(calibration.WEIGHTS_PATH)
    assert set(w.fuser.coef) <= set(w.calibrations)
    lo, hi = w.fuser.thresholds
    assert 0 < lo < hi < 1
    assert w.info["n_human"] > 0 and w.info["n_machine"] > 0


def test_fit_fuser_keeps_weights_nonnegative():
    from fakescope.text.fitting import fit_fuser

    # "b" is anti-correlated with the label: free fitting gives it a negative weight.
    scores = {"a": [0.1, 0.3, 0.2, 0.7, 0.9, 0.8], "b": [0.9, 0.8, 0.7, 0.3, 0.2, 0.1]}
    labels = [0, 0, 0, 1, 1, 1]
    free = fit_fuser(scores, labels, nonnegative=False)
    assert free.coef["b"] < 0
    held = fit_fuser(scores, labels)
    assert held.coef["b"] == 0.0 and held.coef["a"] > 0
    lo, hi = held.thresholds
    assert 0 < lo < hi < 1


def test_weights_follow_the_configured_model(monkeypatch):
    from fakescope.text import calibration as cal

    monkeypatch.delenv(cal.WEIGHTS_ENV, raising=False)
    monkeypatch.delenv("FAKESCOPE_TEXT_MODEL", raising=False)
    assert cal.weights_path() == cal.WEIGHTS_PATH  # embedded SmolLM2
    monkeypatch.setenv("FAKESCOPE_TEXT_MODEL", "/models/gemma-3-270m-q4_k_m.gguf")
    gemma = cal.weights_path()
    assert gemma.name == "fusion-gemma-3-270m-q4_k_m.json" and gemma.is_file()
    weights = cal.load_weights(gemma)
    assert weights.model == "gemma-3-270m-q4_k_m.gguf"
    assert set(weights.fuser.coef) == set(cal.DEFAULT_DETECTORS)
    monkeypatch.setenv("FAKESCOPE_TEXT_MODEL", "/models/no-calibration-shipped")
    assert cal.weights_path() == cal.WEIGHTS_PATH  # falls back; evidence names the mismatch
    monkeypatch.setenv(cal.WEIGHTS_ENV, "/somewhere/mine.json")
    assert str(cal.weights_path()) == "/somewhere/mine.json"
