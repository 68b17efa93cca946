"""The residual-cnn recipe of ``train image --real``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakescope.image.residual_cnn_training import _platt, train_residual_cnn


def test_platt_scaling_orders_like_the_logits() -> None:
    z = np.array([-3.0, -1.0, -0.5, 0.5, 1.0, 3.0])
    scale, bias = _platt(z, np.array([0, 0, 0, 1, 1, 1]))
    assert scale > 0 and abs(bias) < 1.0


def test_train_residual_cnn_writes_a_calibrated_detector(simulated_data, tmp_path: Path) -> None:
    from fakescope.image.residual_cnn import ResidualCNNDetector, load_model

    probs, history = train_residual_cnn(
        simulated_data, tmp_path, np.random.default_rng(0), epochs=1, log=lambda m: None
    )
    assert probs.shape == (len(simulated_data.val_set),)
    assert ((probs > 0) & (probs < 1)).all()
    assert [h["epoch"] for h in history] == [1] and np.isfinite(history[0]["loss"])
    ResidualCNNDetector(tmp_path / "residual_cnn.npz")
    _model, calibration = load_model(tmp_path / "residual_cnn.npz")
    assert set(calibration) >= {"scale", "bias"}
