"""What :meth:`Scanner.scan` accepts, and how each kind of input becomes :class:`Media`.

In the spirit of Hugging Face ``pipeline()``, one call takes one input or a list of them:

=====================================  =========================================================
input                                  read as
=====================================  =========================================================
``"photo.png"``, ``Path(...)``         a file, a folder (recursive), a glob, or ``"-"`` (stdin)
``b"..."``, ``bytearray``              the content of a file (the format is sniffed)
an open binary file (``open(p, "rb")``  its content, named by its ``name``
, ``io.BytesIO``)
a ``PIL.Image.Image``                  an image
a NumPy array (H x W, H x W x 1/3/4)   an image (uint8, or float in [0, 1])
``{"text": "..."}``                    text in memory (the shape of a JSON Lines record)
``{"raw": samples, "sampling_rate":``  audio in memory (float samples in [-1, 1], (n,) or
``16000}``                             (n, channels); ``"array"`` works as well as ``"raw"``)
a :class:`~fakescope.core.media.Media`  already loaded: scored as it is
a list, tuple or generator of these    each one in turn
=====================================  =========================================================

A plain string is always a path, never text: a typo in a file name must fail as "no such file",
not be scored as a sentence. The core converts only what it can without knowing a modality
(paths, bytes, file objects, Media); images, arrays and dicts go to the converters that the
modality plugins register (``register_loader(..., convert=...)``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

from fakescope.core.files import read_stream_capped
from fakescope.core.loading import STDIN, InputFile, iter_load, load_bytes, load_stdin
from fakescope.core.media import Media, MediaError
from fakescope.core.registry import loader_specs

#: Largest in-memory file content (bytes or a file object) read for one input.
MAX_OBJECT_BYTES = 512 * 1024 * 1024

ACCEPTED = (
    "a path, a folder, a glob, bytes, a binary file object, a PIL image, a NumPy array, "
    '{"text": ...} or {"raw": samples, "sampling_rate": rate}'
)

Cleanup = Callable[[], None]


def as_input_list(inputs: Any) -> list[Any]:
    """One input or many, as a list: a string or a path is one input, never its characters.

    Examples
    --------
    >>> as_input_list("photo.png")
    ['photo.png']
    >>> as_input_list(["a.png", "b.png"])
    ['a.png', 'b.png']
    >>> len(as_input_list({"text": "Hello."}))
    1
    """
    if is_single_input(inputs):
        return [inputs]
    try:
        return list(inputs)
    except TypeError:
        return [inputs]  # not iterable: converted (or refused with a clear reason) on its own


def is_single_input(obj: Any) -> bool:
    """True for the kinds of object that are one input even though Python can iterate them."""
    if isinstance(obj, (str, os.PathLike, bytes, bytearray, memoryview, dict, Media)):
        return True
    if hasattr(obj, "read"):  # file objects iterate over lines
        return True
    kind = type(obj)
    return kind.__module__.startswith("PIL.") or kind.__name__ == "ndarray"


def open_input(item: InputFile) -> tuple[Iterator[Media], Cleanup | None]:
    """Media of one input (lazily for files, so a large JSON Lines file streams) and a function
    that frees what loading it left behind (a temporary copy of in-memory bytes), if anything.

    Raises
    ------
    MediaError
        The input is missing, unreadable, unsupported or corrupt (may also be raised while the
        returned iterator is consumed).
    """
    if item.missing is not None:
        raise MediaError(item.name, item.missing)
    if item.obj is None:
        if item.path == STDIN:
            return iter(load_stdin()), None
        return iter_load(item.path, item.name), None
    return _open_object(item.obj, item.name)


def _open_object(obj: Any, name: str) -> tuple[Iterator[Media], Cleanup | None]:
    if isinstance(obj, Media):
        return iter([obj]), None
    if hasattr(obj, "read"):
        if isinstance(obj.read(0), str):
            raise MediaError(name, "is a file opened in text mode; open it with 'rb'")
        data = read_stream_capped(obj, MAX_OBJECT_BYTES, name)
        medias, copy = load_bytes(data, name)
        return iter(medias), copy.remove
    if isinstance(obj, (bytes, bytearray, memoryview)):
        if len(obj) > MAX_OBJECT_BYTES:
            raise MediaError(name, f"is larger than the {MAX_OBJECT_BYTES >> 20} MB limit")
        medias, copy = load_bytes(bytes(obj), name)
        return iter(medias), copy.remove
    for spec in loader_specs():
        if spec.convert is None:
            continue
        medias = spec.convert(obj, name)
        if medias is not None:
            if not medias:
                raise MediaError(name, f"contains no {spec.modality} content")
            return iter(medias), None
    raise MediaError(name, f"cannot scan a {type(obj).__name__}; give {ACCEPTED}")
