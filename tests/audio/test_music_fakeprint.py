import numpy as np

from fakescope.audio import music_fakeprint as mf


def _noise(seconds=3.0, seed=0):
    return np.random.default_rng(seed).standard_normal(int(seconds * mf.RATE)).astype(np.float32)


def _with_comb(x, spacing=500.0, level=0.3):
    t = np.arange(len(x)) / mf.RATE
    comb = sum(np.sin(2 * np.pi * f * t) for f in np.arange(spacing, 7800, spacing))
    return (x + level * comb).astype(np.float32)


def test_fakeprint_is_flat_for_noise_and_peaky_for_a_comb():
    flat = mf.fakeprint(mf.ltas_db(mf.power_frames(_noise())))
    peaky = mf.fakeprint(mf.ltas_db(mf.power_frames(_with_comb(_noise()))))
    assert peaky.max() > flat.max() + 10


def test_comb_strength_finds_the_spacing():
    fp = mf.fakeprint(mf.ltas_db(mf.power_frames(_with_comb(_noise(), spacing=500.0))))
    assert mf.strongest_comb(fp)[0] == 500.0  # 16000 / 32


def test_stationary_peaks_are_told_from_moving_ones():
    x = _noise()
    names = mf.FEATURE_NAMES
    fixed = dict(zip(names, mf.segment_features(_with_comb(x)), strict=True))
    t = np.arange(len(x)) / mf.RATE
    moving = x + 0.05 * np.sin(2 * np.pi * (1000 * t + 400 * t**2))  # a glide, not a comb
    glide = dict(zip(names, mf.segment_features(moving.astype(np.float32)), strict=True))
    assert fixed["fp_stationarity"] > glide["fp_stationarity"]


def test_band_descriptors_see_a_low_pass():
    from fakescope.audio.dsp import resample

    x = _noise()
    names = mf.FEATURE_NAMES
    full = dict(zip(names, mf.segment_features(x), strict=True))
    low = dict(
        zip(
            names,
            mf.segment_features(resample(resample(x, mf.RATE, 8000), 8000, mf.RATE)),
            strict=True,
        )
    )
    assert low["rolloff99"] < 0.55 < 0.9 < full["rolloff99"]


def test_silence_and_short_input_give_finite_features():
    assert np.isfinite(mf.segment_features(np.zeros(100, np.float32))).all()
    assert mf.fakeprint_vector(mf.power_frames(np.zeros(48000, np.float32))).shape == (233,)
