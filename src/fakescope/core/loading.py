"""Find input files and turn each into :class:`Media` with the right modality's loader."""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fakescope.core.media import Media, MediaError
from fakescope.core.registry import LoaderSpec, loader_specs

SNIFF_BYTES = 64
STDIN = "-"


@dataclass(frozen=True)
class InputFile:
    """One file to analyse, or an input that named nothing (``missing`` holds why)."""

    path: str
    missing: str | None = None
    explicit: bool = True  # named by the user, not found inside a folder


def known_extensions() -> set[str]:
    return {ext for spec in loader_specs() for ext in spec.extensions}


def collect_inputs(inputs: Iterable[str]) -> list[InputFile]:
    """Expand files, folders (recursively) and glob patterns into a sorted, de-duplicated list.

    Inside folders, hidden files and files whose extension no loader claims are skipped; a file
    the user named explicitly is always kept, so that it gets a clear error if it is unreadable.

    Examples
    --------
    >>> collect_inputs(["no/such/file.png"])[0].missing
    'no such file or folder'
    """
    seen: set[str] = set()
    out: list[InputFile] = []
    exts = None

    def add(item: InputFile) -> None:
        if item.path not in seen:
            seen.add(item.path)
            out.append(item)

    for raw in inputs:
        if raw == STDIN:
            add(InputFile(STDIN))
            continue
        path = Path(raw)
        if path.is_dir():
            exts = exts if exts is not None else known_extensions()
            for found in sorted(_walk(path)):
                if found.suffix.lower() in exts:
                    add(InputFile(str(found), explicit=False))
        elif path.exists():
            add(InputFile(str(path)))
        elif glob.has_magic(raw):
            matches = sorted(glob.glob(raw, recursive=True))
            files = [m for m in matches if Path(m).is_file()]
            if not files:
                add(InputFile(raw, missing="the pattern matched no files"))
            for m in files:
                add(InputFile(m))
        else:
            add(InputFile(raw, missing="no such file or folder"))
    return out


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not name.startswith("."):
                yield Path(dirpath) / name


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
    kind = f"'{suffix}'" if suffix else "without an extension"
    raise MediaError(str(path), f"unsupported file type {kind}; fakescope reads {readable}")


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
    path = Path(path)
    shown = str(path)
    if not path.exists():
        raise MediaError(shown, "no such file")
    if path.is_dir():
        raise MediaError(shown, "is a folder, not a file")
    try:
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise MediaError(shown, f"cannot be read ({exc.strerror or exc})") from None
    if not head:
        raise MediaError(shown, "the file is empty")
    spec = choose_loader(path, head)
    try:
        medias = spec.loader(path)
    except MediaError:
        raise
    except MemoryError:
        raise MediaError(shown, "too large to load into memory") from None
    except Exception as exc:  # a loader bug must still name the file, never a traceback
        raise MediaError(shown, f"could not be decoded as {spec.modality} ({exc})") from None
    if not medias:
        raise MediaError(shown, f"contains no {spec.modality} content")
    return medias


def load_stdin(stream=None) -> list[Media]:
    """Read standard input (text or any supported file) into Media with path ``-``."""
    stream = stream if stream is not None else sys.stdin.buffer
    data = stream.read()
    if not data:
        raise MediaError(STDIN, "standard input is empty")
    # Loaders may read lazily (a video decodes frame by frame), so the copy lives until exit.
    tmp = tempfile.mkdtemp(prefix="fakescope-stdin-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    tmp_path = Path(tmp) / "stdin.txt"  # content sniffing picks the loader, not this suffix
    tmp_path.write_bytes(data)
    try:
        medias = load(tmp_path)
    except MediaError as exc:
        raise MediaError(STDIN, exc.reason.replace(str(tmp_path), STDIN)) from None
    for i, media in enumerate(medias):
        media.path = STDIN if len(medias) == 1 else f"{STDIN}#{i + 1}"
    return medias
