import numpy as np
import pytest

from fakescope.audio.music_channel import (
    LowPass,
    MusicCodec,
    RateRoundTrip,
    codec_roundtrip,
    random_music_chain,
)


def _tone(seconds=1.0, rate=44100):
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.mark.parametrize("codec", ["mp3", "opus", "vorbis", "aac"])
def test_codec_round_trip_keeps_length_and_alignment(codec):
    x = _tone()
    y = codec_roundtrip(x, 44100, codec, 128)
    assert y.shape == x.shape
    assert np.corrcoef(x[4410:-4410], y[4410:-4410])[0, 1] > 0.95


def test_low_pass_and_rate_round_trip_remove_the_top_band():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(44100).astype(np.float32) * 0.1
    for t in (LowPass(5000.0), RateRoundTrip(16000)):
        y, rate = t(x, 44100, rng)
        spec = np.abs(np.fft.rfft(y)) ** 2
        top = spec[int(len(spec) * 12000 / 22050) :].sum() / spec.sum()
        assert rate == 44100 and top < 0.01


def test_random_chain_is_reproducible_and_named():
    a = random_music_chain(np.random.default_rng(5))
    b = random_music_chain(np.random.default_rng(5))
    assert a.name == b.name
    names = {random_music_chain(np.random.default_rng(s)).name.split("+")[0] for s in range(40)}
    assert any(n.startswith(("mp3", "opus", "vorbis", "aac", "via")) for n in names)
    assert MusicCodec("opus", 64).name == "opus-64k"
