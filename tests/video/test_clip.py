from __future__ import annotations

import pytest

from fakescope.core.media import MediaError
from fakescope.video.clip import clip_metadata, probe, sniff_video


def test_sniff_recognises_containers_and_rejects_others():
    assert sniff_video(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 20)
    assert sniff_video(b"\x00\x00\x00\x14ftypqt  " + b"\x00" * 20)
    assert sniff_video(b"\x1a\x45\xdf\xa3" + b"\x00" * 20)
    assert sniff_video(b"RIFF\x00\x00\x00\x00AVI LIST")
    assert not sniff_video(b"RIFF\x00\x00\x00\x00WAVEfmt ")
    assert not sniff_video(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 20)
    assert not sniff_video(b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 20)
    assert not sniff_video(b"\x89PNG\r\n\x1a\n")


def test_empty_file_is_a_media_error(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        probe(empty)


def test_clip_metadata_is_json_friendly(make_video):
    import json

    meta = clip_metadata(probe(make_video(frames=5)))
    assert json.loads(json.dumps(meta))["size"] == [160, 120]
