"""Find input files and turn each into :class:`Media` with the right modality's loader."""

from __future__ import annotations

import glob
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from fakescope.core.files import display_path, open_regular, read_stream_capped
from fakescope.core.media import Media, MediaError
from fakescope.core.registry import LoaderSpec, loader_specs

SNIFF_BYTES = 64
STDIN = "-"
#: Standard input is read into memory; more than this is refused (``scan - < /dev/zero``).
MAX_STDIN_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class InputFile:
    """One thing to analyse: a file, standard input, an object in memory, or an input that named
    nothing (``missing`` holds why).

    ``path`` is the file system path (``"-"`` for standard input); for an in-memory object it is
    the name shown in reports (``"<image #2>"``) and ``obj`` holds the object.
    """

    path: str
    missing: str | None = None
    explicit: bool = True  # named by the user, not found inside a folder
    obj: Any = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        """The name shown to people (file names made printable, see :func:`display_path`)."""
        return self.path if self.obj is not None else display_path(self.path)


def known_extensions() -> set[str]:
    return {ext for spec in loader_specs() for ext in spec.extensions}


def collect_inputs(inputs: Iterable[Any]) -> list[InputFile]:
    """Expand files, folders (recursively) and glob patterns into a sorted, de-duplicated list.

    Inside folders, hidden files and files whose extension no loader claims are skipped; a file
    the user named explicitly is always kept, so that it gets a clear error if it is unreadable.
    A folder (or sub-folder) that cannot be listed becomes an item with the reason, so it is
    reported instead of silently scanning nothing. Items that are not paths (bytes, images,
    arrays, dicts, file objects) are kept in place as in-memory inputs.

    Examples
    --------
    >>> collect_inputs(["no/such/file.png"])[0].missing
    'no such file or folder'
    """
    seen: set[str] = set()
    out: list[InputFile] = []
    exts = None

    def add(item: InputFile) -> None:
        if item.obj is not None or item.path not in seen:
            seen.add(item.path)
            out.append(item)

    for number, raw in enumerate(inputs, start=1):
        if not isinstance(raw, (str, os.PathLike)):
            add(InputFile(object_name(raw, number), obj=raw))
            continue
        raw = os.fspath(raw)
        if raw == STDIN:
            add(InputFile(STDIN))
            continue
        path = Path(raw)
        if path.is_dir():
            exts = exts if exts is not None else known_extensions()
            for found, error in _walk(path):
                if error is not None:
                    add(InputFile(found, missing=error))
                elif Path(found).suffix.lower() in exts:
                    add(InputFile(found, explicit=False))
        elif os.path.lexists(raw):  # files, and links or pipes that load() will explain
            add(InputFile(str(path)))
        elif glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            files = [m for m in matches if not Path(m).is_dir()]
            if not files:
                add(InputFile(raw, missing="the pattern matched no files"))
            for m in files:
                add(InputFile(m))
        else:
            add(InputFile(raw, missing="no such file or folder"))
    return out


def object_name(obj: Any, number: int) -> str:
    """The name an in-memory input gets in reports: its file name when it has one.

    Examples
    --------
    >>> object_name(b"...", 3), object_name({"text": "hi"}, 1)
    ('<bytes #3>', '<text #1>')
    """
    name = getattr(obj, "name", None)
    if hasattr(obj, "read") and isinstance(name, (str, os.PathLike)):
        return display_path(name)
    if isinstance(obj, Media):
        return obj.path
    if isinstance(obj, (bytes, bytearray, memoryview)):
        kind = "bytes"
    elif isinstance(obj, dict):
        kind = "text" if "text" in obj else "audio" if "sampling_rate" in obj else "record"
    elif type(obj).__module__.startswith("PIL."):
        kind = "image"
    elif type(obj).__name__ == "ndarray":
        kind = "array"
    elif hasattr(obj, "read"):
        kind = "file"
    else:
        kind = type(obj).__name__
    return f"<{kind} #{number}>"


def _walk(root: Path) -> Iterator[tuple[str, str | None]]:
    """Files under ``root`` in sorted order, and ``(folder, reason)`` for folders that cannot be
    listed (without read permission, vanished during the walk)."""
    failures: list[OSError] = []
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=failures.append):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found.extend(os.path.join(dirpath, n) for n in filenames if not n.startswith("."))
    for path in sorted(found):
        yield path, None
    for exc in failures:
        why = exc.strerror or str(exc)
        yield (
            str(exc.filename or root),
            f"the folder cannot be read ({why}); the files in it were not scanned",
        )


