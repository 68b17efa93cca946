from __future__ import annotations

import math

import numpy as np

from fakescope.text.unigram import (
    COMMON_NATS,
    UNIGRAM_STATISTICS,
    unigram_statistics,
    unigram_table,
)


def test_statistics_by_hand():
    table = np.log(np.array([0.5, 0.25, 1e-4, np.nan]))
    ids = np.array([0, 1, 2, 3, 7])  # 3: not covered, 7: outside the table
    loglik = np.array([-0.2, -1.0, -3.0, -9.0, -9.0])
    s = unigram_statistics(ids, loglik, table)
    uni = -table[:3]
    lm = np.array([0.2, 1.0, 3.0])
    assert math.isclose(s["u_pmi"], float(np.mean(uni - lm)))
    assert math.isclose(s["u_ratio"], lm.sum() / uni.sum())
    assert math.isclose(s["u_rarity"], float(uni.mean()))
    assert uni[2] > COMMON_NATS  # the rare token is left out of the common-token mean
    assert math.isclose(s["u_common_loglik"], -0.6)


def test_predictable_beyond_word_frequency_scores_higher_pmi():
    table = np.log(np.full(10, 0.1))
    ids = np.arange(10)
    fluent = unigram_statistics(ids, np.full(10, -0.5), table)
    random = unigram_statistics(ids, np.full(10, -2.3), table)
    assert fluent["u_pmi"] > random["u_pmi"] and fluent["u_ratio"] < random["u_ratio"]


def test_nothing_covered_gives_nan_not_an_error():
    s = unigram_statistics(np.array([5, 6]), np.array([-1.0, -2.0]), np.log(np.array([0.5])))
    assert set(s) == set(UNIGRAM_STATISTICS) and all(math.isnan(v) for v in s.values())


def test_shipped_table_matches_its_tokenizer_only():
    table = unigram_table("smollm2-135m", 49152)
    assert table is not None and table.shape == (49152,)
    covered = np.isfinite(table)
    assert 40_000 < covered.sum() < 49152  # punctuation, digits and code stay uncovered
    assert np.all(table[covered] < 0)
    assert unigram_table("smollm2-135m", 32000) is None
    assert unigram_table("another-model", 49152) is None


def test_scorer_adds_the_statistics_to_texts_and_windows(tiny_lm):
    from fakescope.text.scoring import TextScorer

    table = np.log(np.full(tiny_lm.vocab_size, 1.0 / tiny_lm.vocab_size))
    text = "The committee met on Tuesday to discuss the new budget for the city schools. " * 3
    plain = TextScorer(tiny_lm, window=32, max_tokens=96, cache_tokens=0).stats(text)
    st = TextScorer(tiny_lm, window=32, max_tokens=96, cache_tokens=0, unigram=table).stats(text)
    assert not set(UNIGRAM_STATISTICS) & set(plain.features)
    want = unigram_statistics(np.asarray(st.ids[1:]), st.tokens.loglik, table)
    for name in UNIGRAM_STATISTICS:
        assert math.isclose(st.features[name], want[name], rel_tol=1e-9)
        assert all(name in w.features for w in st.windows)
    assert math.isclose(st.features["loglik"], plain.features["loglik"], rel_tol=1e-6)
