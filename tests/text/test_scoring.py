from __future__ import annotations

import numpy as np
import pytest

from fakescope.text.scoring import TextScorer, check_same_tokenizer, window_spans


def test_window_spans_cover_every_token_once():
    for n in (2, 5, 64, 65, 130, 200, 333):
        spans = window_spans(n, 64)
        scored = []
        for start, stop, new_from in spans:
            assert stop - start <= 64 + 16
            assert start < new_from <= stop
            scored.extend(range(new_from, stop))
        assert scored == list(range(1, n))
    assert window_spans(1, 64) == []


def test_short_text_single_window(tiny_lm):
    scorer = TextScorer(tiny_lm, window=64)
    st = scorer.stats("The committee met on Tuesday.")
    assert len(st.windows) == 1
    assert st.n_scored == len(st.ids) - 1
    assert set(st.features) >= {"loglik", "log_rank", "entropy", "curvature", "top10"}
    assert not st.truncated


def test_long_text_windows_and_truncation(tiny_lm, long_text):
    scorer = TextScorer(tiny_lm, window=64, max_tokens=150)
    st = scorer.stats(long_text)
    assert st.truncated and len(st.ids) == 150
    assert len(st.windows) == 3
    assert st.n_scored == 149
    # Pooled features equal the mean over the unique scored tokens.
    assert st.features["loglik"] == pytest.approx(float(st.tokens.loglik.mean()), rel=1e-5)


def test_first_window_matches_a_truncated_text(tiny_lm, long_text):
    full = TextScorer(tiny_lm, window=64).stats(long_text)
    head = TextScorer(tiny_lm, window=64, max_tokens=64).stats(long_text)
    np.testing.assert_allclose(
        full.windows[0].stats.loglik, head.windows[0].stats.loglik, rtol=1e-5, atol=1e-5
    )


def test_memory_and_disk_cache(tiny_lm, long_text, tmp_path, monkeypatch):
    scorer = TextScorer(tiny_lm, window=64, cache_dir=tmp_path / "c")
    a = scorer.stats(long_text)
    assert scorer.stats(long_text) is a
    files = list((tmp_path / "c").rglob("*.npz"))
    assert len(files) == len(a.windows)
    calls = []
    original = tiny_lm.logits
    monkeypatch.setattr(tiny_lm, "logits", lambda ids: calls.append(1) or original(ids))
    fresh = TextScorer(tiny_lm, window=64, cache_dir=tmp_path / "c")
    b = fresh.stats(long_text)
    assert calls == []
    np.testing.assert_allclose(a.tokens.loglik, b.tokens.loglik)
    # A damaged cache entry is recomputed, not trusted.
    files[0].write_bytes(b"garbage")
    c = TextScorer(tiny_lm, window=64, cache_dir=tmp_path / "c").stats(long_text)
    assert len(calls) == 1
    np.testing.assert_allclose(a.tokens.loglik, c.tokens.loglik, rtol=1e-5)


def test_cross_model_needs_same_tokenizer(tiny_lm):
    check_same_tokenizer(tiny_lm, tiny_lm)
    scorer = TextScorer(tiny_lm, cross_lm=tiny_lm, window=64)
    st = scorer.stats("She walked to the station in the rain, thinking about the letter.")
    assert st.tokens.cross_entropy is not None
    # Same model twice: cross-entropy is the entropy, Binoculars = NLL / entropy.
    expected = -st.tokens.loglik.mean() / st.tokens.entropy.mean()
    assert st.features["binoculars"] == pytest.approx(float(expected), rel=1e-4)


def test_cross_model_with_other_tokenizer_is_refused(tiny_lm):
    from fakescope.text.lm import LanguageModel

    class OtherTok:
        def __call__(self, text, **kw):
            return {"input_ids": [1, 2, 3], "offset_mapping": [(0, 1), (1, 2), (2, 3)]}

    other = LanguageModel("other", tiny_lm.model, OtherTok())
    with pytest.raises(ValueError, match="different tokenizers"):
        check_same_tokenizer(tiny_lm, other)