def choose_loader(path: Path, head: bytes) -> LoaderSpec:
    """Pick a loader: content sniffing first (so wrong extensions work), then the extension."""
    specs = loader_specs()
    for spec in specs:
        if spec.sniff is not None:
            try:
                if spec.sniff(head):
                    return spec
            except Exception:  # a sniffer must never break loading
                continue
    suffix = path.suffix.lower()
    for spec in specs:
        if suffix in spec.extensions:
            return spec
    readable = ", ".join(sorted({e for s in specs for e in s.extensions})) or "nothing (no plugins)"
    kind = f"'{display_path(suffix)}'" if suffix else "without an extension"
    raise MediaError(
        display_path(path), f"unsupported file type {kind}; fakescope reads {readable}"
    )


def iter_load(path: str | Path, shown: str | None = None) -> Iterator[Media]:
    """Load one file lazily: Media are yielded as the loader produces them (a large ``.jsonl``
    streams record by record). Only regular files are read.

    Raises
    ------
    MediaError
        If the file is missing, empty, not a regular file, unreadable or unsupported; also
        raised part-way through when a record stream breaks.
    """
    path = Path(path)
    raw_name = str(path)
    shown = shown if shown is not None else display_path(path)
    try:
        with open_regular(path, shown) as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise MediaError(shown, f"cannot be read ({exc.strerror or exc})") from None
    if not head:
        raise MediaError(shown, "the file is empty")
    spec = choose_loader(path, head)
    count = 0
    try:
        for media in spec.loader(path):
            if media.path.startswith(raw_name):  # printable names, also for "file.jsonl#3"
                media.path = shown + media.path[len(raw_name) :]
            count += 1
            yield media
    except MediaError as exc:
        if exc.path == raw_name and shown != raw_name:
            raise MediaError(shown, exc.reason) from None
        raise
    except MemoryError:
        raise MediaError(shown, "too large to load into memory") from None
    except RecursionError:
        raise MediaError(shown, f"is nested too deeply to be read as {spec.modality}") from None
    except Exception as exc:  # a loader bug must still name the file, never a traceback
        raise MediaError(shown, f"could not be decoded as {spec.modality} ({exc})") from None
    if count == 0:
        raise MediaError(shown, f"contains no {spec.modality} content")


def load(path: str | Path) -> list[Media]:
    """Load one file into one or more :class:`Media` (a ``.jsonl`` gives one per record).

    Raises
    ------
    MediaError
        If the file is missing, empty, unreadable or of an unsupported type.

    Examples
    --------
    >>> load("missing.png")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    MediaError: missing.png: no such file
    """
    return list(iter_load(path))


class TempCopy:
    """Bytes written to a private temporary file, so path-based loaders (and lazy ones: a video
    decodes frame by frame during scoring) can read them; :meth:`remove` deletes it."""

    def __init__(self, data: bytes, prefix: str = "fakescope-input-") -> None:
        self.folder = tempfile.mkdtemp(prefix=prefix)
        # content sniffing picks the loader; the suffix only matters for plain text
        self.path = Path(self.folder) / "input.txt"
        self.path.write_bytes(data)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def load_bytes(data: bytes, name: str) -> tuple[list[Media], TempCopy]:
    """Load file content held in memory; the caller removes the returned copy when the Media
    have been scored.

    Raises
    ------
    MediaError
        Named ``name``, as for a file.
    """
    if not data:
        raise MediaError(name, "the input is empty")
    copy = TempCopy(bytes(data))
    try:
        medias = load(copy.path)
    except MediaError as exc:
        copy.remove()
        raise MediaError(name, exc.reason.replace(str(copy.path), name)) from None
    except BaseException:
        copy.remove()
        raise
    for i, media in enumerate(medias):
        media.path = name if len(medias) == 1 else f"{name}#{i + 1}"
    return medias, copy


def load_stdin(stream: BinaryIO | None = None) -> list[Media]:
    """Read standard input (text or any supported file, at most :data:`MAX_STDIN_BYTES`) into
    Media with path ``-``."""
    import atexit

    stream = stream if stream is not None else sys.stdin.buffer
    data = read_stream_capped(stream, MAX_STDIN_BYTES, STDIN, what="standard input")
    if not data:
        raise MediaError(STDIN, "standard input is empty")
    medias, copy = load_bytes(data, STDIN)
    # Loaders may read lazily (a video decodes frame by frame), so the copy lives until exit.
    atexit.register(copy.remove)
    return medias
