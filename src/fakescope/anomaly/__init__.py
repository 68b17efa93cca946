"""One-class detection: f-AnoGAN trained on real (normal) images only.

``register()`` adds the ``anomaly`` image detector and the ``fakescope train anomaly`` command.
It imports neither torch nor the weights: those load when a scan first asks for the detector.
"""

from __future__ import annotations

from typing import Any


def _make_detector() -> Any:
    from fakescope.anomaly.detector import AnomalyDetector

    return AnomalyDetector()


def register() -> None:
    """Register the ``anomaly`` detector and the ``train anomaly`` command."""
    from fakescope.anomaly.commands import train_command
    from fakescope.core.registry import register_command, register_detector

    register_detector(
        "anomaly",
        "image",
        _make_detector,
        # Opt-in (`scan --extra anomaly`): it costs ~50 ms per image, more than the other image
        # detectors together, and the shipped image fusion gives it no weight yet.
        default=False,
        description="f-AnoGAN one-class model of real photos (critic realness, izi_f "
        "residual); heat maps; opt in with --extra anomaly",
    )
    register_command("train", "anomaly", train_command)
