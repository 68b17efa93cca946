import numpy as np
import pytest

from fakescope.audio import augment as A


@pytest.fixture
def tone():
    t = np.arange(16000) / 16000
    return (0.4 * np.sin(2 * np.pi * 500 * t)).astype(np.float32)


def test_gain_and_noise(tone):
    rng = np.random.default_rng(0)
    y, r = A.Gain(-6.0)(tone, 16000, rng)
    assert r == 16000 and abs(np.abs(y).max() / np.abs(tone).max() - 10 ** (-6 / 20)) < 1e-3
    y, _ = A.Noise(10.0)(tone, 16000, rng)
    snr = 10 * np.log10(np.mean(tone**2) / np.mean((y - tone) ** 2))
    assert abs(snr - 10.0) < 0.5


def test_telephone_is_8k_and_band_limited(tone):
    rng = np.random.default_rng(0)
    noise = np.random.default_rng(1).standard_normal(16000).astype(np.float32) * 0.1
    y, r = A.Telephone()(noise, 16000, rng)
    assert r == 8000 and len(y) == 8000
    spec = np.abs(np.fft.rfft(y)) ** 2
    freqs = np.fft.rfftfreq(len(y), 1 / 8000)
    assert spec[freqs < 150].sum() < 0.02 * spec.sum()


def test_mulaw_is_close_but_quantised(tone):
    y, _ = A.MuLaw()(tone, 16000, None)
    assert np.max(np.abs(y - tone)) < 0.02
    assert len(np.unique(y)) <= 256


@pytest.mark.parametrize("codec", ["mp3", "opus", "aac"])
def test_codec_roundtrip_keeps_length_and_rate(tone, codec):
    y, r = A.Codec(codec, 32)(tone, 16000, None)
    assert r == 16000
    assert abs(len(y) - len(tone)) < 4000
    assert np.abs(y).max() > 0.1


def test_compose_and_random_channel_names(tone):
    rng = np.random.default_rng(3)
    c = A.Compose([A.Gain(-3), A.Resample(8000)])
    assert c.name == "gain+resample-8k"
    y, r = c(tone, 16000, rng)
    assert r == 8000
    names = {A.random_channel(np.random.default_rng(i)).name for i in range(30)}
    assert "identity" in names and len(names) > 5
