import numpy as np

from fakescope.audio import dsp


def test_resample_preserves_a_tone():
    t = np.arange(44100) / 44100
    x = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    y = dsp.resample(x, 44100, 8000)
    assert y.shape == (8000,)
    spec = np.abs(np.fft.rfft(y))
    assert abs(int(np.argmax(spec)) - 440) <= 1


def test_bandpass_removes_out_of_band():
    t = np.arange(8000) / 8000
    low = np.sin(2 * np.pi * 20 * t)
    high = np.sin(2 * np.pi * 3950 * t)
    mid = np.sin(2 * np.pi * 1000 * t)
    y = dsp.bandpass((low + high + mid).astype(np.float32), 8000, *dsp.SPEECH_BAND)
    spec = np.abs(np.fft.rfft(y[2000:]))
    freqs = np.fft.rfftfreq(6000, 1 / 8000)
    assert spec[np.argmin(np.abs(freqs - 1000))] > 20 * spec[np.argmin(np.abs(freqs - 3950))]
    assert spec[np.argmin(np.abs(freqs - 1000))] > 20 * spec[np.argmin(np.abs(freqs - 20))]


def test_trim_silence_keeps_the_sound():
    x = np.concatenate([np.zeros(8000), 0.5 * np.ones(4000), np.zeros(8000)]).astype(np.float32)
    y = dsp.trim_silence(x, 8000)
    assert 4000 <= len(y) <= 4000 + 800
    assert dsp.trim_silence(np.zeros(100, dtype=np.float32), 8000).size <= 100


def test_speech_frontend_same_form_whatever_the_rate():
    rng = np.random.default_rng(0)
    for rate in (8000, 16000, 22050, 44100):
        y = dsp.speech_frontend(rng.standard_normal(rate).astype(np.float32), rate)
        assert abs(float(np.abs(y).max()) - 0.9) < 1e-5
        spec = np.abs(np.fft.rfft(y)) ** 2
        freqs = np.fft.rfftfreq(len(y), 1 / 8000)
        # nothing left above the common band edge, whatever the source rate
        assert spec[freqs > 3950].sum() < 1e-3 * spec.sum()


def test_lfcc_shape_and_deltas():
    rng = np.random.default_rng(0)
    f = dsp.lfcc(rng.standard_normal(16000).astype(np.float32), 8000)
    assert f.shape == (199, 60)
    assert np.isfinite(f).all()
    static = dsp.lfcc(np.ones(8000, dtype=np.float32), 8000, with_deltas=False)
    assert static.shape[1] == 20


def test_filterbanks_cover_the_band():
    for fb in (
        dsp.linear_filterbank(20, 256, 8000),
        dsp.mel_filterbank(40, 256, 8000),
        dsp.constant_q_filterbank(48, 2048, 44100),
    ):
        assert (fb.sum(axis=1) > 0).all()


def test_log_mel_and_cqt_shapes():
    x = np.random.default_rng(0).standard_normal(8000).astype(np.float32)
    assert dsp.log_mel(x, 8000).shape == (98, 40)
    c = dsp.cqt_like(np.tile(x, 6), 44100)
    assert c.ndim == 2 and np.isfinite(c).all()


def test_segment_bounds_join_a_short_tail():
    assert dsp.segment_bounds(8000, 8000, 4.0, 1.5) == [(0, 8000)]
    b = dsp.segment_bounds(8000 * 10, 8000, 4.0, 1.5)
    assert b[0] == (0, 32000) and b[-1][1] == 80000 and len(b) == 3


def test_griffin_lim_recovers_the_magnitude_of_a_tone():
    from scipy.signal import stft

    from fakescope.audio.dsp import griffin_lim

    rate = 8000
    t = np.arange(rate) / rate
    x = np.sin(2 * np.pi * 440 * t)
    _, _, z = stft(x, fs=rate, nperseg=256, noverlap=192)
    y = griffin_lim(np.abs(z), rate, 256, 64, np.random.default_rng(0), n_iter=16)
    _, _, z2 = stft(y[: len(x)], fs=rate, nperseg=256, noverlap=192)
    peak = np.abs(z2).mean(axis=1).argmax()
    assert abs(peak * rate / 256 - 440) < 2 * rate / 256  # the tone stays where it was
    assert np.corrcoef(np.abs(z).ravel(), np.abs(z2[:, : z.shape[1]]).ravel())[0, 1] > 0.9


def test_fill_digital_silence_fills_long_runs_only():
    rng = np.random.default_rng(0)
    voice = rng.standard_normal(800).astype(np.float32)
    short_gap, long_gap = np.zeros(40, np.float32), np.zeros(400, np.float32)  # 5 ms, 50 ms
    x = np.concatenate([voice, short_gap, voice, long_gap, voice])
    y = dsp.fill_digital_silence(x, 8000)
    assert np.array_equal(y[:1640], x[:1640])  # the voice and the 5 ms gap are untouched
    filled = y[1640:2040]
    peak = np.abs(x).max()
    assert np.all(filled != 0) and 0.5 < filled.std() / (peak * 10 ** (-50 / 20)) < 1.5
    assert np.array_equal(dsp.fill_digital_silence(x, 8000), y)  # deterministic


def test_fill_digital_silence_leaves_recordings_and_silence_alone():
    rng = np.random.default_rng(1)
    noisy = (rng.standard_normal(8000) * 0.01).astype(np.float32)
    assert dsp.fill_digital_silence(noisy, 8000) is noisy
    silent = np.zeros(800, np.float32)
    assert not dsp.fill_digital_silence(silent, 8000).any()
