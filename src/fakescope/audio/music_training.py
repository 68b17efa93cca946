"""Training the music verdict (``music-artifacts``) and ``fakescope train music``.

Input: the folder written by ``scripts/music/prepare_detection_data.py`` (``shared.npz``: the
generator and real clips of ``../shared/datasets/music`` as 16 kHz mono in a clean, a laundered
and several randomly codec-chained copies; ``offline.npz``: offline real music). The logistic
regression is fitted on every training copy; its calibration (Platt) is fitted on scores that
each clip got from a model trained without its generator family (fakes) or without its source
(reals), so the shipped probabilities are those of unseen generators, not of the training set.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from fakescope.audio import music_fakeprint as mf
from fakescope.audio.music import KINDS, kind_features, save_music_model

Log = Callable[[str], None]
N_REAL_FOLDS = 5


def load_clips(folder: Path, name: str) -> dict[str, np.ndarray] | None:
    """One prepared set (``meta`` rows: id, label, family, source; one array per variant)."""
    path = folder / f"{name}.npz"
    if not path.exists():
        return None
    with np.load(path) as d:
        return {k: d[k] for k in d.files}


def set_features(
    folder: Path, name: str, clips: dict, kinds=KINDS, log: Log = print, spec=mf.NARROW
) -> dict:
    """Model features of every variant of a set, cached in ``feat_<name>_model.npz``."""
    cache = folder / f"feat_{name}_model.npz"
    have = dict(np.load(cache)) if cache.exists() else {}
    if have.get("kinds", np.array([])).tolist() != list(kinds):
        have = {"kinds": np.array(kinds)}
    for variant, audio in clips.items():
        if variant == "meta" or variant in have:
            continue
        have[variant] = np.stack([kind_features(x, tuple(kinds), spec) for x in audio])
        np.savez(cache, **have)
        log(f"music: features {name}/{variant} {have[variant].shape}")
    return have


def _fit(x: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    scaler.scale_ = np.maximum(scaler.scale_, 1e-6)
    lr = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    lr.fit(scaler.transform(x), y)
    return scaler, lr


def _raw(scaler, lr, x: np.ndarray) -> np.ndarray:
    return lr.decision_function(scaler.transform(x))


def real_folds(sources: np.ndarray, n_folds: int = N_REAL_FOLDS) -> dict[str, int]:
    """Real sources to folds, largest first onto the lightest fold (balanced, deterministic)."""
    names, counts = np.unique(sources, return_counts=True)
    load = np.zeros(n_folds)
    out = {}
    for i in np.argsort(-counts, kind="stable"):
        k = int(np.argmin(load))
        out[str(names[i])] = k
        load[k] += counts[i]
    return out


def train_music_detector(
    data: Path, out: Path, c: float, log: Log, spec: mf.Spec = mf.NARROW
) -> dict:
    """Fit the model, calibrate it out-of-family and save ``out``; returns a summary.

    ``spec=WIDE`` trains the 32 kHz variant from ``shared_wide.npz`` (measured by the protocol,
    not shipped)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    suffix = "" if spec is mf.NARROW else "_wide"
    shared = load_clips(data, "shared" + suffix)
    if shared is None:
        raise FileNotFoundError(
            f"{data}: no shared{suffix}.npz (run scripts/music/prepare_detection_data.py first)"
        )
    extra = [n + suffix for n in ("offline",) if load_clips(data, n + suffix) is not None]
    feats = {"shared": set_features(data, "shared" + suffix, shared, log=log, spec=spec)}
    metas = {"shared": shared["meta"]}
    for n in extra:
        clips = load_clips(data, n)
        feats[n] = set_features(data, n, clips, log=log, spec=spec)
        metas[n] = clips["meta"]
    variants = sorted(v for v in shared if v.startswith("train"))
    meta = metas["shared"]
    y = (meta[:, 1] == "fake").astype(int)
    family, source = meta[:, 2], meta[:, 3]
    folds = real_folds(source[y == 0])
    fold_of = np.array(
        [folds.get(s, -1) if lab == 0 else -1 for s, lab in zip(source, y, strict=True)]
    )

    def training_rows(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        xs = [feats["shared"][v][mask] for v in variants]
        ys = [y[mask] for _ in variants]
        for n in extra:
            y_n = (metas[n][:, 1] == "fake").astype(int)
            for v in variants:
                xs.append(feats[n][v])
                ys.append(y_n)
        return np.concatenate(xs), np.concatenate(ys)

    # out-of-family / out-of-source scores for the calibration
    fams = sorted(set(family[y == 1]))
    oof_fake = np.zeros(len(y))
    oof_real = np.zeros(len(y))
    for fam in fams:
        for k in range(N_REAL_FOLDS):
            mask = ((y == 1) & (family != fam)) | ((y == 0) & (fold_of != k))
            scaler, lr = _fit(*training_rows(mask), c)
            clean = feats["shared"]["clean"]
            held_f = family == fam
            oof_fake[held_f] += _raw(scaler, lr, clean[held_f]) / N_REAL_FOLDS
            held_r = (y == 0) & (fold_of == k)
            oof_real[held_r] += _raw(scaler, lr, clean[held_r]) / len(fams)
    oof = np.where(y == 1, oof_fake, oof_real)
    # equal class priors: the data sets' 165 : 100 ratio of machine-made to real clips is an
    # artefact of collecting them, not the odds a user's file is machine-made
    platt = LogisticRegression(C=1.0, class_weight="balanced").fit(oof[:, None], y)
    cal = (float(platt.coef_[0, 0]), float(platt.intercept_[0]))
    scaler, lr = _fit(*training_rows(np.ones(len(y), bool)), c)
    info = (
        f"trained on {len(y)} shared clips x {len(variants)} codec-chained copies"
        f" + {', '.join(extra) or 'nothing else'}; C={c}; Platt on leave-one-family-out scores"
    )
    save_music_model(out, KINDS, scaler, lr, cal, info, spec)
    p_oof = 1 / (1 + np.exp(-(cal[0] * oof + cal[1])))
    summary = {
        "oof_roc_auc": float(roc_auc_score(y, oof)),
        "calibration": cal,
        "oof_real_ge_0.5": float(np.mean(p_oof[y == 0] >= 0.5)),
        "oof_fake_ge_0.5": float(np.mean(p_oof[y == 1] >= 0.5)),
        "oof_real_ge_0.7": float(np.mean(p_oof[y == 0] >= 0.7)),
        "oof_fake_ge_0.7": float(np.mean(p_oof[y == 1] >= 0.7)),
        "n_clips": int(len(y)),
        "extra_sets": extra,
    }
    log(f"music ({spec.name}): out-of-family AUC {summary['oof_roc_auc']:.3f}, calibration {cal}")
    return summary
