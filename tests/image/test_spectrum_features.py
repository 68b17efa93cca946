"""Pure frequency features on tiny arrays and on a real-looking image."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fakescope.image.spectrum_features import (
    N_FEATURES,
    azimuthal_average,
    center_square,
    dct_grid,
    log_power_spectrum,
    periodicity_features,
    second_differences,
    spectrum_features,
    to_gray,
)


def test_to_gray_and_crop() -> None:
    img = np.zeros((300, 400, 3), np.uint8)
    img[..., 1] = 100
    g = to_gray(img)
    assert g.shape == (300, 400) and np.allclose(g, 58.7)
    assert center_square(g).shape == (256, 256)
    assert center_square(g[:100, :120]).shape == (100, 100)


def test_azimuthal_average_of_radial_ramp_increases() -> None:
    yy, xx = np.indices((64, 64))
    ramp = np.hypot(yy - 32, xx - 32)
    prof = azimuthal_average(ramp, n_bins=8)
    assert prof.shape == (8,) and np.all(np.diff(prof) > 0)


def test_power_spectrum_peak_at_pure_tone() -> None:
    x = np.cos(2 * np.pi * 8 * np.arange(64) / 64)[None, :].repeat(64, 0)
    spec = log_power_spectrum(x)
    peak = np.unravel_index(np.argmax(spec), spec.shape)
    assert peak in ((32, 40), (32, 24))


def test_dct_grid_is_centred() -> None:
    g = dct_grid(np.random.default_rng(0).random((64, 64)), grid=4)
    assert g.shape == (16,) and abs(g.mean()) < 1e-5


def test_second_differences_vanish_on_linear_ramps() -> None:
    dx, dy = second_differences(np.add.outer(np.arange(8.0), 2 * np.arange(8.0)))
    assert np.allclose(dx, 0) and np.allclose(dy, 0)


def test_periodicity_detects_x3_upsampling(photo: np.ndarray) -> None:
    """Up-sampling by 3 makes the residual periodic with period 3 (relative frequency 2/3)."""
    small = Image.fromarray(photo).resize((86, 86), Image.Resampling.BOX)
    up = np.asarray(small.resize((258, 258), Image.Resampling.BILINEAR))[:256, :256]
    f_real = periodicity_features(*second_differences(to_gray(photo)))
    f_up = periodicity_features(*second_differences(to_gray(up)))
    assert f_up[0] > f_real[0] + 0.5  # log10 power ratio at period 3
    assert abs(f_up[4] - 2 / 3) < 0.02  # strongest peak sits at 2/3 of Nyquist


def test_upsampling_removes_high_frequencies(photo: np.ndarray) -> None:
    up = np.asarray(
        Image.fromarray(photo).resize((128, 128), Image.Resampling.BOX).resize((256, 256))
    )
    f_real, f_up = spectrum_features(photo), spectrum_features(up)
    assert f_real.shape == (N_FEATURES,)
    # radial profile (first 32 numbers): the top octave loses power after up-sampling
    assert f_up[24:32].mean() < f_real[24:32].mean() - 0.3


def test_too_small_raises() -> None:
    with pytest.raises(ValueError):
        spectrum_features(np.zeros((32, 32, 3), np.uint8))
