import numpy as np
import pytest

from fakescope.audio.copy_synthesis import VOCODERS, copy_synthesize

pytest.importorskip("pyworld", exc_type=ImportError)
pytest.importorskip("pysptk")


def _voice(rate: int, seconds: float = 0.6) -> np.ndarray:
    """A vowel-like signal: a 120-180 Hz pulse train through two resonances, with a pause."""
    from scipy.signal import lfilter

    n = int(rate * seconds)
    f0 = 120 + 60 * np.linspace(0, 1, n)
    phase = np.cumsum(f0 / rate)
    pulses = (np.diff(np.floor(phase), prepend=0) > 0).astype(np.float64)
    y = pulses
    for fc, bw in ((700, 80), (1200, 100)):
        r = np.exp(-np.pi * bw / rate)
        y = lfilter([1.0], [1, -2 * r * np.cos(2 * np.pi * fc / rate), r * r], y)
    y[n // 2 : n // 2 + rate // 10] = 0.0
    return (0.5 * y / np.abs(y).max()).astype(np.float32)


def _envelope(x: np.ndarray, rate: int) -> np.ndarray:
    hop = rate // 100
    return np.array([np.sqrt(np.mean(x[i : i + hop] ** 2)) for i in range(0, len(x) - hop, hop)])


@pytest.mark.parametrize("vocoder", sorted(VOCODERS))
@pytest.mark.parametrize("rate", [8000, 16000])
def test_copy_keeps_length_level_and_envelope(vocoder, rate):
    x = _voice(rate)
    y = copy_synthesize(x, rate, vocoder, np.random.default_rng(0))
    assert y.shape == x.shape and y.dtype == np.float32 and np.isfinite(y).all()
    assert np.isclose(np.abs(y).max(), 0.9, atol=1e-3)
    # the copy is a re-synthesis, not the input: same loudness contour, different samples
    assert np.corrcoef(_envelope(x, rate), _envelope(y, rate))[0, 1] > 0.6
    assert np.corrcoef(x, y)[0, 1] < 0.99


def test_copy_is_deterministic_for_a_seed():
    x = _voice(16000)
    a = copy_synthesize(x, 16000, "griffin-lim", np.random.default_rng(3))
    b = copy_synthesize(x, 16000, "griffin-lim", np.random.default_rng(3))
    assert np.array_equal(a, b)


def test_unknown_vocoder_and_silence_are_refused():
    with pytest.raises(ValueError, match="unknown vocoder"):
        copy_synthesize(np.zeros(1600, np.float32), 16000, "hifigan", np.random.default_rng(0))
    with pytest.raises(ValueError, match="silent"):
        copy_synthesize(np.zeros(8000, np.float32), 16000, "griffin-lim", np.random.default_rng(0))
