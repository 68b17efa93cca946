"""``residual-cnn`` detector: a compact CNN on high-pass noise residuals, with a heat map.

The first layer is a fixed bank of SRM high-pass filters (Fridrich and Kodovsky 2012, as used by
Zhou et al. 2018), applied to the luminance and truncated, so the network sees the noise and
interpolation traces rather than the scene (luminance only: three residual maps instead of nine
keep the full-resolution layer, the costly one on a CPU, three times cheaper). Four strided
convolutions follow; a 1x1 head gives one log-odds per 16x16-pixel cell (the heat map) and the
image score pools the cells.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.media import Media
from fakescope.core.weights import weights_file
from fakescope.image import SHIPPED_WEIGHTS
from fakescope.image.render import heatmap_overlay

WEIGHTS_FILE = "residual_cnn.npz"
MIN_SIZE = 32
#: Largest region analysed (centre crop); the network is fully convolutional.
MAX_SIDE = 1536
TRUNCATION = 12.0  # SRM truncation threshold, in 8-bit grey levels

SRM_KERNELS = (
    np.array(
        [
            # KV 5x5 second-order "square" filter
            [
                [-1, 2, -2, 2, -1],
                [2, -6, 8, -6, 2],
                [-2, 8, -12, 8, -2],
                [2, -6, 8, -6, 2],
                [-1, 2, -2, 2, -1],
            ],
            # 3x3 second-order, padded
            [
                [0, 0, 0, 0, 0],
                [0, 1, -2, 1, 0],
                [0, -2, 4, -2, 0],
                [0, 1, -2, 1, 0],
                [0, 0, 0, 0, 0],
            ],
            # horizontal + vertical first-order edge, padded
            [
                [0, 0, 0, 0, 0],
                [0, -1, 2, -1, 0],
                [0, 2, -4, 2, 0],
                [0, -1, 2, -1, 0],
                [0, 0, 0, 0, 0],
            ],
        ],
        dtype=np.float32,
    )
    / np.array([12.0, 4.0, 4.0], dtype=np.float32)[:, None, None]
)


def build_model(width: int = 16):
    """The network (a ``torch.nn.Module``); ``forward(x)`` maps Bx3xHxW in [0, 1] to a
    Bx1x(H/16)x(W/16) map of log-odds.

    Examples
    --------
    >>> import torch
    >>> build_model()(torch.zeros(1, 3, 64, 64)).shape
    torch.Size([1, 1, 4, 4])
    """
    import torch
    from torch import nn

    class ResidualNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            # Fixed, not learnt: the SRM bank applied to the BT.601 luminance of 0..255 pixels;
            # the colour-to-luminance weights and the 255 are folded into one 3->3 kernel.
            luma = torch.tensor([0.299, 0.587, 0.114]) * 255.0
            bank = torch.from_numpy(SRM_KERNELS)[:, None] * luma[None, :, None, None]
            self.register_buffer("srm", bank.contiguous())
            w = width

            def block(cin: int, cout: int, stride: int) -> nn.Sequential:
                return nn.Sequential(
                    nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
                    nn.BatchNorm2d(cout),
                    nn.ReLU(inplace=True),
                )

            self.features = nn.Sequential(
                block(3, w, 2),
                block(w, 2 * w, 2),
                block(2 * w, 2 * w, 2),
                block(2 * w, 4 * w, 2),
                block(4 * w, 4 * w, 1),
            )
            self.head = nn.Conv2d(4 * w, 1, 1)

        def residuals(self, x: torch.Tensor) -> torch.Tensor:
            r = nn.functional.conv2d(x, self.srm, padding=2)
            return r.clamp_(-TRUNCATION, TRUNCATION).mul_(0.25)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.features(self.residuals(x)))

    return ResidualNet()


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


def fold_batchnorm(model):
    """Fold each BatchNorm into the convolution before it (inference only; same outputs,
    one pass over the activations fewer).

    Examples
    --------
    >>> import torch
    >>> m = build_model().eval()
    >>> x = torch.rand(1, 3, 64, 64)
    >>> with torch.no_grad():
    ...     before = m(x)
    ...     after = fold_batchnorm(m)(x)
    >>> bool(torch.allclose(before, after, atol=1e-4))
    True
    """
    import torch
    from torch import nn

    for block in model.features:
        conv, bn = block[0], block[1]
        if not isinstance(bn, nn.BatchNorm2d):
            continue
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size,
                          stride=conv.stride, padding=conv.padding, bias=True)  # fmt: skip
        with torch.no_grad():
            fused.weight.copy_(conv.weight * scale[:, None, None, None])
            fused.bias.copy_(bn.bias - bn.running_mean * scale)
        block[0], block[1] = fused, nn.Identity()
    return model


def save_model(model, path: str | Path, info: dict | None = None) -> None:
    """Save the state dict as a plain ``.npz`` (no pickle)."""
    arrays = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    arrays["__width__"] = np.array(model.head.in_channels // 4)
    if info:
        for k, v in info.items():
            arrays[f"__info_{k}__"] = np.asarray(v)
    np.savez_compressed(path, **arrays)


def load_model(path: str | Path):
    """Load a model saved by :func:`save_model`, in eval mode."""
    import torch

    with np.load(path, allow_pickle=False) as f:
        width = int(f["__width__"])
        state = {k: torch.from_numpy(f[k]) for k in f.files if not k.startswith("__")}
        extra = {k[7:-2]: f[k] for k in f.files if k.startswith("__info_")}
    model = build_model(width)
    model.load_state_dict(state)
    model.eval()
    return model, extra


class ResidualCNNDetector:
    """Compact residual CNN trained on real photos plus simulated generator artefacts.

    Parameters
    ----------
    weights : path, optional
        A ``residual_cnn.npz`` from ``fakescope train image``; defaults to the shipped weights
        (or ``$FAKESCOPE_IMAGE_WEIGHTS/residual_cnn.npz``).

    Examples
    --------
    >>> det = ResidualCNNDetector()  # doctest: +SKIP
    >>> ev = det.score(media)  # doctest: +SKIP
    >>> ev.artefacts[0].title  # doctest: +SKIP
    'Residual CNN heat map'
    """

    name = "residual-cnn"
    modality = "image"
    abilities = {"weights": "image"}  # see fakescope.testing

    def __init__(self, weights: str | Path | None = None) -> None:
        import torch

        # a missing file raises WeightsError (a FileNotFoundError) naming where it looked
        path = weights_file("image", WEIGHTS_FILE, SHIPPED_WEIGHTS, weights=weights)
        self._torch = torch
        self.model, info = load_model(path)
        self.model = fold_batchnorm(self.model).to(memory_format=torch.channels_last)
        # Platt scaling fitted on held-out data at training time, so scores are calibrated.
        self.scale = float(info.get("scale", 1.0))
        self.bias = float(info.get("bias", 0.0))

    def torch_module(self):
        """The detector as a differentiable ``torch.nn.Module`` (for attacks and hardening).

        Input: a float tensor ``(N, 3, H, W)``, RGB in [0, 1]; output: ``(N,)`` calibrated
        log-odds of "machine-made", so that ``sigmoid(output)`` is :meth:`score`'s probability
        for the same pixels (the same centre crop of at most ``MAX_SIDE`` pixels is taken).

        Examples
        --------
        >>> import torch
        >>> module = ResidualCNNDetector().torch_module()  # doctest: +SKIP
        >>> module(torch.rand(2, 3, 64, 64)).shape  # doctest: +SKIP
        torch.Size([2])
        """
        from torch import nn

        detector = self

        class CalibratedResidualCNN(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.net = detector.model

            def forward(self, x):
                h, w = x.shape[-2:]
                ch, cw = min(h, MAX_SIDE), min(w, MAX_SIDE)
                y, x0 = (h - ch) // 2, (w - cw) // 2
                cells = self.net(x[..., y : y + ch, x0 : x0 + cw])
                return detector.scale * pool_logits(cells) + detector.bias

        return CalibratedResidualCNN().eval()

    def _prepare(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        ch, cw = min(h, MAX_SIDE), min(w, MAX_SIDE)
        y, x = (h - ch) // 2, (w - cw) // 2
        return rgb[y : y + ch, x : x + cw]

    def cell_logits(self, batch: np.ndarray) -> np.ndarray:
        """Cell log-odds for a BxHxWx3 uint8 batch of equal-size images."""
        torch = self._torch
        with torch.inference_mode():
            # NHWC uint8 -> channels_last float: no copy into NCHW, and faster convolutions.
            x = torch.from_numpy(np.ascontiguousarray(batch)).permute(0, 3, 1, 2).float() / 255.0
            x = x.contiguous(memory_format=torch.channels_last)
            return self.model(x)[:, 0].contiguous().numpy()

    def score(self, media: Media) -> Evidence:
        return self.score_batch([media])[0]

    def score_batch(self, medias: list[Media]) -> list[Evidence]:
        out: list[Evidence | None] = [None] * len(medias)
        groups: dict[tuple[int, int], list[int]] = {}
        crops: list[np.ndarray | None] = []
        for i, m in enumerate(medias):
            h, w = m.data.shape[:2]
            if min(h, w) < MIN_SIZE:
                out[i] = Evidence(self.name, None, f"too small to judge (under {MIN_SIZE} pixels)")
                crops.append(None)
                continue
            crop = self._prepare(m.data)
            crops.append(crop)
            groups.setdefault(crop.shape[:2], []).append(i)
        torch = self._torch
        for _, idx in groups.items():
            for start in range(0, len(idx), 32):
                chunk = idx[start : start + 32]
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
            if share < 0.3:
                reason = "the noise pattern of some regions looks generated or pasted in"
            else:
                reason = "the noise pattern looks generated, not captured by a camera"
        elif p <= 0.3:
            reason = "the noise pattern looks like a camera's"
        else:
            reason = "the noise pattern is ambiguous"
        picture = partial(heatmap_overlay, crop, cell_p)
        return Evidence(
            self.name,
            p,
            reason,
            artefacts=[
                Artefact("image", "Residual CNN heat map (red = machine-made)", render=picture)
            ],
            details={
                "probability": round(p, 6),
                "suspicious_cell_share": round(share, 4),
                "max_cell_probability": round(float(cell_p.max()), 6),
                "grid": list(cell_p.shape),
            },
        )
