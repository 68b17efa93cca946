"""The spectrum recipe of ``train image --real``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakescope.image.spectrum_training import HIDDEN_CHOICES, train_spectrum


def test_train_spectrum_writes_a_detector_and_scores_validation(
    simulated_data, tmp_path: Path
) -> None:
    from fakescope.core.metrics import roc_auc
    from fakescope.image.spectrum import SpectrumDetector

    logs: list[str] = []
    fit = train_spectrum(simulated_data, tmp_path, np.random.default_rng(0), log=logs.append)
    assert fit.hidden in HIDDEN_CHOICES
    assert fit.val_scores.shape == (len(simulated_data.val_set),)
    assert ((fit.val_scores >= 0) & (fit.val_scores <= 1)).all()
    assert np.isclose(fit.val_auc, roc_auc(simulated_data.val_labels, fit.val_scores))
    assert sum("validation AUC" in m for m in logs) == len(HIDDEN_CHOICES)
    detector = SpectrumDetector(tmp_path / "spectrum.npz")
    assert detector is not None
