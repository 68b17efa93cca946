"""The ``train video`` recipe (:mod:`fakescope.video.training`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from fakescope.core.sample_size import TooLittleData
from fakescope.video.training import fit_temporal, measure_training_clips, training_segments


def test_segments_cover_each_video_and_skip_unreadable_ones(make_video, tmp_path: Path) -> None:
    video = make_video("long.mp4", frames=40, size=(64, 64), fps=10)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video")
    skipped: list[str] = []
    jobs = training_segments([broken, video], 2.0, skipped=skipped.append)
    assert jobs == [(video, 0.0), (video, 2.0)]
    assert len(skipped) == 1 and "broken.mp4" in skipped[0]


def test_measured_clips_are_labelled_and_reused(make_video, tmp_path: Path) -> None:
    video = make_video("face.mp4", frames=20, size=(320, 320), fps=10, face=True)
    work = tmp_path / "work"
    work.mkdir()
    ticks: list[int] = []
    feats, labels = measure_training_clips(
        [(video, 0.0)], work, segment=2.0, fakes_per_clip=2, advance=lambda: ticks.append(1)
    )
    assert labels == [0, 1, 1] and len(feats) == 3 and ticks == [1]
    written = sorted(p.name for p in work.iterdir())
    assert len(written) == 3
    mtimes = [p.stat().st_mtime_ns for p in sorted(work.iterdir())]
    measure_training_clips([(video, 0.0)], work, segment=2.0, fakes_per_clip=2)
    assert [p.stat().st_mtime_ns for p in sorted(work.iterdir())] == mtimes  # reused, not redone


def test_fit_temporal_refuses_too_few_clips_and_records_how_it_was_made() -> None:
    rng = np.random.default_rng(0)
    names = ("flicker_hf", "flicker_colour", "boundary", "sharpness")
    feats = [
        {n: abs(float(rng.normal())) + (1.0 if k % 2 else 0.0) for n in names} for k in range(24)
    ]
    labels = [k % 2 for k in range(24)]
    settings = {"videos": [Path("a.mp4")], "segment": 2.0, "fakes_per_clip": 1, "seed": 3}
    with pytest.raises(TooLittleData, match="real clips with a face"):
        fit_temporal(feats[:4], labels[:4], min_clips=10, source="data/", **settings)
    model = fit_temporal(feats, labels, min_clips=10, source="data/", **settings)
    assert model.info["videos"] == ["a.mp4"] and "seed 3" in model.info["fakes"]
    assert model.info["clips"] == 24


@pytest.mark.slow
def test_two_runs_with_the_same_inputs_and_seed_write_identical_clips_and_weights(
    make_video, tmp_path: Path
) -> None:
    from fakescope.video.consistency import TemporalModel

    videos = [
        make_video("a.mp4", frames=40, size=(320, 320), fps=10, face=True),
        make_video("b.mp4", frames=20, size=(320, 320), fps=10, face=True),
    ]
    runs = []
    for run in ("one", "two"):
        work, out = tmp_path / run, tmp_path / f"{run}.json"
        work.mkdir()
        segments = training_segments(videos, 2.0)
        feats, labels = measure_training_clips(segments, work, segment=2.0, fakes_per_clip=2)
        settings = {"videos": videos, "segment": 2.0, "fakes_per_clip": 2, "seed": 0}
        fit_temporal(feats, labels, min_clips=1, source="tmp", **settings).save(out)
        clips = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in work.iterdir()}
        runs.append((clips, out.read_text()))
    (clips_one, weights_one), (clips_two, weights_two) = runs
    assert len(clips_one) == 9 and clips_one == clips_two
    assert weights_one == weights_two
    assert TemporalModel.load(tmp_path / "one.json").info["clips"] == 9
