from __future__ import annotations

import json

import numpy as np
import pytest

from fakescope.text.scoring import TextScorer
from fakescope.text.training import (
    score_features,
    small_sample_warnings,
    summary_metrics,
    train,
)

from .conftest import CALIBRATED_DETECTORS


def _jsonl(path, texts):
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    return path


def test_train_end_to_end(tiny_lm, tmp_path, texts):
    HUMAN, MACHINE = texts
    h = _jsonl(tmp_path / "h.jsonl", HUMAN + ["Too short."])
    m = _jsonl(tmp_path / "m.jsonl", MACHINE)
    scorer = TextScorer(tiny_lm, window=64, max_tokens=64)
    weights, data = train([h], [m], scorer, target_fpr=0.34, min_texts=3)
    assert data.labels.count(0) == 3 and data.labels.count(1) == 3
    assert data.skipped == [(f"{h}#4", "too short to judge")]
    assert weights.model == "tiny-test-lm" and weights.window == 64
    assert set(weights.info["train_metrics"]) == CALIBRATED_DETECTORS | {"fused"}
    scores = score_features(weights, data.features)
    assert all(0 <= s <= 1 for s in scores["fused"])
    path = weights.save(tmp_path / "fusion.json")
    assert json.loads(path.read_text())["info"]["n_human"] == 3


def test_train_rejects_unknown_detector_and_empty_side(tiny_lm, tmp_path, texts):
    HUMAN = texts[0]
    from fakescope.core.media import MediaError

    h = _jsonl(tmp_path / "h.jsonl", HUMAN)
    scorer = TextScorer(tiny_lm, window=64)
    with pytest.raises(ValueError, match="unknown text detector"):
        train([h], [h], scorer, detectors=("lm-nope",))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"body": 1}\n')
    with pytest.raises(MediaError, match="no usable machine texts"):
        train([h], [bad], scorer)


def test_train_refuses_a_handful_of_texts(tiny_lm, tmp_path, texts):
    # 3 + 3 texts used to give "AUC 1.000" without a word of warning (issue 16, item 10).
    HUMAN, MACHINE = texts
    h = _jsonl(tmp_path / "h.jsonl", HUMAN)
    m = _jsonl(tmp_path / "m.jsonl", MACHINE)
    scorer = TextScorer(tiny_lm, window=64, max_tokens=64)
    with pytest.raises(ValueError, match=r"need at least 20 usable human texts, got 3"):
        train([h], [m], scorer)
    weights, _ = train([h], [m], scorer, min_texts=3)
    warnings = small_sample_warnings(weights)
    assert any("rests on only 3 human texts" in w for w in warnings)
    assert any("measured on only 3 + 3 samples" in w for w in warnings)


def test_summary_metrics_perfect_and_reversed():
    y = [0, 0, 1, 1]
    good = summary_metrics([0.1, 0.2, 0.8, 0.9], y)
    assert good["roc_auc"] == 1.0 and good["eer"] == 0.0 and good["tpr_at_1pct_fpr"] == 1.0
    bad = summary_metrics([0.9, 0.8, 0.2, 0.1], y)
    assert bad["roc_auc"] == 0.0
    assert np.isfinite(bad["average_precision"])


def test_train_with_a_hidden_state_head_and_thresholds_by_source(tiny_lm, tmp_path, texts):
    HUMAN, MACHINE = texts
    h = _jsonl(tmp_path / "h.jsonl", HUMAN)
    m = _jsonl(tmp_path / "m.jsonl", MACHINE)
    scorer = TextScorer(tiny_lm, window=64, max_tokens=64, cache_tokens=0, pooled_layers=(1,))
    weights, data = train([h], [m], scorer, min_texts=3, head_c=0.5, threshold_by_source=True)
    assert weights.hidden is not None and weights.hidden.layer == 1
    assert weights.fallback is not None
    assert weights.info["head"] == {"layer": 1, "c": 0.5}
    assert all("hidden_logit" in f for f in data.features)
    with pytest.raises(ValueError, match="needs the statistics fusion"):
        train([h], [m], scorer, min_texts=3, statistics=None)
