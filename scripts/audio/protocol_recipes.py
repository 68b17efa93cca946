"""What ``generalise_protocol.py`` trains in every split (each recipe returns ``fit_score``).

``fit_score(train, cal, test)`` fits on the ``train`` copies, calibrates on the ``cal`` copies
(:func:`fakescope.audio.speech_protocol.calibrate`) and returns the raw scores of ``test``.
The trained recipes also record ``(test, raw_test, raw_cal, calibration)`` of every split in
``data.side_scores[name]``, so that a fusion run tabulates its members as well.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakescope.audio.speech_protocol import Calibration, balance_weights, calibrate

MAX_TRAIN: int | None = None  # --max-train: a random subset of the training copies (CPU budget)


def recipe_whisper(data, layers: int | None = None):
    """The whisper-embed head; ``layers``: statistics of the stem and the first ``layers``
    encoder layers only (a faster encoder run)."""
    from fakescope.audio.speech_training import fit_whisper_head

    x = data.whisper(layers)

    def fit_score(train, cal, test):
        w = balance_weights(data.labels[train], data.groups[train], data.narrow[train])
        head = fit_whisper_head(x[train], data.labels[train], w)
        raw_cal, raw_test = head.raw(x[cal]), head.raw(x[test])
        calib = calibrate(raw_cal, data.labels[cal], data.groups[cal])
        data.side_scores.setdefault("whisper-lr", []).append((test, raw_test, raw_cal, calib))
        return raw_test, calib

    return fit_score


def audio_at(data, idx, rate: int) -> list[np.ndarray]:
    """Front-end audio of copies: 16 kHz as prepared (int16), or the 8 kHz front end of it."""
    if rate == 16000:
        return [data.copies[i].pcm for i in idx]
    from fakescope.audio.dsp import speech_frontend

    return [speech_frontend(data.copies[i].audio, 16000) for i in idx]


def _subset(train, seed: int):
    if MAX_TRAIN and len(train) > MAX_TRAIN:
        return np.sort(np.random.default_rng(seed).choice(train, MAX_TRAIN, replace=False))
    return train


def cnn_fit(data, train, epochs: int, seed: int, rate: int = 16000, rawboost_p: float = 0.5):
    from fakescope.audio.speech_training import train_spec_cnn16

    train = _subset(train, seed)
    w = balance_weights(data.labels[train], data.groups[train], data.narrow[train])
    return train_spec_cnn16(
        audio_at(data, train, rate),  # 16 kHz: int16, converted crop by crop (memory)
        data.labels[train],
        w,
        epochs,
        seed,
        log=lambda m: None,
        rate=rate,
        rawboost_p=rawboost_p,
    )


def recipe_cnn(data, epochs: int, members: int = 1, rate: int = 16000, rawboost_p: float = 0.5):
    from fakescope.audio.speech_training import cnn_raw_logits

    def fit_score(train, cal, test):
        raws_cal, raws_test = [], []
        for m in range(members):
            model = cnn_fit(data, train, epochs, m, rate, rawboost_p)
            raws_cal.append(cnn_raw_logits(model, audio_at(data, cal, rate), rate))
            raws_test.append(cnn_raw_logits(model, audio_at(data, test, rate), rate))
        raw_cal, raw_test = np.mean(raws_cal, axis=0), np.mean(raws_test, axis=0)
        calib = calibrate(raw_cal, data.labels[cal], data.groups[cal])
        data.side_scores.setdefault("spec-cnn", []).append((test, raw_test, raw_cal, calib))
        return raw_test, calib

    return fit_score


class LfccFrames:
    """LFCC frames of a copy at ``rate`` (recomputed when asked: cheap next to the memory of
    keeping them for thousands of copies)."""

    def __init__(self, data, rate: int) -> None:
        self.data, self.rate = data, rate

    def __call__(self, i: int) -> np.ndarray:
        from fakescope.audio.lfcc_gmm import segment_lfcc
        from fakescope.audio.speech_cache import pcm_to_float

        (x,) = audio_at(self.data, [i], self.rate)
        return segment_lfcc(pcm_to_float(x), self.rate).astype(np.float32)


def recipe_lfcc_gmm(data, rate: int = 16000, components: int = 32):
    """Bona fide and spoof GMMs on LFCC frames (ASVspoof baseline), mean frame LLR
    (:func:`fakescope.audio.speech_training.fit_lfcc_gmms`)."""
    from fakescope.audio.lfcc_gmm import DiagGMM
    from fakescope.audio.speech_training import fit_lfcc_gmms

    frames = LfccFrames(data, rate)

    def fit_score(train, cal, test):
        w = balance_weights(data.labels[train], data.groups[train], data.narrow[train])
        bona, spoof = fit_lfcc_gmms(frames, train, data.labels[train], w, components)
        gmms = [DiagGMM.from_sklearn(bona), DiagGMM.from_sklearn(spoof)]

        def llr(idx):
            out = np.empty(len(idx))
            for k, i in enumerate(idx):
                f = frames(int(i))
                out[k] = float(np.mean(gmms[1].log_likelihood(f) - gmms[0].log_likelihood(f)))
            return out

        raw_cal, raw_test = llr(cal), llr(test)
        calib = calibrate(raw_cal, data.labels[cal], data.groups[cal])
        data.side_scores.setdefault("lfcc-gmm", []).append((test, raw_test, raw_cal, calib))
        return raw_test, calib

    return fit_score


def recipe_fusion(data, parts: dict):
    """Members fitted in turn (``parts``: name -> fit_score of a recipe that records its scores
    in ``data.side_scores[name]``), each calibrated, fused by logistic regression on the
    calibration part; the fused score is calibrated on the same part. The members' own scores
    stay in ``data.side_scores`` (``generalise_protocol`` tabulates them too)."""
    from sklearn.linear_model import LogisticRegression

    def fit_score(train, cal, test):
        z_cal, z_test = [], []
        y_cal, g_cal = data.labels[cal], data.groups[cal]
        for name, fit in parts.items():
            raw_test, calib = fit(train, cal, test)
            raw_cal = data.side_scores[name][-1][2]
            z_cal.append(calib.logits(raw_cal))
            z_test.append(calib.logits(raw_test))
        lr = LogisticRegression(C=1.0).fit(np.c_[tuple(z_cal)], y_cal)
        fused_cal = lr.decision_function(np.c_[tuple(z_cal)])
        return lr.decision_function(np.c_[tuple(z_test)]), calibrate(fused_cal, y_cal, g_cal)

    return fit_score


def recipe_before(data, weights: Path):
    """The previous release's default detectors, as shipped (trained on none of this data)."""
    import os

    os.environ["FAKESCOPE_AUDIO_WEIGHTS"] = str(weights)
    from fakescope.audio.dsp import SPEECH_RATE, speech_frontend
    from fakescope.audio.fusion import AudioFuser
    from fakescope.audio.lfcc_gmm import LfccGmmDetector
    from fakescope.audio.spec_cnn import SpecCnnDetector
    from fakescope.core.evidence import Evidence
    from fakescope.core.fusion import logit, sigmoid

    gmm, cnn, fuser = LfccGmmDetector(), SpecCnnDetector(), AudioFuser()
    memo: dict[int, float] = {}

    def score(i: int) -> float:
        if i not in memo:
            seg = speech_frontend(data.copies[i].audio, 16000)
            if len(seg) < 0.2 * SPEECH_RATE:
                seg = np.resize(seg, int(0.2 * SPEECH_RATE))
            ev = [
                Evidence("lfcc-gmm", sigmoid(float(gmm.segment_logits([seg])[0])), ""),
                Evidence("spec-cnn", sigmoid(float(cnn.segment_logits([seg])[0])), ""),
            ]
            memo[i] = logit(fuser.fuse(ev))
        return memo[i]

    def fit_score(train, cal, test):
        return np.array([score(i) for i in test]), Calibration(1.0, 0.0, 0.7)

    return fit_score
