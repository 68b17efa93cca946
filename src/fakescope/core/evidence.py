"""What a detector says about one input: a score, a reason and artefacts to look at."""

from __future__ import annotations

import base64
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class Artefact:
    """Something a person can look at: a heat map, a spectrum, a timeline, coloured tokens.

    Evidence is data first: a detector hands over what the picture is drawn from plus a
    ``render`` function, and the picture is drawn only where a person will look (the HTML
    report, the web service) by :meth:`picture`. ``fakescope scan --json`` never draws it.

    Parameters
    ----------
    kind : str
        ``"image"`` (a picture: ``render`` draws it, or ``png`` holds it), ``"tokens"``
        (``data`` is a list of ``{"text": str, "bucket": 0..3, "value": float}``) or
        ``"table"`` (``data`` is a list of rows).
    title : str
        A caption.
    png : bytes, optional
        An already drawn PNG (set by :meth:`picture` once drawn).
    data : Any, optional
        JSON-serialisable payload, part of ``scan --json``.
    render : callable, optional
        ``render() -> bytes``: draws the PNG. Give a picklable callable that holds only what
        the picture needs (e.g. ``functools.partial(draw, small_array)``), not the input.

    Examples
    --------
    >>> Artefact(kind="table", title="EXIF", data=[["Make", "Canon"]]).to_dict()["kind"]
    'table'
    >>> from fakescope.core.plotting import array_to_png
    >>> import functools, numpy as np
    >>> grey = np.zeros((2, 2, 3), np.uint8)
    >>> a = Artefact("image", "grey", render=functools.partial(array_to_png, grey))
    >>> a.png is None, a.picture()[:4]
    (True, b'\\x89PNG')
    """

    kind: str
    title: str
    png: bytes | None = None
    data: Any = None
    render: Callable[[], bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def has_picture(self) -> bool:
        """True when there is a picture, drawn or still to draw."""
        return self.png is not None or self.render is not None

    def picture(self) -> bytes | None:
        """The PNG, drawn now if it was not yet (once: the drawing inputs are then let go).

        A picture that fails to draw is logged and left out (``None``): it never costs the
        person the rest of the report.
        """
        if self.png is None and self.render is not None:
            render, self.render = self.render, None
            try:
                self.png = render()
            except Exception as exc:  # a broken picture must not lose the report
                log.warning("picture %r could not be drawn: %s", self.title, exc)
        return self.png

    def to_dict(self, include_png: bool = False) -> dict[str, Any]:
        """JSON form; the picture is drawn and base64-encoded only when asked for."""
        out: dict[str, Any] = {"kind": self.kind, "title": self.title}
        if self.data is not None:
            out["data"] = to_jsonable(self.data)
        png = self.picture() if include_png else None
        if png is not None:
            out["png_base64"] = base64.b64encode(png).decode("ascii")
        return out


@dataclass
class Evidence:
    """One detector's finding about one input.

    Parameters
    ----------
    detector : str
        Registry name of the detector.
    score : float or None
        Probability that the input is machine-made, in [0, 1]; ``None`` means the detector
        abstains (``reason`` says why, e.g. "too short to judge").
    reason : str
        One short sentence.
    artefacts : list of Artefact
    details : dict
        JSON-serialisable numbers behind the score.
    weight : float
        Fusion weight; weak evidence (e.g. "no camera data") uses a low weight.

    Examples
    --------
    >>> Evidence("spectrum", 0.9, "periodic up-sampling peaks").to_dict()["score"]
    0.9
    """

    detector: str
    score: float | None
    reason: str
    artefacts: list[Artefact] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.score is not None:
            value = float(self.score)
            if not math.isfinite(value):
                raise ValueError(f"detector {self.detector!r} produced a non-finite score")
            self.score = min(1.0, max(0.0, value))

    @property
    def abstained(self) -> bool:
        return self.score is None

    def to_dict(self, include_png: bool = False) -> dict[str, Any]:
        return {
            "detector": self.detector,
            "score": self.score,
            "reason": self.reason,
            "weight": self.weight,
            "details": to_jsonable(self.details),
            "artefacts": [a.to_dict(include_png) for a in self.artefacts],
        }


def to_jsonable(value: Any) -> Any:
    """Convert NumPy scalars/arrays, tuples and paths into plain JSON types."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return to_jsonable(tolist())
    return str(value)
