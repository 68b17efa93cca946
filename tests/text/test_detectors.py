from __future__ import annotations

import json

import numpy as np
import pytest

from fakescope.core.evidence import Evidence
from fakescope.core.media import Media, MediaError
from fakescope.text.detectors import (
    BurstinessDetector,
    CrossDetector,
    CurvatureDetector,
    EntropyDetector,
    LikelihoodDetector,
    RankDetector,
    TailDetector,
    token_map,
)
from fakescope.text.scoring import TextScorer

from .conftest import CORPUS

CLASSES = [
    LikelihoodDetector,
    RankDetector,
    CurvatureDetector,
    TailDetector,
    BurstinessDetector,
    EntropyDetector,
]


def _media(text, path="t.txt"):
    return Media(path=path, modality="text", data=text)


@pytest.fixture()
def scorer(tiny_lm):
    return TextScorer(tiny_lm, window=64)


@pytest.mark.parametrize("cls", CLASSES)
def test_detector_contract(cls, scorer, tiny_weights, long_text):
    det = cls(scorer=scorer, weights=tiny_weights)
    assert det.modality == "text"
    ev = det.score(_media(long_text))
    assert isinstance(ev, Evidence) and ev.detector == det.name
    assert 0.0 <= ev.score <= 1.0
    assert ev.reason
    again = det.score(_media(long_text))
    assert again.score == ev.score
    json.dumps(ev.to_dict())  # evidence must be JSON-serialisable
    d = ev.details
    assert d["feature"] == det.feature and d["model"] == "tiny-test-lm"
    assert len(d["windows"]) >= 2  # the long text is split into windows
    assert all(0 <= w["score"] <= 1 for w in d["windows"])


@pytest.mark.parametrize("cls", CLASSES)
def test_short_foreign_empty_and_broken(cls, scorer, tiny_weights):
    det = cls(scorer=scorer, weights=tiny_weights)
    short = det.score(_media("A short note."))
    assert short.score is None and short.reason == "too short to judge"
    foreign = det.score(
        _media(
            "Der Hund läuft schnell über die Straße und bellt laut, weil er hungrig ist "
            "und seinen Besitzer sucht, der im Park spazieren geht."
        )
    )
    assert foreign.score is None and "English" in foreign.reason
    assert det.score(_media("   ")).score is None
    broken = Media("f.jsonl#2", "text", "", {"error": "line 2 is not valid JSON"})
    with pytest.raises(MediaError, match="line 2"):
        det.score(broken)
    batch = det.score_batch([broken, _media("A short note.")])
    assert isinstance(batch[0], MediaError) and batch[1].score is None


def test_rank_detector_token_map(scorer, tiny_weights, long_text):
    ev = RankDetector(scorer=scorer, weights=tiny_weights).score(_media(long_text))
    kinds = [a.kind for a in ev.artefacts]
    assert kinds == ["tokens", "table"]
    tokens = ev.artefacts[0].data
    st = scorer.stats(long_text)
    assert len(tokens) == len(st.ids) - 1
    assert all(t["bucket"] in (0, 1, 2, 3) and t["value"] >= 1 for t in tokens)
    # The pieces put back together are the text (the map covers every character).
    assert (
        "".join(t["text"] for t in tokens) == long_text[: len("".join(t["text"] for t in tokens))]
    )
    assert len("".join(t["text"] for t in tokens)) >= len(long_text.rstrip()) - 1
    assert set(ev.details["buckets"]) == {"top10", "top100", "top1000", "rest"}
    table = ev.artefacts[1].data
    assert table[0][0] == "window (tokens)" and len(table) == len(st.windows) + 1


def test_token_map_falls_back_to_decoding(scorer, long_text):
    st = scorer.stats(long_text)
    st.offsets = None
    tokens = token_map(long_text, st, scorer)
    assert len(tokens) == len(st.ids) - 1 and all(isinstance(t["text"], str) for t in tokens)


