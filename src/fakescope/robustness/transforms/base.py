"""The transform contract: one laundering operation = one small class (torchattacks style).

A transform has a ``modality``, a readable ``name`` and ``__call__(data, rng) -> data`` on the
modality's ``Media.data`` (image: HxWx3 uint8 RGB; audio: :class:`~fakescope.audio.clip.AudioClip`;
text: ``str``). :meth:`Transform.apply` wraps that for a whole :class:`~fakescope.core.media.Media`,
so a robustness run is a loop over (transform, strength) pairs and the same Scanner as ``scan``.

Examples
--------
>>> import numpy as np
>>> from fakescope.robustness.transforms.image import JPEG, Resize
>>> rng = np.random.default_rng(0)
>>> img = np.zeros((64, 64, 3), dtype=np.uint8)
>>> Compose([Resize(0.5), JPEG(75)])(img, rng).shape
(32, 32, 3)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from fakescope.core.media import Media


class Transform(ABC):
    """Base class: subclasses set ``modality`` and define ``__call__(data, rng)``."""

    modality = "any"

    @property
    def name(self) -> str:
        """``kind-strength`` as printed in tables, e.g. ``jpeg-75``."""
        kind = type(self).__name__.lower()
        values = [getattr(self, f.name) for f in fields(self)] if _is_dataclass(self) else []
        return "-".join([kind, *(_fmt(v) for v in values[:1])])

    @abstractmethod
    def __call__(self, data: Any, rng: np.random.Generator) -> Any:
        """The laundered ``data`` (the modality's raw form), random draws from ``rng``."""

    def apply(self, media: Media, rng: np.random.Generator) -> Media:
        """A laundered copy of ``media`` (the input is never modified).

        Re-encoding a file drops what the laundering tool does not carry over, so the copy
        keeps only the format-level metadata (``format``, ``laundered``) and no EXIF/XMP/C2PA.
        """
        if self.modality not in ("any", media.modality):
            raise ValueError(f"{self.name} launders {self.modality}, not {media.modality}")
        data = self(media.data, rng)
        meta = {"format": media.metadata.get("format"), "laundered": self.name}
        return replace(media, data=data, metadata=meta)


@dataclass
class Compose(Transform):
    """Apply transforms in order (e.g. resize, then sharpen, then JPEG)."""

    transforms: list[Transform] = field(default_factory=list)

    @property
    def name(self) -> str:
        return "+".join(t.name for t in self.transforms) or "identity"

    @property
    def modality(self) -> str:  # type: ignore[override]
        kinds = {t.modality for t in self.transforms} - {"any"}
        return kinds.pop() if len(kinds) == 1 else "any"

    def __call__(self, data: Any, rng: np.random.Generator) -> Any:
        for t in self.transforms:
            data = t(data, rng)
        return data


def _is_dataclass(obj: Any) -> bool:
    return hasattr(obj, "__dataclass_fields__")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)
