"""How each modality's media become attack tensors and back (librosa-style small functions).

An attack perturbs what a differentiable detector reads: the RGB pixels of an image, or the
8 kHz front-end segments of a voice recording. :class:`ImageAdapter` and :class:`AudioAdapter`
turn a :class:`~fakescope.core.media.Media` into those tensors and rebuild a Media from the
perturbed tensors, quantised as a file would store them (8-bit pixels, 16-bit samples), so that
the attacked copy is re-scored by the same Scanner as a user's file.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from fakescope.core.media import Media

#: Fallback differentiable detector per modality (when no default detector has a torch module).
DEFAULT_TARGETS = {"image": "residual-cnn", "audio": "spec-cnn"}


class ImageAdapter:
    """Image media <-> one ``(3, H, W)`` tensor in [0, 1]; bounds (0, 1).

    Examples
    --------
    >>> m = Media("a.png", "image", np.zeros((4, 5, 3), dtype=np.uint8), {})
    >>> [t.shape for t in ImageAdapter().tensors(m)]
    [torch.Size([3, 4, 5])]
    """

    bounds = (0.0, 1.0)
    #: default budgets per attack, in pixel units of [0, 1] (L2: of the whole image)
    budgets = {
        "fgsm": (1 / 255, 2 / 255, 4 / 255, 8 / 255),
        "pgd": (1 / 255, 2 / 255, 4 / 255, 8 / 255),
        "pgd-l2": (0.5, 1.0, 2.0),
        "square": (4 / 255, 8 / 255, 16 / 255),
    }

    def tensors(self, media: Media) -> list[torch.Tensor]:
        return [torch.from_numpy(np.array(media.data)).permute(2, 0, 1).float() / 255]

    def rebuild(self, media: Media, tensors: list[torch.Tensor]) -> Media:
        """The attacked image as 8-bit pixels (metadata kept: an attack only edits pixels)."""
        rgb = (tensors[0].clamp(0, 1) * 255).round().byte().permute(1, 2, 0).numpy()
        return replace(media, data=np.ascontiguousarray(rgb))

    @staticmethod
    def format_budget(eps: float, attack: str) -> str:
        return f"{eps:g}" if attack == "pgd-l2" else f"{eps * 255:.3g}/255"


class AudioAdapter:
    """Audio media <-> the speech front-end segments at ``rate`` (the attacked detector's
    ``sample_rate``, 8 kHz for the shipped spec-cnn); bounds (-1, 1).

    The attacked recording is the attacked segments joined, at ``rate``, 16-bit: what an
    attacker who ran the detector's own front end would upload. Music-only files have no
    segments and are left unchanged.
    """

    bounds = (-1.0, 1.0)

    def __init__(self, rate: int = 8000) -> None:
        self.rate = int(rate)

    budgets = {
        "fgsm": (0.0005, 0.002, 0.008),
        "pgd": (0.0005, 0.002, 0.008),
        "pgd-l2": (0.05, 0.2, 0.8),
        "square": (0.002, 0.008),
    }

    def tensors(self, media: Media) -> list[torch.Tensor]:
        from fakescope.audio.speech import speech_segments

        return [torch.from_numpy(np.asarray(s, dtype=np.float32)) for _, _, s in
                speech_segments(media.data, self.rate)]  # fmt: skip

    def rebuild(self, media: Media, tensors: list[torch.Tensor]) -> Media:
        from fakescope.audio.clip import AudioClip

        if not tensors:
            return media
        x = torch.cat([t.clamp(-1, 1) for t in tensors]).numpy()
        x = np.round(x * 32767) / 32767
        clip = AudioClip(x.astype(np.float32)[:, None], self.rate)
        return replace(media, data=clip, metadata={**media.metadata, "sample_rate": self.rate})

    @staticmethod
    def format_budget(eps: float, attack: str) -> str:
        return f"{eps:g}"


ADAPTERS = {"image": ImageAdapter, "audio": AudioAdapter}


def adapter_for(modality: str, detector=None):
    """The adapter of ``modality`` (at ``detector.sample_rate`` for audio); ``KeyError`` with
    the reason when it cannot be attacked."""
    if modality not in ADAPTERS:
        raise KeyError(
            f"{modality} has no attackable (differentiable) detector; "
            "only laundering transforms are measured"
        )
    if modality == "audio":
        return AudioAdapter(getattr(detector, "sample_rate", 8000))
    return ADAPTERS[modality]()
