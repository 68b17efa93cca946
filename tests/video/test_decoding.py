from __future__ import annotations

import pytest

from fakescope.core.media import MediaError
from fakescope.video.clip import probe
from fakescope.video.decoding import (
    DecodeReport,
    FrameReader,
    analysis_size,
    first_frame_time,
    scan_thumbnails,
)

from .conftest import truncate


def test_reader_returns_frames_near_wanted_times_with_bursts(make_video):
    clip = probe(make_video(frames=30, fps=15))
    reader = FrameReader(clip, [0.0, 0.5, 1.0, 1.5], burst=2)
    frames = list(reader)
    assert [round(f.time * 15) / 15 for f in frames] == pytest.approx(
        [0.0, 0.5, 1.0, 1.5], abs=0.14
    )
    assert all(len(f.burst) == 2 and f.burst[0].shape == f.rgb.shape for f in frames)
    assert frames[0].rgb.shape == (120, 160, 3)
    assert not reader.report.damaged


def test_reader_downscales_to_max_side(make_video):
    clip = probe(make_video(frames=4, size=(320, 240)))
    frame = next(iter(FrameReader(clip, [0.0], burst=0, max_side=160)))
    assert frame.rgb.shape == (120, 160, 3)
    assert frame.scale == pytest.approx(0.5)


@pytest.mark.parametrize("name", ["clip.mkv", "clip.webm"])
def test_truncated_stream_yields_readable_frames_and_says_where_it_stopped(make_video, name):
    codec = "libvpx-vp9" if name.endswith(".webm") else "libx264"
    cut = truncate(make_video(name, frames=60, fps=15, codec=codec))
    clip = probe(cut)
    reader = FrameReader(clip, [i * 0.5 for i in range(8)], burst=1)
    frames = list(reader)
    assert 1 <= len(frames) < 8
    report = reader.report
    assert report.stopped_early
    assert report.last_time is not None and report.last_time < 3.0
    assert "decoding stopped at" in report.describe()
    assert "of a declared 4.0 s" in report.describe()


def test_faststart_mp4_cut_in_half_is_still_partly_readable(make_video):
    cut = truncate(make_video("fs.mp4", frames=60, options={"movflags": "faststart"}))
    clip = probe(cut)
    assert first_frame_time(clip) == pytest.approx(0.0, abs=0.1)
    reader = FrameReader(clip, [0.0, 1.0, 2.0, 3.0], burst=0)
    assert len(list(reader)) >= 1
    assert reader.report.stopped_early


def test_no_decodable_frame_is_a_media_error(make_video):
    path = make_video("clip.mkv", frames=10)
    data = bytearray(path.read_bytes())
    # Keep the header (first 400 bytes) and destroy every packet after it.
    for i in range(400, len(data)):
        data[i] = (data[i] * 7 + 13) % 256
    path.write_bytes(bytes(data))
    try:
        clip = probe(path)
    except MediaError:
        return  # the header itself was hit: also a clear error
    with pytest.raises(MediaError, match="no frame could be decoded"):
        first_frame_time(clip)


def test_scan_thumbnails_reads_every_frame(make_video):
    times, thumbs, report = scan_thumbnails(probe(make_video(frames=12)), size=(32, 18))
    assert thumbs.shape == (12, 18, 32)
    assert len(times) == 12 and report.frames_read == 12


def test_describe_and_sizes():
    assert analysis_size(1920, 1080, 1280) == (1280, 720)
    assert analysis_size(100, 50, None) == (100, 50)
    ok = DecodeReport(frames_read=30, last_time=1.9, declared_duration=2.0, fps=15)
    assert not ok.stopped_early and ok.describe() == "30 frames decoded"
    bad = DecodeReport(frames_read=5, last_time=0.3, declared_duration=2.0, bad_packets=2)
    assert "damaged" in bad.describe()
    assert DecodeReport(error="boom").stopped_early


def test_far_apart_times_are_reached_by_seeking(make_video):
    clip = probe(make_video(frames=400, size=(64, 48), fps=10))
    reader = FrameReader(clip, [0.0, 10.0, 20.0, 30.0], burst=1)
    frames = list(reader)
    assert [f.time for f in frames] == pytest.approx([0.0, 10.0, 20.0, 30.0], abs=0.25)
    assert reader.report.frames_read < 150  # most of the 400 frames were never decoded
    assert not reader.report.stopped_early


def _run_with_deadline(fn, seconds):
    import threading

    box = {}
    thread = threading.Thread(target=lambda: box.setdefault("value", fn()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s (an endless decode loop)"
    return box["value"]


def _noise_video(path, frames, fps=25):
    import av
    import numpy as np

    rng = np.random.default_rng(0)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps)  # libx264's default GOP: 250 frames
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(frames):
            img = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def test_long_gop_does_not_seek_back_to_the_same_keyframe_for_ever(tmp_path):
    # Noise keeps libx264 from adding scene-cut keyframes: one keyframe every 10 s. A wanted
    # time 9 s ahead used to seek to "target - 1", land on the keyframe already passed, and
    # seek again from there, for ever.
    clip = probe(_noise_video(tmp_path / "long_gop.mp4", frames=750))
    reader = FrameReader(clip, [0.0, 9.0, 18.0, 27.0], burst=2)
    frames = _run_with_deadline(lambda: list(reader), 30)
    assert [f.time for f in frames] == pytest.approx([0.0, 9.0, 18.0, 27.0], abs=0.1)
    assert reader.report.frames_read < 1500


def test_no_frame_threads_while_a_python_log_callback_is_installed(make_video):
    import av.logging

    from fakescope.video.decoding import _Walk

    clip = probe(make_video(frames=5))
    walk = _Walk(clip, threads=True)
    assert walk.stream.thread_type.name == "AUTO"  # frame and slice threads
    walk.close()
    av.logging.set_level(av.logging.ERROR)
    try:
        walk = _Walk(clip, threads=True)
        assert walk.stream.thread_type.name == "SLICE"  # FFmpeg's default: no frame threads
        walk.close()
    finally:
        av.logging.set_level(None)
