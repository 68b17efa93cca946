from __future__ import annotations

import av
import numpy as np
import pytest

from fakescope.core.media import MediaError
from fakescope.video.clip import sniff_video
from fakescope.video.loader import load_video

from .conftest import truncate


@pytest.mark.parametrize(
    ("name", "codec"), [("a.mp4", "libx264"), ("a.mkv", "libx264"), ("a.avi", "mpeg4")]
)
def test_load_video_reads_stream_facts(make_video, name, codec):
    path = make_video(name, frames=20, fps=10, codec=codec)
    media = load_video(path)[0]
    assert media.modality == "video"
    clip = media.data
    assert (clip.width, clip.height) == (160, 120)
    assert clip.fps == pytest.approx(10.0)
    assert clip.duration == pytest.approx(2.0, abs=0.15)
    meta = media.metadata
    assert meta["codec"] in {"h264", "mpeg4"}
    assert meta["encoder"].startswith("Lavf")  # PyAV's muxer names itself in the tags
    assert meta["first_frame_time"] == pytest.approx(0.0, abs=0.11)


def test_wrong_extension_still_sniffed(make_video, tmp_path):
    path = make_video("clip.mp4", frames=5)
    renamed = tmp_path / "clip.png"
    renamed.write_bytes(path.read_bytes())
    with renamed.open("rb") as fh:
        assert sniff_video(fh.read(64))
    assert load_video(renamed)[0].data.codec == "h264"


def test_garbage_is_a_media_error(tmp_path):
    junk = tmp_path / "junk.mkv"
    junk.write_bytes(np.random.default_rng(0).integers(0, 255, 4000, dtype=np.uint8).tobytes())
    with pytest.raises(MediaError, match="not a readable video"):
        load_video(junk)


def test_cut_mp4_without_index_explains_why(make_video):
    cut = truncate(make_video("clip.mp4", frames=20))  # PyAV writes the index at the end
    with pytest.raises(MediaError, match="moov") as info:
        load_video(cut)
    assert "cut off" in info.value.reason


def test_audio_only_file_has_no_video_stream(tmp_path):
    path = tmp_path / "tone.mkv"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 800), np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    with pytest.raises(MediaError, match="no video stream"):
        load_video(path)
