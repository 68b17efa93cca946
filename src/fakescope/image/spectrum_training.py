"""The ``spectrum`` recipe of ``fakescope train image --real``: spectral features of laundered
real photos and simulated fakes, a logistic or a one-hidden-layer classifier (the better on
validation), and the mean real azimuthal profile drawn in its evidence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fakescope.image.training_data import SimulatedData

HIDDEN_CHOICES = (0, 32)


@dataclass
class SpectrumFit:
    """What the spectrum step leaves for the fusion and the report."""

    val_auc: float
    hidden: int
    val_scores: np.ndarray


def train_spectrum(
    data: SimulatedData,
    out: Path,
    rng: np.random.Generator,
    *,
    seed: int = 0,
    log: Callable[[str], None] = print,
) -> SpectrumFit:
    """Fit the spectrum classifier, write ``out/spectrum.npz`` and score the validation set."""
    from fakescope.core.metrics import roc_auc
    from fakescope.image.classifier import FeatureClassifier
    from fakescope.image.spectrum_features import (
        azimuthal_average,
        log_power_spectrum,
        spectrum_features,
        to_gray,
    )

    log("spectrum: extracting features ...")
    x, y = _training_features(data, rng)
    xv = np.stack([spectrum_features(v[0]) for v in data.val_set])
    yv = data.val_labels
    best = None
    for hidden in HIDDEN_CHOICES:
        clf = FeatureClassifier.fit(x, y, hidden=hidden, seed=seed)
        auc = float(roc_auc(yv, clf.predict_proba(xv)))
        log(f"spectrum: hidden={hidden} validation AUC {auc:.3f}")
        if best is None or auc > best[0]:
            best = (auc, hidden, clf)
    auc, hidden, clf = best
    profiles = [azimuthal_average(log_power_spectrum(to_gray(img))) for img in data.train]
    clf.extra["real_profile"] = np.mean([p - p[:4].mean() for p in profiles], axis=0)
    clf.save(Path(out) / "spectrum.npz")
    return SpectrumFit(auc, hidden, clf.predict_proba(xv))


def _training_features(
    data: SimulatedData, rng: np.random.Generator, rounds: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """``rounds`` passes: each photo laundered, then one laundered fake of it (labels 0, 1)."""
    from fakescope.image.simulate import launder
    from fakescope.image.spectrum_features import spectrum_features

    feats, labels = [], []
    for _round in range(rounds):
        for img in data.train:
            feats.append(spectrum_features(launder(img, rng, p=0.7)))
            labels.append(0)
            feats.append(spectrum_features(launder(data.fake(img, rng), rng, p=0.7)))
            labels.append(1)
    return np.stack(feats), np.array(labels)
