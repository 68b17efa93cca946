"""Read text files into :class:`Media`: plain text, Markdown, HTML, JSON and JSON Lines.

Loaders only decode; they never judge. A ``.json``/``.jsonl`` file gives one Media per record
with a ``text`` field (path ``"file.jsonl#N"``, N counted from 1). A record that cannot be used
becomes a Media whose ``metadata["error"]`` says why, so one bad line fails only itself.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from fakescope.core.media import Media, MediaError

EXTENSIONS = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl")
MAX_BYTES = 50 * 1024 * 1024
"""Larger files are refused rather than read into memory."""

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
    shown = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise MediaError(
                shown,
                f"is {size / 2**20:.0f} MB; text files over {MAX_BYTES // 2**20} MB are "
                "not read (split it first)",
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise MediaError(shown, f"cannot be read ({exc.strerror or exc})") from None
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
    if suffix == ".jsonl" or (suffix == ".json" and _looks_jsonl(text)):
        return _load_jsonl(shown, text)
    if suffix == ".json":
        return _load_json(shown, text)
    if text.lstrip()[:1] in ("{", "["):
        # Standard input arrives as a .txt file: piped JSON / JSON Lines records stay records.
        records = _try_records(shown, text)
        if records is not None:
            return records
    return [_media(shown, text, {"format": "text", "bytes": len(raw)})]


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


class _VisibleText(HTMLParser):
    """Collect the text a browser would show: no script/style/head, line breaks at blocks."""

    HIDDEN = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
    BLOCK = {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "section",
        "article",
        "blockquote",
        "pre",
        "header",
        "footer",
        "hr",
        "dd",
        "dt",
        "figcaption",
        "main",
        "aside",
        "nav",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.in_title = False
        self.title: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, str]:
    """Visible text of an HTML document and its title.

    Examples
    --------
    >>> html_to_text("<html><head><title>T</title><style>p{}</style></head>"
    ...              "<body><p>Hello <b>world</b></p><script>x=1</script></body></html>")
    ('Hello world', 'T')
    """
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    body = "\n".join(line for line in lines if line)
    return body, " ".join("".join(parser.title).split())


_MD_RULES = [
    (re.compile(r"```.*?```", re.S), " "),  # code blocks are not prose
    (re.compile(r"<!--.*?-->", re.S), " "),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links -> link text
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),  # heading markers
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M), ""),  # list bullets
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])[*_]([^*_\n]+)[*_](?![\w*])"), r"\1"),  # italics
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"^\s*([-*_]\s*){3,}$", re.M), ""),  # rules
]


def markdown_to_text(md: str) -> str:
    """Strip Markdown syntax that would disturb the language model, keeping the prose.

    Examples
    --------
    >>> markdown_to_text("# Title\\n\\nSome **bold** and [a link](http://x.org).")
    'Title\\n\\nSome bold and a link.'
    """
    out = md
    for pattern, repl in _MD_RULES:
        out = pattern.sub(repl, out)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def _try_records(shown: str, text: str) -> list[Media] | None:
    try:
        medias = (
            _load_jsonl(shown, text)
            if _looks_jsonl(text)
            else _records(shown, json.loads(text), lines=None)
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
        json.loads(text)
        return False
    except ValueError:
        pass
    try:
        return all(isinstance(json.loads(line), dict) for line in lines[:3])
    except ValueError:
        return False


def _load_json(shown: str, text: str) -> list[Media]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MediaError(shown, f"is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    return _records(shown, data, lines=None)


def _load_jsonl(shown: str, text: str) -> list[Media]:
    medias: list[Media] = []
    number = 0
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        number += 1
        path = f"{shown}#{number}"
        try:
            record = json.loads(line)
        except ValueError as exc:
            medias.append(_broken(path, f"line {lineno} is not valid JSON ({exc.msg})"))
            continue
        medias.append(_record_media(path, record, where=f"line {lineno}"))
    if not medias:
        raise MediaError(shown, "contains no JSON records")
    return medias


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
    if not isinstance(text, str):
        why = 'has no "text" field' if text is None else '"text" is not a string'
        return _broken(path, f"{where} {why}")
    meta = {"format": "jsonl" if "#" in path else "json"}
    # Small scalar fields (ids, labels, sources) are kept for the report.
    for key, value in record.items():
        if key != "text" and isinstance(value, (str, int, float, bool)) and len(str(value)) < 200:
            meta[str(key)] = value
    return _media(path, text, meta)


def _media(path: str, text: str, metadata: dict[str, Any]) -> Media:
    metadata = {**metadata, "characters": len(text)}
    return Media(path=path, modality="text", data=text, metadata=metadata)


def _broken(path: str, reason: str) -> Media:
    return Media(path=path, modality="text", data="", metadata={"error": reason})
