from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from fakescope.text.stats import (
    TokenStats,
    analytic_curvature,
    binoculars_score,
    bucket_fractions,
    loglik_std,
    mean_log_rank,
    rank_buckets,
    summarise,
    surprisal_tail,
    token_statistics,
)


def test_token_statistics_matches_hand_computation():
    logits = torch.tensor([[0.0, 1.0, 2.0], [3.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    ids = [2, 1, 0]
    s = token_statistics(logits, ids)
    p0 = torch.softmax(logits[0], -1)
    p1 = torch.softmax(logits[1], -1)
    assert len(s) == 2
    assert s.loglik[0] == pytest.approx(math.log(p0[1]), abs=1e-6)
    assert s.loglik[1] == pytest.approx(math.log(p1[0]), abs=1e-6)
    assert s.rank.tolist() == [2, 1]
    ent0 = float(-(p0 * p0.log()).sum())
    assert s.entropy[0] == pytest.approx(ent0, abs=1e-6)
    var0 = float((p0 * p0.log() ** 2).sum() - (p0 * p0.log()).sum() ** 2)
    assert s.variance[0] == pytest.approx(var0, abs=1e-6)
    assert s.cross_entropy is None


def test_cross_entropy_of_a_model_with_itself_is_its_entropy():
    torch.manual_seed(0)
    logits = torch.randn(6, 11)
    s = token_statistics(logits, [1, 2, 3, 4, 5, 6], cross_logits=logits)
    np.testing.assert_allclose(s.cross_entropy, s.entropy, rtol=1e-5)


def test_rank_buckets_and_fractions():
    ranks = np.array([1, 10, 11, 100, 101, 1000, 1001])
    assert rank_buckets(ranks).tolist() == [0, 0, 1, 1, 2, 2, 3]
    fr = bucket_fractions(ranks)
    assert fr.sum() == pytest.approx(1.0)
    assert bucket_fractions(np.array([], dtype=int)).tolist() == [0, 0, 0, 0]


def test_mean_log_rank_and_curvature():
    assert mean_log_rank(np.array([1, 1])) == 0.0
    ll = np.array([-1.0, -2.0, -3.0, -2.0])
    ent = np.array([2.0, 2.0, 2.0, 2.0])
    var = np.array([1.0, 1.0, 1.0, 1.0])
    raw = analytic_curvature(ll, ent, var, normalise=False)
    assert raw == pytest.approx(0.0)
    # Likelier-than-expected tokens give positive discrepancy; normalising divides by sqrt(n).
    raw2 = analytic_curvature(ll + 1, ent, var, normalise=False)
    assert raw2 == pytest.approx(4 / 2)
    assert analytic_curvature(ll + 1, ent, var) == pytest.approx(raw2 / 2)
    assert math.isnan(analytic_curvature(np.array([]), np.array([]), np.array([])))


def test_binoculars_direction():
    ll = np.array([-2.0, -2.0])
    assert binoculars_score(ll, np.array([4.0, 4.0])) < binoculars_score(ll, np.array([2.0, 2.0]))


def test_summarise_keys_and_slice():
    s = TokenStats(
        np.array([-1.0, -2.0, -3.0], dtype=np.float32),
        np.array([1, 20, 2000]),
        np.array([1.0, 2.0, 3.0], dtype=np.float32),
        np.array([0.5, 0.5, 0.5], dtype=np.float32),
        np.array([1.0, 1.0, 1.0], dtype=np.float32),
    )
    f = summarise(s)
    assert f["loglik"] == pytest.approx(-2.0)
    assert f["loglik_std"] == pytest.approx(np.std([-1.0, -2.0, -3.0]))
    assert f["surprisal_tail"] == 0.0 and f["tail_share"] == 0.0
    assert f["top10"] == pytest.approx(1 / 3)
    assert f["rest"] == pytest.approx(1 / 3)
    assert f["n_tokens"] == 3
    assert "binoculars" in f
    part = s.slice(1, 3)
    assert len(part) == 2 and part.rank.tolist() == [20, 2000]
    back = TokenStats.from_arrays(s.to_arrays())
    np.testing.assert_array_equal(back.rank, s.rank)


def test_loglik_std_is_the_burstiness_of_surprisal():
    even = np.full(10, -2.0)
    bursty = np.array([-0.1, -0.2, -9.0, -0.1, -0.3, -8.0, -0.2, -0.1, -0.4, -0.2])
    assert loglik_std(even) == 0.0
    assert loglik_std(bursty) > 3.0
    # Shifting every token's log-likelihood changes the mean, not the spread.
    assert loglik_std(bursty - 1.0) == pytest.approx(loglik_std(bursty))
    assert math.isnan(loglik_std(np.array([])))


def test_surprisal_tail_counts_only_very_improbable_tokens():
    assert surprisal_tail(np.array([-0.5, -4.9, -2.0])) == 0.0
    assert surprisal_tail(np.array([-6.0, -1.0])) == pytest.approx(0.5)
    assert surprisal_tail(np.array([-8.0, -1.0]), nats=7.0) == pytest.approx(0.5)
    # Monotone: making any token more predictable never increases it (unlike the spread).
    ll = np.array([-9.0, -0.1, -0.1, -7.0, -0.2])
    assert surprisal_tail(ll + np.array([1.0, 0, 0, 0, 0])) < surprisal_tail(ll)
    prompt = np.full(10, -3.0)  # a human-like prompt ...
    mixed = np.r_[prompt, np.full(40, -0.05)]  # ... followed by a very predictable continuation
    assert surprisal_tail(mixed) <= surprisal_tail(prompt)
    assert loglik_std(mixed) > loglik_std(prompt)  # the spread goes the wrong way here
    assert math.isnan(surprisal_tail(np.array([])))