def test_scores_share_one_forward_pass(tiny_lm, tiny_weights, long_text):
    scorer = TextScorer(tiny_lm, window=64)
    for cls in CLASSES:
        cls(scorer=scorer, weights=tiny_weights).score(_media(long_text))
    assert scorer.windows_scored == len(scorer.stats(long_text).windows)


def test_detectors_of_one_scan_share_a_batch_larger_than_the_cache(tiny_lm, tiny_weights):
    # 300 records used to be scored once per detector (the cache held 256 texts).
    medias = [_media(f"Record {i}: " + " ".join(CORPUS[i % 4 :] * 2)) for i in range(40)]
    scorer = TextScorer(tiny_lm, window=64, cache_tokens=50)
    for cls in CLASSES:
        out = cls(scorer=scorer, weights=tiny_weights).score_batch(medias)
        assert all(e.score is not None for e in out)
    windows = sum(len(scorer.stats(m.data).windows) for m in medias)
    assert scorer.windows_scored == windows


def test_cross_detector_with_a_second_model(tiny_lm, tiny_weights, long_text):
    scorer = TextScorer(tiny_lm, cross_lm=tiny_lm, window=64)
    ev = CrossDetector(scorer=scorer, weights=tiny_weights).score(_media(long_text))
    assert 0.0 <= ev.score <= 1.0 and "cross-perplexity" in ev.reason


def test_cross_detector_without_second_model_says_how_to_configure(monkeypatch, tiny_weights):
    from fakescope.text import scoring

    monkeypatch.delenv("FAKESCOPE_TEXT_CROSS_MODEL", raising=False)
    scoring.clear_shared_scorers()
    det = CrossDetector(weights=tiny_weights)
    ev = det.score(_media("The committee met on Tuesday to discuss the budget " * 5))
    assert ev.score is None and "FAKESCOPE_TEXT_CROSS_MODEL" in ev.reason


def test_unavailable_model_abstains_with_the_reason(monkeypatch, tiny_weights, tmp_path):
    from fakescope.text import lm, scoring

    monkeypatch.setenv(lm.MODEL_ENV, str(tmp_path / "missing-model"))
    scoring.clear_shared_scorers()
    ev = LikelihoodDetector(weights=tiny_weights).score(
        _media("The committee met on Tuesday to discuss the budget " * 5)
    )
    scoring.clear_shared_scorers()
    assert ev.score is None and "cannot load language model" in ev.reason


def test_burstiness_detector_reads_the_loglik_spread(scorer, tiny_weights, long_text):
    ev = BurstinessDetector(scorer=scorer, weights=tiny_weights).score(_media(long_text))
    st = scorer.stats(long_text)
    assert ev.details["feature"] == "loglik_std"
    assert ev.details["value"] == pytest.approx(float(st.tokens.loglik.std()), abs=1e-4)
    assert "nats" in ev.reason and "standard deviation" in ev.reason
    # Calibrated with a negative slope: a more even surprisal means more machine-like.
    cal = tiny_weights.calibrations["lm-burstiness"]
    assert cal.probability(1.0) > cal.probability(3.0)


def test_tail_detector_reads_the_excess_surprisal(scorer, tiny_weights, long_text):
    ev = TailDetector(scorer=scorer, weights=tiny_weights).score(_media(long_text))
    ll = scorer.stats(long_text).tokens.loglik.astype(float)
    assert ev.details["feature"] == "surprisal_tail"
    assert ev.details["value"] == pytest.approx(float(np.maximum(-ll - 5.0, 0).mean()), abs=1e-4)
    assert f"{float(np.mean(ll < -5.0)):.0%} of word pieces" in ev.reason
    cal = tiny_weights.calibrations["lm-tail"]
    assert cal.probability(0.1) > cal.probability(2.0)  # fewer surprises = more machine-like


def test_detector_without_calibration_abstains(scorer, tiny_weights, long_text):
    del tiny_weights.calibrations["lm-tail"]  # a fusion file from before the detector
    ev = TailDetector(scorer=scorer, weights=tiny_weights).score(_media(long_text))
    assert ev.score is None and "fakescope train text" in ev.reason
