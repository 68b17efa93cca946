"""FeatureClassifier: fit, predict and a pickle-free round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fakescope.image.classifier import FeatureClassifier


@pytest.mark.parametrize("hidden", [0, 8])
def test_fit_separates_and_round_trips(tmp_path: Path, hidden: int) -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, (100, 5)), rng.normal(1.5, 1, (100, 5))])
    y = np.r_[np.zeros(100), np.ones(100)]
    clf = FeatureClassifier.fit(x, y, hidden=hidden)
    p = clf.predict_proba(x)
    assert ((p > 0.5) == y).mean() > 0.85
    clf.extra["note"] = np.arange(3)
    clf.save(tmp_path / "c.npz")
    back = FeatureClassifier.load(tmp_path / "c.npz")
    np.testing.assert_allclose(back.predict_proba(x), p)
    assert back.extra["note"].tolist() == [0, 1, 2]
