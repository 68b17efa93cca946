"""A loaded file (`Media`) and the error raised when a file cannot be analysed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MODALITIES = ("image", "video", "audio", "text")


@dataclass
class Media:
    """A decoded input ready for detectors.

    Parameters
    ----------
    path : str
        Display path: the file, ``"notes.jsonl#3"`` for a record, ``"-"`` for stdin.
    modality : str
        One of ``"image"``, ``"video"``, ``"audio"``, ``"text"``.
    data : Any
        Decoded content; its type is defined by the modality (an RGB array for images, ...).
    metadata : dict
        JSON-friendly facts about the file (format, size, sample rate, EXIF, ...).
    abstain : str, optional
        Set by a loader when the content cannot be judged at all (e.g. ``"flat image: ..."``, a
        picture of one colour). The scanner then runs only the detectors that do not judge
        content (metadata), and the verdict is this reason instead of a score.

    Examples
    --------
    >>> Media(path="a.txt", modality="text", data="hello").modality
    'text'
    """

    path: str
    modality: str
    data: Any
    metadata: dict[str, Any] = field(default_factory=dict)
    abstain: str | None = None


class MediaError(Exception):
    """A file that cannot be analysed, with the reason in the user's words.

    Examples
    --------
    >>> str(MediaError("cat.png", "the file is empty"))
    'cat.png: the file is empty'
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason
