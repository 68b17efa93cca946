"""A JSON Lines output that can be resumed: what is in it is not scanned again."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

_PATH = re.compile(r'^\{"path": "((?:[^"\\]|\\.)*)"')


def record_line(record: dict[str, Any]) -> str:
    """One record exactly as ``fakescope scan --json`` prints it."""
    return json.dumps(record)


def input_of(record_path: str, inputs: set[str]) -> str | None:
    """The input a record belongs to (``notes.jsonl#3`` belongs to ``notes.jsonl``).

    Examples
    --------
    >>> input_of("notes.jsonl#3", {"notes.jsonl"}), input_of("a#b.png", {"a#b.png"})
    ('notes.jsonl', 'a#b.png')
    """
    if record_path in inputs:
        return record_path
    base = record_path.rsplit("#", 1)[0]
    return base if base in inputs else None


class ResumableJsonl:
    """Append records to ``path``; on opening, find which inputs are already done.

    A run that was killed may have left a torn last line: it is cut off, together with the
    complete lines of the same input before it (an input's records are written in one go), so
    that input is scanned again, whole.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.done_paths: list[str] = []
        self._fh: TextIO | None = None

    def open(self, inputs: Iterable[str]) -> set[str]:
        """Prepare for appending; returns the inputs that already have their records."""
        wanted = set(inputs)
        done: set[str] = set()
        if self.path.exists():
            keep, done = self._repair(wanted)
            if keep is not None:
                with self.path.open("r+b") as fh:
                    fh.truncate(keep)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("a", encoding="utf-8")
        return done

    def _repair(self, wanted: set[str]) -> tuple[int | None, set[str]]:
        raw = self.path.read_bytes()
        lines = raw.split(b"\n")
        complete, tail = lines[:-1], lines[-1]
        if not tail:
            return None, self._inputs(complete, wanted)
        torn = _path_of(tail.decode("utf-8", "replace"))
        torn_input = input_of(torn, wanted) if torn is not None else None
        if torn_input is None and complete:  # torn inside its name: redo the last input too
            last = _path_of(complete[-1].decode("utf-8", "replace"))
            torn_input = input_of(last, wanted) if last is not None else None
        while complete and torn_input is not None:
            last = _path_of(complete[-1].decode("utf-8", "replace"))
            if last is None or input_of(last, wanted) != torn_input:
                break
            complete.pop()
        keep = sum(len(line) + 1 for line in complete)
        return keep, self._inputs(complete, wanted)

    @staticmethod
    def _inputs(lines: list[bytes], wanted: set[str]) -> set[str]:
        done = set()
        for line in lines:
            path = _path_of(line.decode("utf-8", "replace"))
            found = input_of(path, wanted) if path is not None else None
            if found is not None:
                done.add(found)
        return done

    def write(self, records: list[dict[str, Any]]) -> None:
        """All records of one input, in one write, flushed to disk."""
        assert self._fh is not None, "open() first"
        self._fh.write("".join(record_line(r) + "\n" for r in records))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _path_of(line: str) -> str | None:
    found = _PATH.match(line)
    if not found:
        return None
    try:
        return json.loads(f'"{found.group(1)}"')
    except ValueError:
        return None
