from __future__ import annotations

import math

import numpy as np

from fakescope.text.unigram import COMMON_NATS, UNIGRAM_STATISTICS, unigram_statistics


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
