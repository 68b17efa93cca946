"""Frequency features of up-sampling: pure functions over arrays.

- :func:`azimuthal_average` of the log power spectrum (Durall et al., "Watch your up-convolution",
  CVPR 2020): generators leave too much or too little energy at high frequencies.
- :func:`dct_grid` of the log DCT magnitudes (Frank et al., "Leveraging frequency analysis for deep
  fake image recognition", ICML 2020): up-sampling leaves a grid of peaks in the DCT plane.
- :func:`periodicity_features`: interpolation makes the size of a linear predictor's residual
  periodic with the up-sampling period, which shows as peaks in its spectrum (the idea of Popescu
  and Farid's resampling detector, computed cheaply).

All functions take grey-level float arrays; :func:`spectrum_features` concatenates them into the
vector the ``spectrum`` detector classifies.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import fft as sfft

#: Side of the square analysed; larger images use their centre crop, smaller their largest square.
ANALYSIS_SIZE = 256
MIN_SIZE = 64
N_RADIAL = 32
DCT_GRID = 8
N_FEATURES = N_RADIAL + DCT_GRID * DCT_GRID + 6


def to_gray(rgb: np.ndarray) -> np.ndarray:
    """ITU-R BT.601 luma of an HxWx3 uint8 array, as float32 in [0, 255].

    Examples
    --------
    >>> float(to_gray(np.full((2, 2, 3), 255, np.uint8)).max())
    255.0
    """
    rgb = np.asarray(rgb, dtype=np.float32)
    if rgb.ndim == 2:
        return rgb
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def center_square(gray: np.ndarray, size: int = ANALYSIS_SIZE) -> np.ndarray:
    """Centre crop to ``min(size, h, w)`` square, without resampling (resampling would erase
    the very traces being measured).

    Examples
    --------
    >>> center_square(np.zeros((300, 500)), 256).shape
    (256, 256)
    """
    h, w = gray.shape[:2]
    s = min(size, h, w)
    y, x = (h - s) // 2, (w - s) // 2
    return gray[y : y + s, x : x + s]


def log_power_spectrum(gray: np.ndarray) -> np.ndarray:
    """Centred log10 power spectrum of a mean-removed grey image.

    Examples
    --------
    >>> log_power_spectrum(np.random.default_rng(0).random((8, 8))).shape
    (8, 8)
    """
    g = np.asarray(gray, dtype=np.float32)
    f = np.fft.fftshift(sfft.fft2(g - g.mean()))
    return np.log10(f.real**2 + f.imag**2 + 1e-8)


def azimuthal_average(spec: np.ndarray, n_bins: int = N_RADIAL) -> np.ndarray:
    """Mean of a centred 2-D spectrum over rings of equal relative frequency (0 = DC, 1 = Nyquist).

    Returns ``n_bins`` values; corners beyond the Nyquist circle are ignored so the profile does not
    depend on the image size.

    Examples
    --------
    >>> azimuthal_average(np.ones((16, 16)), n_bins=4)
    array([1., 1., 1., 1.])
    """
    idx, counts = _radial_index(spec.shape[0], spec.shape[1], n_bins)
    sums = np.bincount(idx, weights=spec.ravel(), minlength=n_bins + 1)[:n_bins]
    return sums / counts


def dct_grid(gray: np.ndarray, grid: int = DCT_GRID) -> np.ndarray:
    """Log DCT-II magnitudes of the whole image, averaged over a ``grid x grid`` tiling of the
    frequency plane (row-major, low frequencies first) and centred (mean removed).

    Examples
    --------
    >>> dct_grid(np.random.default_rng(0).random((32, 32)), grid=4).shape
    (16,)
    """
    g = np.asarray(gray, dtype=np.float32)
    d = np.log(np.abs(sfft.dctn(g - g.mean(), norm="ortho")) + 1e-3)
    h, w = d.shape
    hs, ws = h // grid, w // grid
    pooled = d[: hs * grid, : ws * grid].reshape(grid, hs, grid, ws).mean(axis=(1, 3))
    return (pooled - pooled.mean()).ravel()


def second_differences(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical second differences (a linear predictor's residual).

    Interpolated pixels are well predicted by their neighbours, so the size of these residuals
    varies periodically in an up-sampled image.

    Examples
    --------
    >>> dx, dy = second_differences(np.arange(16.0).reshape(4, 4))
    >>> float(np.abs(dx).max()), float(np.abs(dy).max())
    (0.0, 0.0)
    """
    g = np.asarray(gray, dtype=np.float32)
    return g[:, :-2] - 2 * g[:, 1:-1] + g[:, 2:], g[:-2] - 2 * g[1:-1] + g[2:]


