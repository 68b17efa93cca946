"""Laundering transforms by family, each with an ordered list of strengths (mild -> strong).

``fakescope robustness --transforms jpeg,resize`` picks families by name; a robustness table
has one row per (family, strength), and the plot draws AUC against the strength index.

Examples
--------
>>> make_transform("jpeg", 50).name
'jpeg-50'
>>> [f.name for f in families("audio")][:3]
['mp3', 'opus', 'aac']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fakescope.robustness.transforms import audio, image, text
from fakescope.robustness.transforms.base import Compose, Transform


@dataclass(frozen=True)
class Family:
    """A kind of laundering and the strengths a robustness run sweeps."""

    name: str
    modality: str
    build: Callable[[Any], Transform]
    strengths: tuple[Any, ...]
    unit: str
    default: bool = True


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("jpeg", "image", image.JPEG, (95, 85, 75, 60, 40), "quality"),
        Family("webp", "image", image.WebP, (90, 75, 50), "quality"),
        Family("resize", "image", image.Resize, (0.75, 0.5, 0.33), "scale"),
        Family("upscale", "image", image.Resize, (1.5, 2.0), "scale"),
        Family("crop", "image", image.Crop, (0.9, 0.7, 0.5), "kept share"),
        Family("blur", "image", image.Blur, (0.5, 1.0, 2.0), "sigma px"),
        Family("noise", "image", image.Noise, (2.0, 5.0, 10.0), "sigma (of 255)"),
        Family("gamma", "image", image.Gamma, (0.8, 1.25), "gamma"),
        Family("screenshot", "image", image.Screenshot, (1.0, 0.75, 0.5), "scale"),
        Family("mp3", "audio", audio.MP3, (64, 32, 16), "kbps"),
        Family("opus", "audio", audio.Opus, (24, 16, 8), "kbps"),
        Family("aac", "audio", audio.AAC, (48, 24), "kbps"),
        Family("telephone", "audio", audio.Telephone, ("mu", "a"), "G.711 law"),
        Family("resample", "audio", audio.Resample, (16000, 11025, 8000), "Hz"),
        Family("noise-audio", "audio", audio.Noise, (40.0, 30.0, 20.0), "SNR dB"),
        Family("reverb", "audio", audio.Reverb, (0.2, 0.5, 1.0), "RT60 s"),
        Family("silence-fill", "audio", audio.SilenceFill, (50.0, 40.0, 30.0), "gate dB"),
        Family("synonyms", "text", text.SynonymSwap, (0.25, 0.5, 1.0), "share"),
        Family("shuffle", "text", text.SentenceShuffle, (0.5, 1.0), "share"),
        Family("homoglyphs", "text", text.Homoglyphs, (0.05, 0.2), "share"),
        Family("zero-width", "text", text.ZeroWidth, (0.05, 0.2), "share"),
        Family("paraphrase", "text", text.Paraphrase, (0.7,), "temperature", default=False),
    )
}


def families(modality: str | None = None, names: list[str] | None = None) -> list[Family]:
    """Families for ``modality`` (``names`` picks some, ``[]`` none; unknown names raise
    ``KeyError``)."""
    if names is not None:
        unknown = [n for n in names if n not in FAMILIES]
        if unknown:
            known = ", ".join(FAMILIES)
            raise KeyError(f"unknown transform {', '.join(unknown)} (known: {known})")
        chosen = [FAMILIES[n] for n in names]
        return [f for f in chosen if modality is None or f.modality == modality]
    return [f for f in FAMILIES.values() if f.default and modality in (None, f.modality)]


def make_transform(family: str, strength: Any) -> Transform:
    """The transform of ``family`` at ``strength``."""
    return FAMILIES[family].build(strength)


__all__ = ["FAMILIES", "Compose", "Family", "Transform", "families", "make_transform"]
