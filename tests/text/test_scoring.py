from __future__ import annotations

import numpy as np
import pytest

from fakescope.text.scoring import TextScorer, check_same_tokenizer, window_spans

from .conftest import CORPUS


def test_window_spans_cover_every_token_once():
    for context in (1, 8, 32):
        for n in (2, 5, 64, 65, 130, 200, 333):
            spans = window_spans(n, 64, context=context)
            scored = []
            for start, stop, new_from in spans:
                assert stop - start <= 64 + 16
                assert start < new_from <= stop
                # later windows re-read at most `context` tokens, never more
                assert new_from - start <= max(1, min(context, 32))
                scored.extend(range(new_from, stop))
            assert scored == list(range(1, n))
    assert window_spans(1, 64) == []


def test_windows_rescore_only_the_context_tokens():
    # The old scheme scored a 270-token text as 200 + 200 tokens; now it is one window.
    assert window_spans(270) == [(0, 270, 1)]
    spans = window_spans(1500)
    fed = sum(stop - start for start, stop, _ in spans)
    assert fed <= 1500 + 32 * (len(spans) - 1)


def test_batched_statistics_equal_one_text_at_a_time(tiny_lm):
    # Padding and batching must not change any token's statistics.
    texts = [" ".join(CORPUS[i:] + CORPUS[:i]) * (i + 1) for i in range(4)]
    one_by_one = [TextScorer(tiny_lm, window=64).stats(t) for t in texts]
    batched = TextScorer(tiny_lm, window=64, batch_tokens=4096).stats_batch(texts)
    for a, b in zip(one_by_one, batched, strict=True):
        assert a.ids == b.ids
        np.testing.assert_allclose(a.tokens.loglik, b.tokens.loglik, rtol=1e-4, atol=1e-4)
        np.testing.assert_array_equal(a.tokens.rank, b.tokens.rank)
        np.testing.assert_allclose(a.tokens.variance, b.tokens.variance, rtol=1e-3, atol=1e-4)


def test_batch_runs_each_window_once_and_stays_in_memory(tiny_lm):
    texts = [f"{c} Number {i} of the batch." for i, c in enumerate(CORPUS * 6)]
    # a memory budget far smaller than the batch: the batch must still survive for reuse
    scorer = TextScorer(tiny_lm, window=64, cache_tokens=10)
    first = scorer.stats_batch(texts)
    scored = scorer.windows_scored
    assert scored == sum(len(s.windows) for s in first)
    again = scorer.stats_batch(texts)
    assert scorer.windows_scored == scored
    assert all(a is b for a, b in zip(first, again, strict=True))
    # duplicates inside one batch are scored once
    dup = TextScorer(tiny_lm, window=64).stats_batch([texts[0], texts[0]])
    assert dup[0] is dup[1]


def test_pooled_hidden_states(tiny_lm, long_text):
    st = TextScorer(tiny_lm, window=64, pooled_layers=(1, 2)).stats(long_text)
    assert st.pooled is not None and st.pooled.shape == (2, 32)
    assert TextScorer(tiny_lm, window=64).stats(long_text).pooled is None


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
    # 0-64, 32-96, 64-128, 96-150: each later window re-reads 32 tokens of context
    assert [(w.start, w.stop) for w in st.windows] == [(0, 64), (32, 96), (64, 128), (96, 150)]
    assert st.n_scored == 149
    # Pooled features equal the mean over the unique scored tokens.
    assert st.features["loglik"] == pytest.approx(float(st.tokens.loglik.mean()), rel=1e-5)


def test_first_window_matches_a_truncated_text(tiny_lm, long_text):
    full = TextScorer(tiny_lm, window=64).stats(long_text)
    head = TextScorer(tiny_lm, window=64, max_tokens=64).stats(long_text)
    np.testing.assert_allclose(
        full.windows[0].stats.loglik, head.windows[0].stats.loglik, rtol=1e-5, atol=1e-5
    )


def test_memory_and_disk_cache(tiny_lm, long_text, tmp_path):
    scorer = TextScorer(tiny_lm, window=64, cache_dir=tmp_path / "c")
    a = scorer.stats(long_text)
    assert scorer.stats(long_text) is a
    files = list((tmp_path / "c").rglob("*.npz"))
    assert len(files) == len(a.windows)
    fresh = TextScorer(tiny_lm, window=64, cache_dir=tmp_path / "c")
    b = fresh.stats(long_text)
    assert fresh.windows_scored == 0
    np.testing.assert_allclose(a.tokens.loglik, b.tokens.loglik)
    # A damaged cache entry is recomputed, not trusted.
    files[0].write_bytes(b"garbage")
    again = TextScorer(tiny_lm, window=64, cache_dir=tmp_path / "c")
    c = again.stats(long_text)
    assert again.windows_scored == 1
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
