from __future__ import annotations

import numpy as np
import pytest

from fakescope.core.evidence import Evidence
from fakescope.text import calibration
from fakescope.text.calibration import TextFuser, TextWeights
from fakescope.text.feature_fusion import STATISTICS, FeatureFusion, fit_feature_fusion
from fakescope.text.fitting import fit_weights


def _features(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n), np.ones(n)].astype(int)
    feats = []
    for label in y:
        s = float(label)
        f = {
            "loglik": -3.5 + 0.8 * s + rng.normal(0, 0.4),
            "log_rank": 2.0 - 0.5 * s + rng.normal(0, 0.3),
            "curvature": -0.1 + 0.2 * s + rng.normal(0, 0.1),
            "surprisal_tail": 0.9 - 0.3 * s + rng.normal(0, 0.1),
            "entropy": 3.0 - 0.3 * s + rng.normal(0, 0.3),
            "loglik_std": 2.8 - 0.3 * s + rng.normal(0, 0.2),
            "top10": 0.6 + 0.1 * s + rng.normal(0, 0.05),
            "tail_share": 0.2 - 0.05 * s + rng.normal(0, 0.03),
        }
        f["binoculars1"] = -f["loglik"] / f["entropy"]
        feats.append(f)
    return feats, list(y)


def test_fit_matches_scikit_learns_standardised_regression():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    feats, y = _features()
    fusion = fit_feature_fusion(feats, y)
    x = np.array([[f[n] for n in STATISTICS] for f in feats])
    ref = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000)).fit(x, y)
    ours = np.array([fusion.probability(f) for f in feats])
    np.testing.assert_allclose(ours, ref.predict_proba(x)[:, 1], atol=1e-6)


def test_missing_statistic_means_no_verdict_and_roundtrip(tmp_path):
    feats, y = _features()
    fusion = fit_feature_fusion(feats, y)
    partial = dict(feats[0])
    del partial["top10"]
    assert fusion.probability(partial) is None
    assert FeatureFusion.from_dict(fusion.to_dict()) == fusion
    with pytest.raises(ValueError, match="differ in length"):
        FeatureFusion.from_dict({**fusion.to_dict(), "coef": [1.0]})
    with pytest.raises(ValueError, match="missing from some texts"):
        fit_feature_fusion([{"loglik": 1.0}], [1])


def test_weights_with_statistics_fusion_save_load_and_thresholds(tmp_path):
    feats, y = _features()
    w = fit_weights(feats, y, statistics=STATISTICS, target_fpr=0.05)
    assert w.feature_fusion is not None
    humans = sorted(w.fused_probability(f) for f, label in zip(feats, y, strict=True) if not label)
    # at most 5 % of the training humans at or above "likely synthetic"
    hi = w.fuser.thresholds[1]
    assert sum(h >= hi for h in humans) <= max(1, int(0.05 * len(humans)) + 1)
    again = TextWeights.load(w.save(tmp_path / "w.json"))
    assert again.feature_fusion == w.feature_fusion
    assert again.fused_probability(feats[0]) == pytest.approx(w.fused_probability(feats[0]))


def test_text_fuser_reads_the_statistics_from_the_evidence(tmp_path, monkeypatch):
    feats, y = _features()
    w = fit_weights(feats, y, statistics=STATISTICS)
    path = w.save(tmp_path / "fusion.json")
    monkeypatch.setenv(calibration.WEIGHTS_ENV, str(path))
    calibration.clear_weights_cache()
    try:
        fuser = TextFuser()
        ev = [
            Evidence("lm-likelihood", 0.4, "", details={"features": feats[-1]}),
            Evidence("lm-rank", 0.3, "", details={"features": feats[-1]}),
        ]
        assert fuser.fuse(ev) == pytest.approx(w.fused_probability(feats[-1]))
        # the verdict follows the statistics, not the detectors' calibrated scores
        nudged = [Evidence(e.detector, 0.99, "", details=e.details) for e in ev]
        assert fuser.fuse(nudged) == pytest.approx(fuser.fuse(ev))
        shares = fuser.fusion_weights(ev)
        assert set(shares) == {"lm-likelihood", "lm-rank"} and all(v > 0 for v in shares.values())
        assert "lm-likelihood" in fuser.fitted_detectors()
        # evidence without statistics falls back to the per-detector fuser
        assert fuser.fuse([Evidence("lm-likelihood", 0.9, "")]) is not None
    finally:
        calibration.clear_weights_cache()


def test_shipped_weights_use_the_statistics_fusion():
    from fakescope.text.unigram import UNIGRAM_STATISTICS, unigram_table

    w = TextWeights.load(calibration.WEIGHTS_PATH)
    # round 2's recipe CU: the nine LM statistics and the unigram ones, whose table ships too;
    # a model without a table falls back to the nine-statistic regression
    assert w.feature_fusion is not None
    assert tuple(w.feature_fusion.features) == STATISTICS + UNIGRAM_STATISTICS
    assert w.fallback is not None and tuple(w.fallback.features) == STATISTICS
    assert unigram_table(w.model, 49152) is not None
    assert w.window == 512 and 0.5 <= w.fuser.thresholds[1] <= 0.999
