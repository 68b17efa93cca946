"""Safe access to input files: regular files only, reads with a byte cap, printable names.

A scan reads what users hand it, and users hand it odd things: a FIFO named ``clip.wav`` (opening
it blocks forever), a symbolic link to ``/dev/zero`` named ``photo.png`` (reads never end, and its
size says 0), file names with newlines, terminal escape sequences or bytes that are not UTF-8.
Every loader goes through these helpers so each of those gets a clear error instead.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from fakescope.core.media import MediaError

_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def display_path(path: str | os.PathLike[str]) -> str:
    """A file name as it can be printed: bytes that are not UTF-8 become ``\\xNN``, and control
    characters (newlines, terminal escape sequences) become escapes, so one input is one line.

    Examples
    --------
    >>> display_path("ok/photo.png")
    'ok/photo.png'
    >>> display_path("two\\nlines.txt")
    'two\\\\nlines.txt'
    >>> display_path(os.fsdecode(b"caf\\xe9.png"))
    'caf\\\\xe9.png'
    """
    text = os.fspath(path)
    if text.isprintable():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes arrive as lone surrogates (surrogateescape)
        text = os.fsencode(text).decode("utf-8", "backslashreplace")
    return "".join(
        ch
        if ch.isprintable() or ch == " "
        else _ESCAPES.get(ch, f"\\x{ord(ch):02x}")
        if ord(ch) < 256
        else f"\\u{ord(ch):04x}"
        for ch in text
    )


def _not_regular(path: str | os.PathLike[str], mode: int) -> str:
    kind = "a folder" if stat.S_ISDIR(mode) else _KINDS.get(stat.S_IFMT(mode), "not a regular file")
    via = ""
    if os.path.islink(path):
        via = f" (it is a symbolic link to {display_path(os.path.realpath(path))})"
    if stat.S_ISDIR(mode):
        return f"is a folder, not a file{via}"
    return f"is {kind}, not a regular file{via}; only regular files are read"


def check_regular_file(path: str | os.PathLike[str], shown: str | None = None) -> int:
    """Check that ``path`` is a readable regular file (following links) and return its size.

    Raises
    ------
    MediaError
        Missing file, broken or looping link, folder, FIFO, device, socket.

    Examples
    --------
    >>> check_regular_file("/dev/null")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    MediaError: /dev/null: is a character device, not a regular file; only regular files are read
    """
    shown = shown if shown is not None else display_path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise MediaError(shown, "is a broken symbolic link (its target is gone)") from None
        raise MediaError(shown, "no such file") from None
    except OSError as exc:
        raise MediaError(shown, f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise MediaError(shown, _not_regular(path, info.st_mode))
    return info.st_size


def open_regular(path: str | os.PathLike[str], shown: str | None = None) -> BinaryIO:
    """Open a regular file for reading, refusing anything else *without blocking* on it.

    ``O_NONBLOCK`` makes opening a FIFO return at once; the type is then checked on the open
    descriptor, so a file swapped for a pipe between the check and the open is refused too.
    """
    shown = shown if shown is not None else display_path(path)
    check_regular_file(path, shown)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise MediaError(shown, f"cannot be read ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise MediaError(shown, _not_regular(path, mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: str | os.PathLike[str], limit: int, shown: str | None = None) -> bytes:
    """Read a whole regular file, refusing it when it holds more than ``limit`` bytes.

    The cap is enforced on the bytes actually read, not on the size the file system reports
    (a device or a growing file says nothing true about its size).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.bin"
    >>> _ = p.write_bytes(b"12345")
    >>> read_capped(p, 10)
    b'12345'
    """
    shown = shown if shown is not None else display_path(path)
    try:
        with open_regular(path, shown) as fh:
            return read_stream_capped(fh, limit, shown, what="the file")
    except OSError as exc:
        raise MediaError(shown, f"cannot be read ({exc.strerror or exc})") from None


def read_stream_capped(stream: BinaryIO, limit: int, shown: str, what: str = "the input") -> bytes:
    """Read ``stream`` to its end, or raise :class:`MediaError` once it passes ``limit`` bytes.

    Examples
    --------
    >>> import io
    >>> read_stream_capped(io.BytesIO(b"abc"), 2, "x")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    MediaError: x: the input is larger than the 2-byte limit
    """
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise MediaError(shown, f"{what} is larger than the {_size(limit)} limit")


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.0f} MB"
    return f"{n}-byte"
