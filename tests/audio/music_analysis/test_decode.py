import numpy as np

from fakescope.audio.music_analysis.decode import (
    BeatStateSpace,
    segments,
    tempo_from_beats,
    track_beats,
    track_downbeats,
)


def _activation(period_frames: float, n: int = 1500, noise: float = 0.1, seed: int = 0):
    rng = np.random.default_rng(seed)
    act = np.clip(rng.random(n) * noise, 0, 1)
    for f in np.arange(7, n, period_frames):
        act[int(round(f))] = 0.9
    return act


def test_beats_follow_a_steady_activation():
    frames, periods = track_beats(_activation(50))
    assert abs(np.median(np.diff(frames)) - 50) <= 1
    assert np.all(np.abs(periods - 50) <= 2)
    assert tempo_from_beats(frames / 100.0) == 120.0


def test_beats_bridge_a_missing_hit_and_ignore_noise():
    act = _activation(40, noise=0.3)
    act[7 + 40 * 10] = 0.0  # one beat missing
    frames, _ = track_beats(act)
    assert np.any(np.abs(frames - (7 + 40 * 10)) <= 2)
    assert np.all(np.diff(frames) >= 36)


def test_tempo_range_is_respected():
    space = BeatStateSpace.build(min_bpm=60, max_bpm=180)
    assert space.periods.min() >= 33 and space.periods.max() <= 100
    assert track_beats(np.zeros(1))[0].size == 0


def test_downbeats_find_meter_three_and_four():
    beats = np.arange(0, 3000, 50)
    for meter in (3, 4):
        act = np.zeros(3000)
        act[beats[1::meter]] = 0.9  # bars start on the second beat
        idx, found = track_downbeats(beats, act)
        assert found == meter
        assert set(idx.tolist()) == set(range(1, len(beats), meter))


def test_segments_merge_gaps_and_drop_blips():
    a = np.zeros(300, bool)
    a[10:60] = True
    a[70:120] = True
    a[200:205] = True
    assert segments(a, min_len=30, max_gap=20) == [(10, 120)]
    assert segments(np.zeros(10, bool)) == []
