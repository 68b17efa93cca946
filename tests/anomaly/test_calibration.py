import numpy as np
import pytest

from fakescope.anomaly.calibration import (
    apply_calibration,
    fit_calibration,
    fit_gaussian,
    mahalanobis,
)


def test_typical_real_is_low_and_rare_real_is_half() -> None:
    real = np.random.default_rng(0).lognormal(0.0, 0.3, 500)
    cal = fit_calibration(real)
    assert apply_calibration(float(np.median(real)), cal) == pytest.approx(0.1, abs=1e-6)
    assert apply_calibration(float(np.quantile(real, 0.99)), cal) == pytest.approx(0.5, abs=1e-3)
    probs = apply_calibration(real, cal)
    assert np.mean(probs < 0.5) >= 0.98


def test_monotone_and_bounded() -> None:
    cal = fit_calibration(np.array([1.0, 1.1, 1.2, 1.5]))
    xs = np.array([1e-9, 0.5, 1.0, 2.0, 1e9])
    p = apply_calibration(xs, cal)
    assert np.all(np.diff(p) > 0) or np.all(np.diff(p) >= 0)
    assert p.min() >= 0 and p.max() <= 1
    assert p[-1] > 0.99


def test_degenerate_and_too_few() -> None:
    cal = fit_calibration(np.array([2.0, 2.0, 2.0]))
    assert np.isfinite(cal["scale"]) and cal["scale"] > 0
    with pytest.raises(ValueError, match="at least two"):
        fit_calibration(np.array([1.0]))


def test_signed_scores_without_log() -> None:
    real = np.random.default_rng(1).normal(-2.0, 0.5, 300)
    cal = fit_calibration(real, log=False)
    assert cal["log"] is False
    assert apply_calibration(float(np.median(real)), cal) == pytest.approx(0.1, abs=1e-6)
    assert apply_calibration(5.0, cal) > 0.99


def test_mahalanobis_is_two_sided_and_scaled() -> None:
    rng = np.random.default_rng(2)
    real = np.c_[rng.normal(0, 1, 400), rng.normal(5, 0.1, 400)]
    g = fit_gaussian(real)
    low, high = mahalanobis(np.array([[-4.0, 5.0], [4.0, 5.0]]), g)
    assert low == pytest.approx(high, rel=0.1) and low > 3
    # Spread is per feature: 0.3 off in the tight feature is as far as 3 off in the wide one.
    assert mahalanobis(np.array([[0.0, 5.3]]), g)[0] == pytest.approx(3.0, rel=0.15)
    assert np.median(mahalanobis(real, g)) < 1.5
