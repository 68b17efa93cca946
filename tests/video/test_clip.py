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


def test_clip_imports_no_other_video_module():
    """clip.py is the bottom of the video package (decoding and loader import it), so it must
    not import them back: the clip <-> decoding cycle stays broken."""
    import ast
    from pathlib import Path

    import fakescope.video.clip as clip

    tree = ast.parse(Path(clip.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m and m.startswith("fakescope.video")}, imported
