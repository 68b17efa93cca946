"""What the analysis of one uploaded file produced, as passed from a worker to the store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FILE_TOKEN = "<file>"  # stands for the uploaded file's name inside stored error texts
PNG = tuple[bytes, int | None, int | None]  # picture, width, height


@dataclass
class Outcome:
    """One record per reported item, pictures kept apart (stored once, by SHA-256).

    Examples
    --------
    >>> failure("too slow").records[0]["error"]
    'too slow'
    """

    records: list[dict[str, Any]]  # "path" holds the suffix: "" or "#3" for a .jsonl record
    pictures: dict[str, PNG]  # sha256 -> (png, width, height)
    cacheable: bool = True  # False for limits hit (time, memory, crash): may pass another time


def failure(reason: str) -> Outcome:
    """An outcome for a file that could not be analysed (never cached: it may pass next time)."""
    record = {
        "path": "",
        "modality": None,
        "score": None,
        "verdict": "error",
        "thresholds": {"likely_real_below": 0.3, "likely_synthetic_above": 0.7},
        "detectors": {},
        "error": reason,
        "evidence": [],
        "metadata": {},
    }
    return Outcome([record], {}, cacheable=False)
