"""``residual-cnn`` detector: a compact CNN on high-pass noise residuals, with a heat map.

The first layer is a fixed bank of SRM high-pass filters (Fridrich and Kodovsky 2012, as used by
Zhou et al. 2018), applied to the luminance and truncated, so the network sees the noise and
interpolation traces rather than the scene (luminance only: three residual maps instead of nine
keep the full-resolution layer, the costly one on a CPU, three times cheaper). Four strided
convolutions follow; a 1x1 head gives one log-odds per 16x16-pixel cell (the heat map) and the
image score pools the cells.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakescope.core.weights import weights_file
from fakescope.image import SHIPPED_WEIGHTS

# scoring, evidence and torch_module are shared with robust-cnn; importable from here as before
from fakescope.image.cell_cnn import (
    MIN_SIZE,
    CellGridDetector,
    load_cell_model,
    pool_logits,
    save_cell_model,
)

__all__ = ["MIN_SIZE", "ResidualCNNDetector", "build_model", "pool_logits"]

WEIGHTS_FILE = "residual_cnn.npz"
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
    """Save the state dict as a plain ``.npz`` (no pickle), with ``info`` (e.g. calibration)."""
    save_cell_model(model, path, info, width=model.head.in_channels // 4)


def load_model(path: str | Path):
    """Load a model saved by :func:`save_model` (eval mode) and its info dict."""
    return load_cell_model(path, lambda s: build_model(int(s["width"])))


class ResidualCNNDetector(CellGridDetector):
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
    max_side = MAX_SIDE
    heat_map_title = "Residual CNN heat map (red = machine-made)"
    reasons = {
        "regions": "the noise pattern of some regions looks generated or pasted in",
        "generated": "the noise pattern looks generated, not captured by a camera",
        "camera": "the noise pattern looks like a camera's",
        "ambiguous": "the noise pattern is ambiguous",
    }

    def __init__(self, weights: str | Path | None = None) -> None:
        import torch

        # a missing file raises WeightsError (a FileNotFoundError) naming where it looked
        path = weights_file("image", WEIGHTS_FILE, SHIPPED_WEIGHTS, weights=weights)
        self.model, info = load_model(path)
        self.model = fold_batchnorm(self.model).to(memory_format=torch.channels_last)
        # Platt scaling fitted on held-out data at training time, so scores are calibrated.
        self.scale = float(info.get("scale", 1.0))
        self.bias = float(info.get("bias", 0.0))
