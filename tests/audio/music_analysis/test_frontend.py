import numpy as np

from fakescope.audio.music_analysis.frontend import (
    FPS,
    N_MELS,
    log_mel_frames,
    network_input,
    onsets,
    pick_peaks,
)


def test_frames_are_100_per_second_and_level_free():
    x = np.random.default_rng(0).standard_normal(16000 * 2).astype(np.float32)
    assert log_mel_frames(x).shape == (2 * FPS, N_MELS)
    a, b = network_input(x), network_input(0.01 * x)
    assert np.allclose(a, b, atol=1e-4)
    assert (a[1] >= 0).all()


def test_onsets_of_clicks():
    x = np.zeros(16000 * 3, np.float32)
    for t in (0.5, 1.25, 2.0):
        x[int(t * 16000) : int(t * 16000) + 300] = np.hanning(300)
    got = onsets(x)
    assert len(got) == 3
    assert np.all(np.abs(got - np.array([0.5, 1.25, 2.0])) < 0.04)
    assert onsets(np.zeros(16000, np.float32)).size == 0


def test_pick_peaks_keeps_one_per_plateau():
    act = np.array([0, 0.8, 0.8, 0, 0, 0, 0, 0.2, 0.9, 0])
    assert pick_peaks(act, 0.5, min_gap=2).tolist() == [1, 8]
