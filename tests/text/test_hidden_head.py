from __future__ import annotations

import numpy as np
import pytest

from fakescope.text.calibration import TextWeights
from fakescope.text.feature_fusion import STATISTICS
from fakescope.text.fitting import fit_weights
from fakescope.text.hidden_head import HIDDEN_FEATURE, HiddenProjection, fit_hidden_fusion
from fakescope.text.scoring import TextScorer

from .test_feature_fusion import _features


def _data(n=80, dim=6, seed=0):
    rng = np.random.default_rng(seed)
    y = np.r_[np.zeros(n), np.ones(n)].astype(int)
    pooled = rng.normal(size=(2 * n, dim)) + 0.8 * y[:, None] * (np.arange(dim) < 2)
    feats = [{"a": float(v), "b": float(w)} for v, w in rng.normal(size=(2 * n, 2)) + y[:, None]]
    return feats, pooled, y


def test_split_fusion_equals_one_standardised_regression():
    from sklearn.linear_model import LogisticRegression

    feats, pooled, y = _data()
    fusion, head = fit_hidden_fusion(feats, pooled, y, ["a", "b"], layer=3, c=0.5)
    x = np.hstack([np.array([[f["a"], f["b"]] for f in feats]), pooled])
    mean, scale = x.mean(0), x.std(0)
    ref = LogisticRegression(C=0.5, max_iter=2000).fit((x - mean) / scale, y)
    want = ref.predict_proba((x - mean) / scale)[:, 1]
    got = [
        fusion.probability(dict(f, **{HIDDEN_FEATURE: head.value(h)}))
        for f, h in zip(feats, pooled, strict=True)
    ]
    np.testing.assert_allclose(got, want, atol=1e-6)
    assert head.layer == 3 and head.size == pooled.shape[1]
    # the head's feature needs the states: without it the fusion gives no verdict
    assert fusion.probability(feats[0]) is None


def test_projection_roundtrip_and_bad_input():
    p = HiddenProjection(layer=4, weight=[0.5, -1.0], bias=0.25)
    assert HiddenProjection.from_dict(p.to_dict()) == p
    with pytest.raises(ValueError, match="expects 2 values, got 3"):
        p.value(np.zeros(3))
    with pytest.raises(ValueError, match="pooling 'last' is not supported"):
        HiddenProjection.from_dict(dict(p.to_dict(), pool="last"))


def test_weights_with_head_keep_an_aligned_fallback(tmp_path):
    feats, y = _features(n=80)
    pooled = _data(n=80)[1]
    weights = fit_weights(
        feats, y, statistics=STATISTICS, pooled=pooled, head_layer=2, head_c=0.1, target_fpr=0.05
    )
    assert weights.hidden is not None and weights.fallback is not None
    loaded = TextWeights.load(weights.save(tmp_path / "w.json"))
    # weights are stored to 7 decimals
    assert loaded.hidden.layer == 2
    np.testing.assert_allclose(loaded.hidden.weight, weights.hidden.weight, atol=1e-7)
    with_head = dict(feats[0], **{HIDDEN_FEATURE: weights.hidden.value(pooled[0])})
    assert loaded.fused_probability(with_head) == pytest.approx(
        weights.feature_fusion.probability(with_head), abs=1e-5
    )
    # no hidden_logit (another model's states): the statistics fallback decides, and its
    # "likely synthetic" threshold sits where the head's does on the training humans
    assert loaded.fused_probability(feats[0]) == pytest.approx(
        weights.fallback.probability(feats[0]), abs=1e-5
    )
    hi = weights.fuser.thresholds[1]
    humans = [f for f, label in zip(feats, y, strict=True) if not label]
    share = np.mean([weights.fallback.probability(f) >= hi - 1e-9 for f in humans])
    assert share <= 0.05 + 1.0 / len(humans)


def test_scorer_adds_the_heads_value_from_the_same_pass(tiny_lm):
    text = "The committee met on Tuesday to discuss the new budget for the city schools. " * 3
    plain = TextScorer(tiny_lm, window=64, max_tokens=96, cache_tokens=0, pooled_layers=(1,))
    st = plain.stats_batch([text])[0]
    head = HiddenProjection(1, [0.1] * st.pooled.shape[1], -0.2)
    scorer = TextScorer(tiny_lm, window=64, max_tokens=96, cache_tokens=0, head=head)
    with_head = scorer.stats_batch([text])[0]
    assert with_head.features[HIDDEN_FEATURE] == pytest.approx(head.value(st.pooled[0]), abs=1e-4)
    assert all(HIDDEN_FEATURE in w.features for w in with_head.windows)
    assert with_head.features["loglik"] == pytest.approx(st.features["loglik"], abs=1e-5)
