"""Fit the audio fusers on the calibration clips and write ``fuser.json``.

The speech fuser combines the calibrated scores of ``lfcc-gmm`` and ``spec-cnn``; when
``whisper-embed`` was trained, a variant with it too (used when it votes). The music fuser, when
the folder holds music weights, passes ``music-artifacts`` through.
:func:`fakescope.audio.training.train_all` calls :func:`fit_speech_fusers` last.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np


def fit_speech_fusers(
    out: Path,
    scores: dict[str, list[float]],
    y_cal: np.ndarray,
    holdout: str | None,
    log: Callable[[str], None] = print,
) -> dict[str, dict[str, float]]:
    """The speech fusers (and the music one) to ``out/fuser.json``; calibration-split metrics.

    The default fusion is lfcc-gmm + spec-cnn; whisper-embed is opt-in and gets its own fusion,
    used when it votes (docs/audio.md: it helped on 19 of 30 held-out pairs, not enough).
    """
    from fakescope.core import metrics
    from fakescope.core.fusion import LogisticFuser

    fuser = LogisticFuser.fit({k: scores[k] for k in ("lfcc-gmm", "spec-cnn")}, list(y_cal))
    variants = [LogisticFuser.fit(scores, list(y_cal))] if len(scores) > 2 else []
    fused = {"fused": fuse_all(fuser, scores)}
    for variant in variants:
        fused["fused with whisper-embed"] = fuse_all(variant, scores)
    calib_metrics = {}
    for name, values in (*scores.items(), *fused.items()):
        calib_metrics[name] = {
            "roc_auc": metrics.roc_auc(y_cal, values),
            "eer": metrics.equal_error_rate(y_cal, values)[0],
        }
    log(
        "calibration split: "
        + ", ".join(
            f"{k} AUC {v['roc_auc']:.4f} EER {v['eer']:.2%}" for k, v in calib_metrics.items()
        )
    )
    fuser.info = {
        "trained_on": "calibration split (FSDD speaker nicolas, 30% of Asterisk "
        "prompts, 25% of the training engines' voice settings, vocoded copies of the "
        "calibration speakers when the corpus has them)",
        "holdout_engine": holdout,
    }
    for variant in variants:
        variant.info = dict(fuser.info)
    music_fuser = None
    if (out / "music.npz").exists():
        music_fuser = {"coef": {"music-artifacts": 1.0}, "intercept": 0.0}
    payload = {
        "speech": fuser.to_dict(),
        "speech_variants": [v.to_dict() for v in variants],
        "music": music_fuser,
    }
    (out / "fuser.json").write_text(json.dumps(payload, indent=2) + "\n")
    return calib_metrics


def fuse_all(fuser, scores: dict[str, list[float]]) -> list[float]:
    """``fuser`` applied clip by clip to the calibrated scores of the detectors it was fitted on."""
    from fakescope.core.evidence import Evidence

    names = list(fuser.coef)
    rows = zip(*(scores[n] for n in names), strict=True)
    return [
        fuser.fuse([Evidence(n, v, "") for n, v in zip(names, row, strict=True)]) for row in rows
    ]
