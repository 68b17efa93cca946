"""Uploads: kept in a folder this server owns, checked by content, never named by the client.

Each server process stages files under ``<data dir>/uploads/<instance>/<job>/`` and holds a lock
on its instance folder. At start-up, folders whose lock nobody holds belong to a server that died
(kill -9, power loss): they are deleted, and their jobs are marked interrupted.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fakescope.core.loading import SNIFF_BYTES, choose_loader
from fakescope.core.media import MediaError
from fakescope.service.settings import ServiceSettings

_EXTENSION = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LEGACY_PREFIX = "fakescope-upload-"  # folders older releases left in the temp folder
LEGACY_AGE_S = 3600.0
CHUNK = 1 << 20


class UploadRefused(Exception):
    """A file that is refused before analysis: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.status, self.name, self.reason = status, name, reason


@dataclass(frozen=True)
class StagedFile:
    name: str  # what the client called it (shown, stored; never used as a path)
    path: Path  # where the server put it
    sha256: str
    size: int


def display_name(raw: str | None, index: int) -> str:
    """The client's file name, checked: no folders, no control characters.

    Examples
    --------
    >>> display_name("photo.png", 0)
    'photo.png'
    >>> display_name(None, 3)
    'upload-4'
    >>> display_name("../../etc/passwd", 0)  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    UploadRefused: ../../etc/passwd: ...
    """
    name = (raw or "").strip()
    if not name:
        return f"upload-{index + 1}"
    if "/" in name or "\\" in name or name in (".", "..") or _CONTROL.search(name):
        raise UploadRefused(
            400, name, "a file name must not contain a folder, '..' or control characters"
        )
    return name[:255]


class Staging:
    """This process's upload folder (locked while the process lives)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self.instance = uuid.uuid4().hex[:12]
        self.dir = self.root / self.instance
        self.dir.mkdir(mode=0o700)
        self._lock = (self.dir / ".lock").open("w")
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def reap(self) -> list[str]:
        """Delete folders of dead server processes; returns their instance ids."""
        dead = []
        for folder in self.root.iterdir():
            if folder == self.dir or not folder.is_dir():
                continue
            if _unlocked(folder / ".lock"):
                shutil.rmtree(folder, ignore_errors=True)
                dead.append(folder.name)
        return dead

    def job_dir(self, job_id: str) -> Path:
        folder = self.dir / job_id
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def discard(self, job_id: str) -> None:
        shutil.rmtree(self.dir / job_id, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        self._lock.close()


def _unlocked(lock_file: Path) -> bool:
    try:
        with lock_file.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
    except BlockingIOError:
        return False
    except OSError:  # no lock file: a folder from a crash between mkdir and lock
        return True


def reap_legacy_temp_folders(max_age_s: float = LEGACY_AGE_S) -> int:
    """Remove ``fakescope-upload-*`` folders older releases left in the temp folder."""
    removed = 0
    cutoff = time.time() - max_age_s
    tmp = Path(tempfile.gettempdir())
    for folder in tmp.glob(LEGACY_PREFIX + "*"):
        try:
            stat = folder.lstat()
        except OSError:
            continue
        if folder.is_dir() and stat.st_uid == os.getuid() and stat.st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def save_upload(
    stream: BinaryIO, name: str, folder: Path, index: int, settings: ServiceSettings
) -> StagedFile:
    """Copy one upload into ``folder`` (hashing it), then check it by content."""
    suffix = Path(name).suffix
    target = folder / f"{index:04d}{suffix if _EXTENSION.match(suffix) else ''}"
    digest = hashlib.sha256()
    size = 0
    with target.open("xb") as fh:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > settings.max_upload_bytes:
                raise UploadRefused(
                    413, name, f"larger than the {settings.max_upload_mb:g} MB limit per file"
                )
            digest.update(chunk)
            fh.write(chunk)
    staged = StagedFile(name, target, digest.hexdigest(), size)
    check_content(staged, settings)
    return staged


def save_text(text: str, folder: Path, index: int) -> StagedFile:
    data = text.encode("utf-8")
    target = folder / f"{index:04d}.txt"
    target.write_bytes(data)
    return StagedFile("pasted text", target, hashlib.sha256(data).hexdigest(), len(data))


def check_content(staged: StagedFile, settings: ServiceSettings) -> None:
    """Refuse empty files, types no loader reads, and images with too many pixels."""
    if staged.size == 0:
        raise UploadRefused(422, staged.name, "the file is empty")
    with staged.path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    try:
        spec = choose_loader(staged.path, head)
    except MediaError as exc:
        raise UploadRefused(415, staged.name, exc.reason) from None
    if spec.modality == "image":
        _check_pixels(staged, settings.max_image_megapixels)


def _check_pixels(staged: StagedFile, max_megapixels: float) -> None:
    """Read only the image header: a decompression bomb is refused before anything decodes it."""
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(staged.path) as im:
                width, height = im.size
        megapixels = width * height / 1e6
        size = f"{width}x{height} pixels ({megapixels:,.0f} Mpx)"
    except Image.DecompressionBombError as exc:  # Pillow's own, higher limit
        found = re.search(r"\((\d+) pixels\)", str(exc))
        megapixels = int(found.group(1)) / 1e6 if found else float("inf")
        size = f"{megapixels:,.0f} Mpx"
    except Exception:  # unreadable header: the loader will say why, in the report
        return
    if megapixels > max_megapixels:
        raise UploadRefused(
            413,
            staged.name,
            f"{size} is over the {max_megapixels:g} Mpx limit (a decompression bomb, or a "
            "picture to shrink before uploading); nothing was decoded",
        )
