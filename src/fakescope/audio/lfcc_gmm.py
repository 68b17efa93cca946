"""``lfcc-gmm``: the ASVspoof 2019 countermeasure baseline.

LFCC (20 static + delta + delta-delta) on speech frames; one diagonal-covariance GMM fitted on bona
fide speech, one on spoofed (synthetic) speech; the score is the mean frame log-likelihood ratio,
mapped to a probability by a logistic calibration fitted on held-out speakers. The weights say at
which rate they work (``rate``: 8 kHz, 20 filters on a 256-point FFT, when absent; 16 kHz: 30
filters on a 512-point FFT).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakescope.audio.dsp import SPEECH_RATE, active_frames, lfcc
from fakescope.audio.speech import SpeechDetector

LFCC_SETUP = {8000: (20, 256), 16000: (30, 512)}  # rate -> (linear filters, FFT size)


def segment_lfcc(x: np.ndarray, rate: int = SPEECH_RATE) -> np.ndarray:
    """LFCC frames of one front-end segment at ``rate``, speech frames only (``(n, 60)``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> segment_lfcc(rng.standard_normal(8000).astype(np.float32)).shape[1]
    60
    >>> segment_lfcc(rng.standard_normal(16000).astype(np.float32), 16000).shape
    (99, 60)
    """
    if rate not in LFCC_SETUP:
        raise ValueError(f"lfcc-gmm works at {sorted(LFCC_SETUP)} Hz, not {rate}")
    n_filters, n_fft = LFCC_SETUP[rate]
    feats = lfcc(x, rate, n_filters=n_filters, n_fft=n_fft)
    mask = active_frames(x, rate)[: len(feats)]
    return feats[mask] if mask.sum() >= 5 else feats


class DiagGMM:
    """A diagonal-covariance Gaussian mixture evaluated in NumPy (fitted with scikit-learn).

    Examples
    --------
    >>> g = DiagGMM(np.zeros(1), np.zeros((1, 2)), np.ones((1, 2)))
    >>> round(float(g.log_likelihood(np.zeros((1, 2)))[0]), 4)
    -1.8379
    """

    def __init__(self, weights: np.ndarray, means: np.ndarray, variances: np.ndarray) -> None:
        self.log_weights = np.log(np.maximum(weights, 1e-12)) if weights.any() else weights
        self.means = means.astype(np.float32)
        self.precisions = (1.0 / variances.astype(np.float64)).astype(np.float32)
        d = means.shape[1]
        self._const = (
            self.log_weights
            - 0.5 * d * np.log(2 * np.pi)
            + 0.5 * np.log(self.precisions).sum(axis=1)
            - 0.5 * (self.means**2 * self.precisions).sum(axis=1)
        )

    @classmethod
    def from_sklearn(cls, gm) -> DiagGMM:
        return cls(gm.weights_, gm.means_, gm.covariances_)

    def log_likelihood(self, x: np.ndarray) -> np.ndarray:
        """Per-frame log p(x) ``(n,)``."""
        x = x.astype(np.float32)
        quad = (x**2) @ self.precisions.T - 2.0 * x @ (self.means * self.precisions).T
        comp = self._const - 0.5 * quad
        m = comp.max(axis=1, keepdims=True)
        return (m + np.log(np.exp(comp - m).sum(axis=1, keepdims=True)))[:, 0]


class LfccGmmDetector(SpeechDetector):
    """ASVspoof-style LFCC-GMM countermeasure with calibrated output.

    Parameters
    ----------
    weights : path, optional
        ``.npz`` written by ``fakescope train audio`` (defaults to the shipped file).

    Examples
    --------
    >>> det = LfccGmmDetector()  # doctest: +SKIP
    >>> det.score(media).score  # doctest: +SKIP
    0.97
    """

    name = "lfcc-gmm"
    what = "cepstral (LFCC) statistics"

    def __init__(self, weights: str | Path | None = None) -> None:
        from fakescope.audio.weights_io import weights_path

        data = np.load(weights or weights_path("lfcc_gmm.npz"))
        self.bona = DiagGMM(data["bona_w"], data["bona_mu"], data["bona_var"])
        self.spoof = DiagGMM(data["spoof_w"], data["spoof_mu"], data["spoof_var"])
        self.cal_a, self.cal_b = float(data["cal"][0]), float(data["cal"][1])
        self.sample_rate = int(data["rate"]) if "rate" in data.files else SPEECH_RATE
        if self.sample_rate not in LFCC_SETUP:
            raise ValueError(f"lfcc-gmm weights have an unsupported rate {self.sample_rate}")

    def raw_llr(self, segments: list[np.ndarray]) -> np.ndarray:
        """Mean frame log-likelihood ratio log p(x|spoof) - log p(x|bona fide) per segment."""
        out = np.empty(len(segments))
        for i, seg in enumerate(segments):
            f = segment_lfcc(seg, self.sample_rate)
            out[i] = float(np.mean(self.spoof.log_likelihood(f) - self.bona.log_likelihood(f)))
        return out

    def segment_logits(self, segments: list[np.ndarray]) -> np.ndarray:
        return self.cal_a * self.raw_llr(segments) + self.cal_b


def save_lfcc_gmm(
    path: str | Path, bona, spoof, cal: tuple[float, float], rate: int = SPEECH_RATE
) -> None:
    """Write two fitted ``sklearn.mixture.GaussianMixture`` (diag), the calibration and the rate."""
    np.savez(
        path,
        bona_w=bona.weights_.astype(np.float32),
        bona_mu=bona.means_.astype(np.float32),
        bona_var=bona.covariances_.astype(np.float32),
        spoof_w=spoof.weights_.astype(np.float32),
        spoof_mu=spoof.means_.astype(np.float32),
        spoof_var=spoof.covariances_.astype(np.float32),
        cal=np.array(cal, dtype=np.float64),
        rate=np.array(rate),
    )
