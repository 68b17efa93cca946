import numpy as np

from fakescope.audio.channel import (
    RATE16,
    TelephoneBand,
    active_rms_db,
    loudness_normalize,
    neutral_channel,
    prepare_clip,
    speech_frontend16,
)


def test_loudness_normalize_sets_level_and_limits_peaks(sig):
    quiet = sig.voice_like(1.0, 16000) * 0.01
    loud = sig.voice_like(1.0, 16000, seed=1) * 3.0
    for x in (quiet, loud):
        y = loudness_normalize(x, 16000)
        assert abs(active_rms_db(y, 16000) + 26.0) < 0.5 or np.abs(y).max() <= 0.99 + 1e-6
        assert np.abs(y).max() <= 0.99 + 1e-6
    assert loudness_normalize(np.zeros(100, np.float32), 16000).tolist() == [0.0] * 100


def test_frontend_is_16k_trimmed_and_level_free(sig):
    x = np.r_[np.zeros(8000), sig.voice_like(1.0, 22050), np.zeros(8000)].astype(np.float32)
    a = speech_frontend16(x, 22050)
    b = speech_frontend16(x * 0.05, 22050)
    assert len(a) < 1.2 * RATE16
    assert abs(active_rms_db(a, RATE16) - active_rms_db(b, RATE16)) < 0.5


def test_channel_draws_are_seeded_and_cover_codecs_and_band():
    names = set()
    narrow = 0
    for s in range(200):
        ch = neutral_channel(np.random.default_rng(s))
        names.add(ch.name.split("-")[0])
        narrow += any(isinstance(t, TelephoneBand) for t in ch.transforms)
    assert {"mp3", "opus", "aac", "identity"} <= names | {n.split("+")[0] for n in names}
    assert 30 < narrow < 70  # TELEPHONE_P = 0.25
    assert (
        neutral_channel(np.random.default_rng(3)).name
        == neutral_channel(np.random.default_rng(3)).name
    )


def test_prepare_clip_telephone_removes_the_upper_band(sig):
    x = (np.random.default_rng(0).standard_normal(16000) * 0.1).astype(np.float32)
    for s in range(40):
        rng = np.random.default_rng(s)
        if any(isinstance(t, TelephoneBand) for t in neutral_channel(rng).transforms):
            y, narrow = prepare_clip(x, 16000, np.random.default_rng(s))
            spec = np.abs(np.fft.rfft(y)) ** 2
            f = np.fft.rfftfreq(len(y), 1 / 16000)
            assert narrow and spec[f > 4500].sum() < 0.01 * spec.sum()
            break
    clean, narrow = prepare_clip(x, 16000, None)
    assert not narrow and len(clean) > 0


def test_rawboost_keeps_level_and_changes_the_signal(sig):
    from fakescope.audio.channel import rawboost

    x = sig.voice_like(1.0, 16000)
    rms = np.sqrt(np.mean(x.astype(np.float64) ** 2))
    corr = []
    for seed in range(12):
        y = rawboost(x, 16000, np.random.default_rng(seed))
        assert y.shape == x.shape and np.isfinite(y).all() and not np.array_equal(x, y)
        assert np.isclose(np.sqrt(np.mean(y.astype(np.float64) ** 2)), rms, rtol=0.05)
        corr.append(np.corrcoef(x, y)[0, 1])
    assert min(corr) < 0.9  # some draws change the signal a lot (filtering, non-linearity)
    a = rawboost(x, 16000, np.random.default_rng(5))
    assert np.array_equal(a, rawboost(x, 16000, np.random.default_rng(5)))
