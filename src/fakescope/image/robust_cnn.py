"""``robust-cnn`` detector: a small CNN on linear high-pass residuals, built to be adversarially
trained.

``residual-cnn`` sees fixed SRM high-pass residuals truncated at 12 grey levels; its 5x5 filter
has an L1 gain of 8, so an L-inf change of 2 grey levels can move a residual by more than its
whole truncated range, and no training on top can undo that (docs/robustness.md). This network's
front end is linear and low-gain: each RGB channel minus its 3x3 binomial blur (L1 gain 1.5, so
2 grey levels move a residual by at most 3), nothing truncated, followed by a 2x2 space-to-depth
rearrangement (every residual and its position in the 2x2 block kept, so up-sampling phase
traces stay visible) and learnable 3x3 convolutions. Adversarial training (``fakescope train
image --real DIR --adversarial``, :mod:`fakescope.robustness.robust_training`) then chooses
features that a small perturbation cannot move. One log-odds per 16x16-pixel cell (the heat map),
pooled as ``residual-cnn`` does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakescope.core.weights import weights_file
from fakescope.image import SHIPPED_WEIGHTS
from fakescope.image.cell_cnn import MIN_SIZE, CellGridDetector, load_cell_model, save_cell_model
from fakescope.image.cell_cnn import centre_crop as _centre_crop
from fakescope.image.residual_cnn import fold_batchnorm

__all__ = ["MIN_SIZE", "RobustCNNDetector", "build_model", "centre_crop"]

WEIGHTS_FILE = "robust_cnn.npz"
#: Largest region analysed (centre crop); the network is fully convolutional.
MAX_SIDE = 1024


#: Front ends: "rgb" (the pixels), "highpass" (each RGB channel minus its 3x3 binomial blur: a
#: fixed high-pass of L1 gain 1.5, linear, nothing truncated), "srm" (residual-cnn's SRM bank on
#: the luminance, NOT truncated).
FRONTS = ("rgb", "highpass", "srm")


def build_model(width: int = 16, front: str = "highpass"):
    """The network (a ``torch.nn.Module``); ``forward(x)`` maps Bx3xHxW RGB in [0, 1] to a
    Bx1x(H/16)x(W/16) map of log-odds.

    Examples
    --------
    >>> import torch
    >>> build_model()(torch.zeros(1, 3, 64, 64)).shape
    torch.Size([1, 1, 4, 4])
    """
    import torch
    from torch import nn

    if front not in FRONTS:
        raise ValueError(f"unknown front end {front!r} (known: {', '.join(FRONTS)})")

    def block(cin: int, cout: int, stride: int) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(inplace=True),
        )

    class RobustNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            w = width
            self.front = front
            binomial = torch.tensor([1.0, 2.0, 1.0])
            blur = (binomial[:, None] * binomial[None, :]) / 16.0
            identity = torch.zeros(3, 3)
            identity[1, 1] = 1.0
            if front == "highpass":  # 3 -> 3, per channel; x 16 so residuals are O(1) at 8 bits
                k = (identity - blur) * 16.0
                bank = torch.zeros(3, 3, 3, 3)
                for c in range(3):
                    bank[c, c] = k
                self.register_buffer("bank", bank)
            elif front == "srm":
                from fakescope.image.residual_cnn import SRM_KERNELS

                luma = torch.tensor([0.299, 0.587, 0.114]) * 255.0 / 4.0
                srm = torch.from_numpy(SRM_KERNELS)[:, None] * luma[None, :, None, None]
                self.register_buffer("bank", srm.contiguous())
            self.unshuffle = nn.PixelUnshuffle(2)
            self.features = nn.Sequential(
                block(12, 2 * w, 1),  # H/2
                block(2 * w, 2 * w, 2),  # H/4
                block(2 * w, 4 * w, 2),  # H/8
                block(4 * w, 4 * w, 2),  # H/16
                block(4 * w, 4 * w, 1),
            )
            self.head = nn.Conv2d(4 * w, 1, 1)

        def prepare(self, x: torch.Tensor) -> torch.Tensor:
            if self.front == "rgb":
                return x * 2.0 - 1.0
            pad = self.bank.shape[-1] // 2
            return nn.functional.conv2d(nn.functional.pad(x, (pad,) * 4, mode="replicate"),
                                        self.bank)  # fmt: skip

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.features(self.unshuffle(self.prepare(x))))

    return RobustNet()


def save_model(model, path: str | Path, info: dict | None = None) -> None:
    """Save the state dict as a plain ``.npz`` (no pickle), with ``info`` (e.g. calibration)."""
    save_cell_model(model, path, info, width=model.head.in_channels // 4, front=model.front)


def load_model(path: str | Path):
    """Load a model saved by :func:`save_model` (eval mode) and its info dict."""

    def build(settings: dict):
        return build_model(int(settings["width"]), str(settings.get("front", "rgb")))

    return load_cell_model(path, build)


def centre_crop(rgb: np.ndarray, side: int = MAX_SIDE) -> np.ndarray:
    """Centre crop to at most ``side`` pixels per axis, trimmed to even sizes (space-to-depth).

    Examples
    --------
    >>> centre_crop(np.zeros((41, 2000, 3), np.uint8)).shape
    (40, 1024, 3)
    """
    return _centre_crop(rgb, side, even=True)


class RobustCNNDetector(CellGridDetector):
    """Small RGB CNN, adversarially trained (PGD) on real photos plus simulated artefacts.

    Parameters
    ----------
    weights : path, optional
        A ``robust_cnn.npz`` from ``fakescope train image --real DIR --adversarial``; default:
        ``$FAKESCOPE_IMAGE_WEIGHTS/robust_cnn.npz`` or the shipped one.

    Examples
    --------
    >>> det = RobustCNNDetector()  # doctest: +SKIP
    >>> det.score(media).artefacts[0].title  # doctest: +SKIP
    'Robust CNN heat map (red = machine-made)'
    """

    name = "robust-cnn"
    modality = "image"
    abilities = {"weights": "image"}  # see fakescope.testing
    max_side = MAX_SIDE
    even_crop = True
    batch_size = 16
    heat_map_title = "Robust CNN heat map (red = machine-made)"
    reasons = {
        "regions": "the pixel statistics of some regions look generated or pasted in",
        "generated": "the pixel statistics look generated, not captured by a camera",
        "camera": "the pixel statistics look like a camera's",
        "ambiguous": "the pixel statistics are ambiguous",
    }

    def __init__(self, weights: str | Path | None = None) -> None:
        import torch

        path = weights_file("image", WEIGHTS_FILE, SHIPPED_WEIGHTS, weights=weights, required=False)
        if not path.exists():
            raise FileNotFoundError(
                f"robust-cnn weights not found at {path}; train them with "
                "`fakescope train image --real DIR --adversarial`"
            )
        model, info = load_model(path)
        self.model = fold_batchnorm(model).to(memory_format=torch.channels_last)
        # Platt scaling fitted on held-out validation data at training time.
        self.scale = float(info.get("scale", 1.0))
        self.bias = float(info.get("bias", 0.0))
        self.info = {k: v.tolist() for k, v in info.items()}

    def extra_details(self) -> dict:
        return {"adversarially_trained": bool(self.info.get("adversarial_eps", 0.0))}
