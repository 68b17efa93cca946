import pytest

from fakescope.video.aggregate import aggregate_scores, logit, sigmoid, spread


def test_clip_score_pools_mean_and_upper_tail():
    assert aggregate_scores([0.2, 0.2]) == pytest.approx(0.2)
    assert aggregate_scores([0.1] * 9 + [0.99]) > 0.1
    # one odd frame lifts the score, but does not decide alone
    assert aggregate_scores([0.1] * 9 + [0.99]) < 0.5


def test_logit_and_sigmoid_stay_finite():
    assert sigmoid(logit(0.3)) == pytest.approx(0.3)
    assert 0.0 < sigmoid(logit(0.0)) < 1e-5
    assert sigmoid(1e6) < 1.0


def test_spread_keeps_both_ends():
    assert spread(10, 3) == [0, 4, 9]
    assert spread(2, 5) == [0, 1]
    assert spread(7, 1) == [0]
    assert spread(7, 0) == []
