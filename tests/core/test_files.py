import io
import os

import pytest

from fakescope.core.files import (
    check_regular_file,
    display_path,
    open_regular,
    read_capped,
    read_stream_capped,
)
from fakescope.core.media import MediaError


def test_display_path_keeps_plain_names_and_escapes_the_rest():
    assert display_path("dir/photo 1.png") == "dir/photo 1.png"
    assert display_path("a\nb.txt") == "a\\nb.txt"
    assert display_path("\x1b[31mred.png") == "\\x1b[31mred.png"
    assert display_path(os.fsdecode(b"caf\xe9.png")) == "caf\\xe9.png"
    assert display_path("café.png") == "café.png"
    display_path(os.fsdecode(b"caf\xe9.png")).encode("utf-8")  # printable, encodable


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "voice.wav"
    os.mkfifo(fifo)
    with pytest.raises(MediaError, match="named pipe"):
        check_regular_file(fifo)
    with pytest.raises(MediaError, match="named pipe"):
        open_regular(fifo)


def test_links_to_devices_are_refused(tmp_path):
    link = tmp_path / "photo.png"
    link.symlink_to("/dev/zero")
    with pytest.raises(MediaError, match=r"character device.*symbolic link to /dev/zero"):
        read_capped(link, 1024)


def test_broken_link_and_folder(tmp_path):
    gone = tmp_path / "gone.png"
    gone.symlink_to(tmp_path / "nothing-here")
    with pytest.raises(MediaError, match="broken symbolic link"):
        check_regular_file(gone)
    with pytest.raises(MediaError, match="is a folder"):
        check_regular_file(tmp_path)


def test_read_capped_enforces_the_limit_on_bytes_read(tmp_path):
    p = tmp_path / "a.bin"
    p.write_bytes(b"x" * 100)
    assert read_capped(p, 100) == b"x" * 100
    with pytest.raises(MediaError, match="larger than"):
        read_capped(p, 99)
    with pytest.raises(MediaError, match="larger than"):
        read_stream_capped(io.BytesIO(b"y" * 10), 5, "-")
