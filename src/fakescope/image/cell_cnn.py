"""What the image CNNs that output a grid of cell log-odds share: ``residual-cnn`` and
``robust-cnn`` differ in their network, weights and words, not in how they score.

A detector built on :class:`CellGridDetector` sets ``model`` (a network mapping ``(N, 3, H, W)``
RGB in [0, 1] to ``(N, 1, h, w)`` cell log-odds), ``scale`` and ``bias`` (Platt scaling fitted at
training time) and the class attributes below; it gets batched scoring of equal-size centre
crops, the heat-map evidence (drawn only when someone looks) and a differentiable module.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.media import Media
from fakescope.image.render import heatmap_overlay

MIN_SIZE = 32


def centre_crop(rgb: np.ndarray, side: int, *, even: bool = False) -> np.ndarray:
    """Centre crop to at most ``side`` pixels per axis; ``even`` trims odd sizes by one.

    Examples
    --------
    >>> centre_crop(np.zeros((41, 2000, 3), np.uint8), 1024, even=True).shape
    (40, 1024, 3)
    >>> centre_crop(np.zeros((41, 20, 3), np.uint8), 1024).shape
    (41, 20, 3)
    """
    h, w = rgb.shape[:2]
    ch, cw = min(h, side), min(w, side)
    if even:
        ch, cw = ch - ch % 2, cw - cw % 2
    y, x = (h - ch) // 2, (w - cw) // 2
    return rgb[y : y + ch, x : x + cw]


def pool_logits(cell_logits):
    """Image log-odds from the cell map: mean of all cells and of the top eighth.

    The top-eighth term lets a local forgery (a blended patch) raise the image score, the mean
    keeps one noisy cell from deciding alone.

    Examples
    --------
    >>> import torch
    >>> float(pool_logits(torch.zeros(2, 1, 4, 4))[0])
    0.0
    """
    import torch

    flat = cell_logits.flatten(1)
    k = max(1, flat.shape[1] // 8)
    top = torch.topk(flat, k, dim=1).values.mean(dim=1)
    return 0.5 * flat.mean(dim=1) + 0.5 * top


def save_cell_model(model, path, info: dict | None = None, **settings) -> None:
    """Save the state dict as a plain ``.npz`` (no pickle): ``settings`` (what rebuilds the
    network, e.g. its width) as ``__name__`` arrays, ``info`` (e.g. calibration) as
    ``__info_name__``."""
    arrays = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    for k, v in settings.items():
        arrays[f"__{k}__"] = np.array(v)
    for k, v in (info or {}).items():
        arrays[f"__info_{k}__"] = np.asarray(v)
    np.savez_compressed(path, **arrays)


def load_cell_model(path, build: Callable[[dict], object]):
    """Load a model saved by :func:`save_cell_model`: ``build(settings)`` makes the network,
    which gets the saved weights and is put in eval mode. Returns ``(model, info)``."""
    import torch

    with np.load(path, allow_pickle=False) as f:
        names = [k for k in f.files if k.startswith("__")]
        settings = {k[2:-2]: f[k] for k in names if not k.startswith("__info_")}
        state = {k: torch.from_numpy(f[k]) for k in f.files if not k.startswith("__")}
        info = {k[7:-2]: f[k] for k in names if k.startswith("__info_")}
    model = build(settings)
    model.load_state_dict(state)
    model.eval()
    return model, info


class CellGridDetector:
    """Scoring, evidence and ``torch_module`` of a cell-grid image CNN (see the module text)."""

    name: str
    #: Longest side scored, centre-cropped (the network sees what the heat map shows).
    max_side: int = 1536
    #: Trim crops to even sizes (for networks whose first layer folds 2x2 pixels).
    even_crop: bool = False
    batch_size: int = 32
    heat_map_title: str = "heat map (red = machine-made)"
    #: The reasons, by verdict: ``regions`` (machine-made, few cells), ``generated``,
    #: ``camera`` and ``ambiguous``.
    reasons: dict[str, str] = {}

    model: object
    scale: float
    bias: float

    def crop(self, rgb: np.ndarray) -> np.ndarray:
        """The pixels this detector scores."""
        return centre_crop(rgb, self.max_side, even=self.even_crop)

    def extra_details(self) -> dict:
        """Details added to every evidence (none by default)."""
        return {}

    def torch_module(self):
        """The detector as a differentiable ``torch.nn.Module``.

        Input: a float tensor ``(N, 3, H, W)``, RGB in [0, 1]; output: ``(N,)`` calibrated
        log-odds of "machine-made", so that ``sigmoid(output)`` is :meth:`score`'s probability
        for the same pixels (the same centre crop is taken).
        """
        from torch import nn

        detector = self

        class CalibratedCellCNN(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.net = detector.model

            def forward(self, x):
                h, w = x.shape[-2:]
                ch, cw = min(h, detector.max_side), min(w, detector.max_side)
                if detector.even_crop:
                    ch, cw = ch - ch % 2, cw - cw % 2
                y, x0 = (h - ch) // 2, (w - cw) // 2
                cells = self.net(x[..., y : y + ch, x0 : x0 + cw])
                return detector.scale * pool_logits(cells) + detector.bias

        return CalibratedCellCNN().eval()

    def cell_logits(self, batch: np.ndarray) -> np.ndarray:
        """Cell log-odds for a BxHxWx3 uint8 batch of equal-size images."""
        import torch

        with torch.inference_mode():
            # NHWC uint8 -> channels_last float: no copy into NCHW, and faster convolutions.
            x = torch.from_numpy(np.ascontiguousarray(batch)).permute(0, 3, 1, 2).float() / 255.0
            x = x.contiguous(memory_format=torch.channels_last)
            return self.model(x)[:, 0].contiguous().numpy()

    def score(self, media: Media) -> Evidence:
        return self.score_batch([media])[0]

    def score_batch(self, medias: list[Media]) -> list[Evidence]:
        import torch

        out: list[Evidence | None] = [None] * len(medias)
        groups: dict[tuple[int, int], list[int]] = {}
        crops: dict[int, np.ndarray] = {}
        for i, m in enumerate(medias):
            if min(m.data.shape[:2]) < MIN_SIZE:
                out[i] = Evidence(self.name, None, f"too small to judge (under {MIN_SIZE} pixels)")
                continue
            crops[i] = self.crop(m.data)
            groups.setdefault(crops[i].shape[:2], []).append(i)
        for idx in groups.values():
            for start in range(0, len(idx), self.batch_size):
                chunk = idx[start : start + self.batch_size]
                cells = self.cell_logits(np.stack([crops[i] for i in chunk]))
                pooled = pool_logits(torch.from_numpy(cells[:, None])).numpy()
                pooled = self.scale * pooled + self.bias
                for j, i in enumerate(chunk):
                    out[i] = self._evidence(crops[i], cells[j], float(pooled[j]))
        return [e for e in out if e is not None]

    def _evidence(self, crop: np.ndarray, cells: np.ndarray, logit: float) -> Evidence:
        p = float(1.0 / (1.0 + np.exp(-np.clip(logit, -40, 40))))
        cell_p = 1.0 / (1.0 + np.exp(-np.clip(self.scale * cells + self.bias, -40, 40)))
        share = float((cell_p > 0.5).mean())
        if p >= 0.7:
            reason = self.reasons["regions" if share < 0.3 else "generated"]
        elif p <= 0.3:
            reason = self.reasons["camera"]
        else:
            reason = self.reasons["ambiguous"]
        picture = partial(heatmap_overlay, crop, cell_p)
        return Evidence(
            self.name,
            p,
            reason,
            artefacts=[Artefact("image", self.heat_map_title, render=picture)],
            details={
                "probability": round(p, 6),
                "suspicious_cell_share": round(share, 4),
                "max_cell_probability": round(float(cell_p.max()), 6),
                "grid": list(cell_p.shape),
                **self.extra_details(),
            },
        )