def periodicity_features(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """Peaks in the spectrum of the residual magnitude, projected on each axis.

    Up-sampling by a factor ``k`` makes the residual magnitude periodic with period ``k`` pixels,
    so its spectrum has a peak at relative frequency ``2/k`` (1 = Nyquist). Returns 6 numbers: the
    log ratio of the power near the periods 3 and 4 and at Nyquist to the median power, the
    largest ratio anywhere (scale-agnostic), its position, and the mean log residual size.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> periodicity_features(rng.normal(size=(64, 62)), rng.normal(size=(62, 64))).shape
    (6,)
    """
    profiles = []
    for e, axis in ((np.abs(dx), 0), (np.abs(dy), 1)):
        c = e.mean(axis=axis)
        profiles.append(np.abs(np.fft.rfft(c - c.mean())) ** 2)
    n = min(len(p) for p in profiles)
    prof = (profiles[0][:n] + profiles[1][:n]) / 2
    med = float(np.median(prof[3:])) + 1e-12
    length = 2 * (n - 1)
    feats = []
    for k in (3, 4):
        i = min(int(round(length / k)), n - 1)
        feats.append(np.log10(prof[max(i - 1, 0) : i + 2].max() / med + 1e-12))
    feats.append(np.log10(prof[-1] / med + 1e-12))
    j = int(np.argmax(prof[3:])) + 3
    feats.append(np.log10(prof[j] / med + 1e-12))
    feats.append(j / max(n - 1, 1))
    feats.append(np.log10(0.5 * (np.abs(dx).mean() + np.abs(dy).mean()) + 1e-3))
    return np.asarray(feats, dtype=np.float64)


@lru_cache(maxsize=8)
def _radial_index(h: int, w: int, n_bins: int) -> tuple[np.ndarray, np.ndarray]:
    yy, xx = np.indices((h, w))
    r = np.hypot((yy - h // 2) / (h / 2), (xx - w // 2) / (w / 2))
    idx = np.minimum((r * n_bins).astype(np.int64), n_bins).ravel()
    counts = np.bincount(idx, minlength=n_bins + 1)[:n_bins]
    return idx, np.maximum(counts, 1)


def spectrum_features(rgb: np.ndarray, *, return_spectrum: bool = False):
    """The full feature vector of one image (length :data:`N_FEATURES`).

    Parameters
    ----------
    rgb : ndarray
        HxWx3 uint8 image, at least :data:`MIN_SIZE` pixels on each side.
    return_spectrum : bool
        Also return the centred log power spectrum (for the evidence plot).

    Examples
    --------
    >>> img = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    >>> spectrum_features(img).shape == (N_FEATURES,)
    True
    """
    gray = center_square(to_gray(rgb))
    if min(gray.shape) < MIN_SIZE:
        raise ValueError(f"image smaller than {MIN_SIZE} pixels")
    spec2d = log_power_spectrum(gray)
    spec = azimuthal_average(spec2d)
    dx, dy = second_differences(gray)
    feats = np.concatenate(
        [
            spec - spec[:4].mean(),  # shape of the fall-off, not overall contrast
            dct_grid(gray),
            periodicity_features(dx, dy),
        ]
    )
    return (feats, spec2d) if return_spectrum else feats
