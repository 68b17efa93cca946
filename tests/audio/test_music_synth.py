import numpy as np

from fakescope.audio import music_synth as M


def _music(seconds=2.0, rate=44100):
    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * rate)) / rate
    x = sum(np.sin(2 * np.pi * f * t) for f in (220, 330, 440, 5000, 12000)) / 5
    x = x + 0.02 * rng.standard_normal(len(t))
    return np.stack([x, np.roll(x, 40)], axis=1).astype(np.float32)


def _band_energy(x, rate, lo):
    spec = np.abs(np.fft.rfft(x.mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    return spec[freqs > lo].sum() / spec.sum()


def test_upsample_removes_high_band():
    x = _music()
    y = M.upsample_from(x, 44100, 16000)
    assert y.shape == x.shape
    assert _band_energy(y, 44100, 8500) < 1e-4 < _band_energy(x, 44100, 8500)


def test_resynthesis_chains_keep_shape():
    rng = np.random.default_rng(0)
    x = _music(1.0)
    for y in (
        M.griffin_lim_resynthesis(x, 44100, rng, n_iter=4),
        M.codec_resynthesis(x, 44100, rng),
        M.band_replication(x, 44100, rng),
    ):
        assert y.shape == x.shape and np.isfinite(y).all() and np.abs(y).max() > 0.01


def test_pseudo_stereo_and_random_chain():
    rng = np.random.default_rng(0)
    x = _music(1.0)
    dup = M.pseudo_stereo(x, rng, duplicate=True)
    assert np.array_equal(dup[:, 0], dup[:, 1])
    y, desc = M.random_machine_music(x, 44100, rng)
    assert y.shape[0] == x.shape[0] and desc
