from __future__ import annotations

import numpy as np
import pytest

from fakescope.video.clip import probe
from fakescope.video.sampling import (
    fixed_rate_times,
    frame_differences,
    plan_times,
    sample_frames,
    scene_change_times,
)


def test_fixed_rate_times():
    assert fixed_rate_times(2.0, rate=2.0).tolist() == [0.0, 0.5, 1.0, 1.5]
    long = fixed_rate_times(100.0, rate=2.0, max_frames=10)
    assert len(long) == 10 and long[0] == 0.0 and long[-1] < 100.0
    assert np.allclose(np.diff(long), 10.0)
    assert len(fixed_rate_times(None, rate=1.0, max_frames=5)) == 5
    with pytest.raises(ValueError):
        fixed_rate_times(1.0, rate=0)


def test_scene_change_times_finds_a_cut_and_respects_max_gap():
    times = np.arange(100) / 10.0
    thumbs = np.zeros((100, 8, 8), np.uint8)
    thumbs[40:] = 200
    chosen = scene_change_times(times, thumbs, max_gap=3.0)
    assert 4.0 in chosen.tolist()
    assert chosen[0] == 0.0
    assert np.all(np.diff(chosen) <= 3.0 + 1e-9)
    capped = scene_change_times(times, thumbs, max_gap=1.0, max_frames=3)
    assert len(capped) == 3 and 0.0 in capped and 4.0 in capped  # strongest change kept


def test_frame_differences():
    t = np.zeros((3, 2, 2), np.uint8)
    t[1] = 10
    assert frame_differences(t).tolist() == [0.0, 10.0, 10.0]


def test_scene_sampling_on_a_video_with_a_cut(make_video):
    clip = probe(make_video(frames=45, fps=15, cut_at=25))
    times, first_pass = plan_times(clip, method="scene")
    assert first_pass is not None and first_pass.frames_read == 45
    assert any(abs(t - 25 / 15) < 0.1 for t in times)
    sampled = sample_frames(clip, method="scene", burst=0)
    assert len(sampled.frames) == len(times)


def test_fixed_sampling_end_to_end(make_video):
    sampled = sample_frames(probe(make_video(frames=30, fps=15)), rate=2.0, burst=1)
    assert len(sampled.frames) == 4
    assert sampled.method == "fixed"
    with pytest.raises(ValueError):
        plan_times(probe(make_video("b.mp4", frames=3)), method="nope")
