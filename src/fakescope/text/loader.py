"""Read text files into :class:`Media`: plain text, Markdown, HTML, JSON and JSON Lines.

Loaders only decode; they never judge. A ``.json``/``.jsonl`` file gives one Media per record
with a ``text`` field (path ``"file.jsonl#N"``, N counted from 1). A record that cannot be used
becomes a Media whose ``metadata["error"]`` says why, so one bad line fails only itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fakescope.core.files import open_regular, read_capped
from fakescope.core.media import Media, MediaError
from fakescope.text.markup import html_to_text, markdown_to_text

EXTENSIONS = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")
MAX_BYTES = 50 * 1024 * 1024
"""Larger files are refused rather than read into memory (JSON Lines files are streamed and
have no total limit, only :data:`MAX_LINE_BYTES` per record)."""
MAX_LINE_BYTES = 10 * 1024 * 1024
#: Longest integer literal parsed in JSON; longer ones are kept as text (Python refuses to
#: convert integers of more than 4300 digits).
_MAX_INT_DIGITS = 4000

_BINARY_CONTROL_SHARE = 0.05


def load_text(path: Path) -> list[Media]:
    """Load a text file by extension (content decides between JSON and plain text for stdin).

    Raises
    ------
    MediaError
        For binary, undecodable, empty, oversized or malformed files.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_text("Hello there.")
    >>> load_text(p)[0].data
    'Hello there.'
    """
    return list(iter_text(path))


def iter_text(path: Path) -> Iterator[Media]:
    """Like :func:`load_text`, but a ``.jsonl`` file is read and yielded record by record, so a
    large one streams (its first records are scored while the rest is still being read)."""
    shown = str(path)
    if path.suffix.lower() == ".jsonl":
        yield from _stream_jsonl(path, shown)
        return
    try:
        raw = read_capped(path, MAX_BYTES, shown)
    except MediaError as exc:
        if "limit" not in exc.reason:
            raise
        raise MediaError(
            shown,
            f"is over {MAX_BYTES // 2**20} MB; text files that large are not read (split it "
            "first, or save it as JSON Lines, which is read record by record)",
        ) from None
    yield from _parse_text(path, shown, raw)


def _parse_text(path: Path, shown: str, raw: bytes) -> list[Media]:
    text = decode_bytes(raw, shown)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm") or (
        suffix not in (".md", ".json", ".jsonl") and _looks_html(text)
    ):
        body, title = html_to_text(text)
        meta = {"format": "html", "title": title} if title else {"format": "html"}
        return [_media(shown, body, {**meta, "bytes": len(raw)})]
    if suffix in (".md", ".markdown"):
        return [_media(shown, markdown_to_text(text), {"format": "markdown", "bytes": len(raw)})]
    if suffix == ".json" and _looks_jsonl(text):
        return _load_jsonl(shown, text)
    if suffix == ".json":
        return _load_json(shown, text)
    if text.lstrip()[:1] in ("{", "["):
        # Standard input arrives as a .txt file: piped JSON / JSON Lines records stay records.
        records = _try_records(shown, text)
        if records is not None:
            return records
    return [_media(shown, text, {"format": "text", "bytes": len(raw)})]


def text_from_object(obj: Any, name: str) -> list[Media] | None:
    """Converter for text in memory: ``{"text": "..."}`` (the shape of a JSON Lines record;
    other small fields are kept as metadata). ``None`` for anything else.

    Examples
    --------
    >>> text_from_object({"text": "Hello there.", "id": 3}, "<text #1>")[0].metadata["id"]
    3
    """
    if not isinstance(obj, dict) or "text" not in obj:
        return None
    if not isinstance(obj["text"], str):
        raise MediaError(name, '"text" is not a string')
    return [_record_media(name, obj, where="the record")]


def sniff_text(head: bytes) -> bool:
    """Claim files without a known extension whose first bytes look like prose or HTML.

    Conservative on purpose: other modalities' files (CSV tables, JSON configs, binaries) must
    not be taken for text. Requires valid UTF-8, no control bytes, and mostly letters and spaces.

    Examples
    --------
    >>> sniff_text(b"It was a bright cold day in April, and the clocks were striking thirteen.")
    True
    >>> sniff_text(bytes([0x89]) + b"PNG\\r\\n")
    False
    """
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte-order mark
        body = head[2 : 2 + (len(head) - 2) // 2 * 2]
        text = body.decode("utf-16-le" if head[0] == 0xFF else "utf-16-be", "replace")
        return bool(text) and all(c.isprintable() or c in "\t\r\n" for c in text)
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # only a multi-byte character cut at the end is allowed
            return False
        text = head[: exc.start].decode("utf-8")
    low = text.lstrip().lower()
    if low.startswith(("<!doctype html", "<html")):
        return True
    if low[:1] in ("{", "[", "<", "#", "%") or any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        return False
    letters = sum(c.isalpha() or c == " " for c in text)
    return len(text) >= 32 and text.count(" ") >= 5 and letters / len(text) >= 0.85


def decode_bytes(raw: bytes, shown: str) -> str:
    """Decode UTF-8 (or UTF-16 with a byte-order mark); refuse binary data with a clear reason.

    Examples
    --------
    >>> decode_bytes("café".encode(), "x.txt")
    'café'
    """
    if not raw.strip():
        raise MediaError(shown, "the file is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise MediaError(shown, "is marked as UTF-16 text but cannot be decoded") from None
    head = raw[:8192]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in head or controls > _BINARY_CONTROL_SHARE * len(head):
        raise MediaError(shown, "looks like a binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MediaError(
            shown,
            f"is not UTF-8 text (undecodable byte at position {exc.start}); "
            "save it as UTF-8 and try again",
        ) from None


class _HugeInt(str):
    """An integer literal too long for Python to convert, kept as its digits."""


def _parse_int(digits: str) -> int | str:
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else _HugeInt(digits)


def _json_loads(text: str) -> Any:
    """``json.loads`` that keeps huge integers as text and reports deep nesting as a ValueError
    (one nested record must fail only itself, never the file or the process)."""
    try:
        return json.loads(text, parse_int=_parse_int)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _json_error(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno}"
    return str(exc)


def _try_records(shown: str, text: str) -> list[Media] | None:
    try:
        medias = (
            _load_jsonl(shown, text)
            if _looks_jsonl(text)
            else _records(shown, _json_loads(text), lines=None)
        )
    except (ValueError, MediaError):
        return None
    if any("error" in m.metadata for m in medias):
        return None
    return medias


def _looks_html(text: str) -> bool:
    low = text.lstrip()[:200].lower()
    return low.startswith(("<!doctype html", "<html"))


def _looks_jsonl(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        _json_loads(text)
        return False
    except ValueError:
        pass
    try:
        return all(isinstance(_json_loads(line), dict) for line in lines[:3])
    except ValueError:
        return False


def _load_json(shown: str, text: str) -> list[Media]:
    try:
        data = _json_loads(text)
    except ValueError as exc:
        raise MediaError(shown, f"is not valid JSON ({_json_error(exc)})") from None
    return _records(shown, data, lines=None)


def _load_jsonl(shown: str, text: str) -> list[Media]:
    medias = [
        _jsonl_record(shown, number, lineno, line)
        for number, (lineno, line) in enumerate(_numbered_lines(text.splitlines()), start=1)
    ]
    if not medias:
        raise MediaError(shown, "contains no JSON records")
    return medias


def _numbered_lines(lines: Any) -> Iterator[tuple[int, str]]:
    for lineno, line in enumerate(lines, start=1):
        if line.strip():
            yield lineno, line


def _jsonl_record(shown: str, number: int, lineno: int, line: str) -> Media:
    path = f"{shown}#{number}"
    try:
        record = _json_loads(line)
    except ValueError as exc:
        return _broken(path, f"line {lineno} is not valid JSON ({_json_error(exc)})")
    return _record_media(path, record, where=f"line {lineno}")


def _stream_jsonl(path: Path, shown: str) -> Iterator[Media]:
    """Records of a JSON Lines file, read one line at a time (at most
    :data:`MAX_LINE_BYTES` each: a longer line fails only its own record)."""
    number = 0
    with open_regular(path, shown) as fh:
        for lineno, raw in enumerate(_capped_lines(fh), start=1):
            if raw is None:
                number += 1
                yield _broken(
                    f"{shown}#{number}",
                    f"line {lineno} is longer than {MAX_LINE_BYTES // 2**20} MB; not read",
                )
                continue
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                if lineno == 1 and b"\x00" in raw:
                    raise MediaError(shown, "looks like a binary file, not JSON Lines") from None
                number += 1
                yield _broken(f"{shown}#{number}", f"line {lineno} is not UTF-8 ({exc.reason})")
                continue
            if line.strip():
                number += 1
                yield _jsonl_record(shown, number, lineno, line)
    if number == 0:
        raise MediaError(shown, "contains no JSON records")


def _capped_lines(fh: Any) -> Iterator[bytes | None]:
    """Lines of a binary file; ``None`` stands for a line over :data:`MAX_LINE_BYTES`, whose
    rest is skipped without being held in memory."""
    while True:
        line = fh.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) <= MAX_LINE_BYTES or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = fh.readline(1 << 20)
        yield None


def _records(shown: str, data: Any, lines: None) -> list[Media]:
    if isinstance(data, dict):
        if "text" in data:
            return [_record_media(shown, data, where="the record")]
        raise MediaError(shown, 'has no "text" field (fakescope reads {"text": "..."} records)')
    if isinstance(data, list):
        if not data:
            raise MediaError(shown, "is an empty JSON list")
        if all(isinstance(x, str) for x in data):
            return [_media(f"{shown}#{i}", x, {"format": "json"}) for i, x in enumerate(data, 1)]
        return [
            _record_media(f"{shown}#{i}", rec, where=f"record {i}") for i, rec in enumerate(data, 1)
        ]
    raise MediaError(shown, 'is JSON but not a {"text": ...} record or a list of them')


def _record_media(path: str, record: Any, where: str) -> Media:
    if not isinstance(record, dict):
        return _broken(path, f'{where} is not a JSON object with a "text" field')
    text = record.get("text")
    if not isinstance(text, str) or isinstance(text, _HugeInt):
        why = 'has no "text" field' if text is None else '"text" is not a string'
        return _broken(path, f"{where} {why}")
    meta: dict[str, Any] = {"format": "jsonl" if "#" in path else "json"}
    # Small scalar fields (ids, labels, sources) are kept for the report; NaN and infinities
    # would not be valid JSON in `scan --json`.
    for key, value in record.items():
        if key == "text" or not isinstance(value, (str, int, float, bool)):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            continue
        if isinstance(value, str) and len(value) < 200:
            meta[_valid_unicode(str(key))] = _valid_unicode(value)
        elif isinstance(value, (int, float)) and abs(value) < 1e200:
            meta[_valid_unicode(str(key))] = value
    return _media(path, _valid_unicode(text), meta)


def _valid_unicode(text: str) -> str:
    """JSON escapes can encode lone surrogates (``"\\ud800"``), which no UTF-8 output can
    hold: they become U+FFFD, as a browser shows them.

    Examples
    --------
    >>> _valid_unicode("ok \\ud800")
    'ok \\ufffd'
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _media(path: str, text: str, metadata: dict[str, Any]) -> Media:
    metadata = {**metadata, "characters": len(text)}
    return Media(path=path, modality="text", data=text, metadata=metadata)


def _broken(path: str, reason: str) -> Media:
    return Media(path=path, modality="text", data="", metadata={"error": reason})
