"""``spectrum`` detector: a small classifier over the frequency features of up-sampling."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.media import Media
from fakescope.core.weights import weights_file
from fakescope.image import SHIPPED_WEIGHTS
from fakescope.image.classifier import FeatureClassifier
from fakescope.image.render import spectrum_plot
from fakescope.image.spectrum_features import (
    MIN_SIZE,
    N_RADIAL,
    azimuthal_average,
    center_square,
    log_power_spectrum,
    spectrum_features,
    to_gray,
)

WEIGHTS_FILE = "spectrum.npz"


class SpectrumDetector:
    """Frequency fingerprint of up-sampling (Durall et al. 2020; Frank et al. 2020).

    Parameters
    ----------
    weights : path, optional
        A ``spectrum.npz`` written by ``fakescope train image``; defaults to the shipped one (or
        ``$FAKESCOPE_IMAGE_WEIGHTS/spectrum.npz``).

    Examples
    --------
    >>> det = SpectrumDetector()  # doctest: +SKIP
    >>> det.score(media).score  # doctest: +SKIP
    0.93
    """

    name = "spectrum"
    modality = "image"
    abilities = {"weights": "image"}  # see fakescope.testing

    def __init__(self, weights: str | Path | None = None) -> None:
        # a missing file raises WeightsError (a FileNotFoundError) naming where it looked
        path = weights_file("image", WEIGHTS_FILE, SHIPPED_WEIGHTS, weights=weights)
        self.classifier = FeatureClassifier.load(path)
        ref = self.classifier.extra.get("real_profile")
        self.real_profile = None if ref is None else np.asarray(ref, dtype=np.float64)

    def score(self, media: Media) -> Evidence:
        return self.score_batch([media])[0]

    def score_batch(self, medias: list[Media]) -> list[Evidence]:
        feats: list[np.ndarray | None] = []
        for m in medias:
            h, w = m.data.shape[:2]
            feats.append(None if min(h, w) < MIN_SIZE else spectrum_features(m.data))
        valid = [f for f in feats if f is not None]
        probs = iter(self.classifier.predict_proba(np.stack(valid)) if valid else [])
        out = []
        for m, f in zip(medias, feats, strict=True):
            if f is None:
                out.append(
                    Evidence(self.name, None, f"too small to judge (under {MIN_SIZE} pixels)")
                )
                continue
            out.append(self._evidence(m, f, float(next(probs))))
        return out

    def _evidence(self, media: Media, feats: np.ndarray, p: float) -> Evidence:
        gray = center_square(to_gray(media.data))
        spec = log_power_spectrum(gray)
        profile = azimuthal_average(spec)
        profile = profile - profile[:4].mean()
        # High-frequency deviation from the mean real-photo profile, in decades of power.
        hf_dev = None
        if self.real_profile is not None:
            hf_dev = float(np.mean(profile[N_RADIAL // 2 :] - self.real_profile[N_RADIAL // 2 :]))
        peak_ratio = float(feats[-3])
        if p >= 0.7:
            if peak_ratio > 1.0:
                reason = "the frequency spectrum has periodic peaks typical of up-sampling"
            elif hf_dev is not None and hf_dev < 0:
                reason = "the frequency spectrum lacks the fine detail of camera photos"
            else:
                reason = "the frequency spectrum looks like a generator's, not a camera's"
        elif p <= 0.3:
            reason = "the frequency spectrum looks like a camera photo's"
        else:
            reason = "the frequency spectrum is ambiguous"
        small = spec[:: max(1, spec.shape[0] // 128), :: max(1, spec.shape[1] // 128)]
        picture = partial(spectrum_plot, small.copy(), profile, self.real_profile)
        details = {
            "probability": round(p, 6),
            "periodic_peak_log10": round(peak_ratio, 4),
            "analysed_pixels": int(gray.shape[0]),
        }
        if hf_dev is not None:
            details["high_freq_deviation_log10"] = round(hf_dev, 4)
        return Evidence(
            self.name,
            p,
            reason,
            artefacts=[Artefact("image", "Frequency spectrum", render=picture)],
            details=details,
        )
