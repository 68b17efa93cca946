"""Pixel-relation statistics (pure NumPy): residual histograms, up-sampling periodicity, the
neighbouring-pixel relation of Tan et al. 2024 (NPR) and colour-residual correlations.

Nearly every generator ends with up-sampling layers, which tie each pixel to its neighbours in a
fixed 2x2 (or 4x4) pattern; cameras tie colours together by demosaicing instead. These numbers
describe those ties without a learnt network, so they are cheap and do not see the scene.

Examples
--------
>>> import numpy as np
>>> lowlevel_features(np.zeros((64, 64, 3), np.uint8)).shape
(57,)
"""

from __future__ import annotations

import numpy as np

_BINS = np.linspace(-12.5, 12.5, 14)
N_FEATURES = 57


def _hist(r: np.ndarray) -> np.ndarray:
    h, _ = np.histogram(np.clip(r, -12.4, 12.4), bins=_BINS)
    return np.log((h + 1.0) / (h.sum() + 13.0))


def _phase_profile(energy: np.ndarray, period: int) -> np.ndarray:
    """Mean residual energy per (y mod p, x mod p) phase, as sorted log ratios to the mean."""
    h, w = energy.shape
    h, w = h - h % period, w - w % period
    e = energy[:h, :w].reshape(h // period, period, w // period, period).mean(axis=(0, 2))
    return np.sort(np.log((e.ravel() + 1e-3) / (e.mean() + 1e-3)))[::-1]


def _npr(gray: np.ndarray, scale_ref: float) -> np.ndarray:
    """NPR: |pixel - its 2x2 block's anchor pixel| per block position, for both grid phases."""
    out = []
    for phase in (0, 1):
        g = gray[phase:, phase:]
        h, w = g.shape[0] - g.shape[0] % 2, g.shape[1] - g.shape[1] % 2
        b = g[:h, :w].reshape(h // 2, 2, w // 2, 2)
        anchor = b[:, :1, :, :1]
        d = np.abs(b - anchor).mean(axis=(0, 2)).ravel()[1:]
        out.append(np.log((d + 1e-3) / scale_ref))
    a, c = out
    return np.concatenate([np.sort(a), np.sort(c), [np.abs(a - c).mean()]])


def lowlevel_features(rgb: np.ndarray) -> np.ndarray:
    """57 pixel-relation statistics of an RGB uint8 image (at least 16x16)."""
    x = rgb.astype(np.float32)
    gray = x @ np.array([0.299, 0.587, 0.114], np.float32)
    lap_c = 4 * x[1:-1, 1:-1] - x[:-2, 1:-1] - x[2:, 1:-1] - x[1:-1, :-2] - x[1:-1, 2:]
    lap = lap_c @ np.array([0.299, 0.587, 0.114], np.float32)
    dh = gray[:, 1:] - gray[:, :-1]
    scale = float(np.abs(dh).mean() + 1e-3)
    energy = np.abs(lap)
    flat = lap_c.reshape(-1, 3)
    flat = flat - flat.mean(axis=0)
    cov = flat.T @ flat
    d = np.sqrt(np.diag(cov)) + 1e-6
    corr = cov / np.outer(d, d)
    m2 = float((lap**2).mean()) + 1e-6
    kurt = float((lap**4).mean() / m2**2)
    return np.concatenate([
        _hist(lap / 4.0),                     # 13
        _hist(dh),                            # 13
        _phase_profile(energy, 2),            # 4
        _phase_profile(energy, 4)[:8],        # 8 strongest phases of 16
        _npr(gray, scale),                    # 7
        [corr[0, 1], corr[0, 2], corr[1, 2]],  # 3
        [np.log(energy.mean() + 1e-3), np.log(scale), np.log(kurt + 1e-3)],  # 3
        _phase_profile(np.abs(dh), 2),        # 4
        [np.log(np.abs(lap_c).mean() + 1e-3) - np.log(energy.mean() + 1e-3),
         np.log(float(np.abs(gray - gray.mean()).mean()) + 1e-3)],  # 2
    ]).astype(np.float32)  # fmt: skip
