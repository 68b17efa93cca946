import numpy as np
import pytest
from sklearn import metrics as skm

from fakescope.core import metrics


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(200), np.ones(150)].astype(int)
    s = np.r_[rng.normal(0, 1, 200), rng.normal(1.2, 1, 150)]
    s[:20] = np.round(s[:20], 1)  # ties
    return y, s


def test_roc_auc_matches_scikit_learn(data):
    y, s = data
    assert metrics.roc_auc(y, s) == pytest.approx(skm.roc_auc_score(y, s), abs=1e-12)


def test_average_precision_matches_scikit_learn(data):
    y, s = data
    assert metrics.average_precision(y, s) == pytest.approx(
        skm.average_precision_score(y, s), abs=1e-12
    )


def test_eer_is_where_error_rates_cross(data):
    y, s = data
    eer, thr = metrics.equal_error_rate(y, s)
    fpr = np.mean(s[y == 0] >= thr)
    fnr = np.mean(s[y == 1] < thr)
    assert abs(eer - fpr) < 0.02 and abs(eer - fnr) < 0.02


def test_perfect_and_inverted_separation():
    y = [0, 0, 1, 1]
    assert metrics.roc_auc(y, [0, 0.1, 0.8, 0.9]) == 1.0
    assert metrics.roc_auc(y, [0.9, 0.8, 0.1, 0]) == 0.0
    assert metrics.equal_error_rate(y, [0, 0.1, 0.8, 0.9])[0] == 0.0
    assert metrics.tpr_at_fpr(y, [0, 0.1, 0.8, 0.9], 0.01) == 1.0


def test_tpr_at_fpr_respects_the_limit(data):
    y, s = data
    fpr, tpr, thr = skm.roc_curve(y, s)
    expected = tpr[fpr <= 0.05].max()
    assert metrics.tpr_at_fpr(y, s, 0.05) == pytest.approx(expected)


def test_single_class_is_an_error():
    with pytest.raises(ValueError, match="at least one real and one"):
        metrics.roc_auc([1, 1], [0.2, 0.3])


def test_our_own_roc_code_is_gone():
    # scikit-learn computes ROC curves, ROC-AUC and AP; fakescope keeps only EER and TPR@FPR
    assert not hasattr(metrics, "roc_curve") and not hasattr(metrics, "accuracy_at")
