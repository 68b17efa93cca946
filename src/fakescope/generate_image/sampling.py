"""Sampling the class-conditional generator: by class, seed and truncation; interpolation grids.

Examples
--------
>>> from fakescope.generate_image.biggan import Generator, GeneratorConfig
>>> cfg = GeneratorConfig(n_classes=2, resolution=16, channels=1, width=8, z_dim=12,
...                       class_names=["a", "b"])
>>> g = Generator(cfg, spectral=False).eval()
>>> sample(g, cfg, ["b", 0], seeds=[1, 2], truncation=0.5).shape
(2, 16, 16, 1)
>>> interpolation_grid(g, cfg, "a", "b", seeds=(0, 1), steps=4).shape
(1, 4, 16, 16, 1)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class SamplingError(ValueError):
    """Unknown class name or impossible request."""


def class_index(cfg, name: str | int) -> int:
    """Index of a class given by name or number (names are the training folder names)."""
    if isinstance(name, int) or (isinstance(name, str) and name.isdigit()):
        i = int(name)
        if 0 <= i < cfg.n_classes:
            return i
    elif name in cfg.class_names:
        return cfg.class_names.index(name)
    known = ", ".join(cfg.class_names) or f"0..{cfg.n_classes - 1}"
    raise SamplingError(f"unknown class {name!r}; this model knows: {known}")


def latents(seeds: Sequence[int], dim: int, truncation: float):
    """One truncated-normal latent per seed (the same seed always gives the same latent)."""
    import torch

    from fakescope.generate_image.biggan import truncated_normal

    return torch.cat(
        [truncated_normal(1, dim, truncation, torch.Generator().manual_seed(int(s))) for s in seeds]
    )


def to_uint8(x) -> np.ndarray:
    """(N, C, H, W) tensor in [-1, 1] -> (N, H, W, C) uint8."""
    arr = (
        ((x.detach().float().clamp(-1, 1) + 1) * 127.5).round().to(dtype=__import__("torch").uint8)
    )
    return arr.permute(0, 2, 3, 1).numpy()


def sample(
    g, cfg, classes: Sequence[str | int], seeds: Sequence[int], truncation: float = 1.0
) -> np.ndarray:
    """One image per (class, seed) pair, as (N, R, R, C) uint8."""
    import torch

    if len(classes) != len(seeds):
        raise SamplingError("give one class per seed")
    y = torch.tensor([class_index(cfg, c) for c in classes])
    with torch.inference_mode():
        return to_uint8(g(latents(seeds, cfg.z_dim, truncation), y))


def interpolation_grid(
    g,
    cfg,
    class_a: str | int,
    class_b: str | int,
    seeds: tuple[int, int] = (0, 1),
    steps: int = 8,
    rows: int = 1,
    truncation: float = 1.0,
) -> np.ndarray:
    """(rows, steps, R, R, C): each row walks latent AND class embedding from A to B.

    Row ``r`` uses seeds ``seeds[0] + r`` and ``seeds[1] + r``.
    """
    import torch

    if steps < 2:
        raise SamplingError("an interpolation needs at least 2 steps")
    ia, ib = class_index(cfg, class_a), class_index(cfg, class_b)
    t = torch.linspace(0, 1, steps)[:, None]
    out = []
    with torch.inference_mode():
        ea, eb = g.embed(torch.tensor([ia])), g.embed(torch.tensor([ib]))
        for r in range(rows):
            za = latents([seeds[0] + r], cfg.z_dim, truncation)
            zb = latents([seeds[1] + r], cfg.z_dim, truncation)
            out.append(to_uint8(g.synthesize(za * (1 - t) + zb * t, ea * (1 - t) + eb * t)))
    return np.stack(out)


def tile(images: np.ndarray, cols: int, pad: int = 2, value: int = 255) -> np.ndarray:
    """Tile (N, H, W, C) images into one grid image (H', W', C), ``cols`` per row.

    Examples
    --------
    >>> tile(np.zeros((5, 4, 4, 3), np.uint8), cols=3).shape
    (14, 20, 3)
    """
    n, h, w, c = images.shape
    rows = -(-n // cols)
    grid = np.full((rows * (h + pad) + pad, cols * (w + pad) + pad, c), value, np.uint8)
    for i, im in enumerate(images):
        r, k = divmod(i, cols)
        grid[
            pad + r * (h + pad) : pad + r * (h + pad) + h,
            pad + k * (w + pad) : pad + k * (w + pad) + w,
        ] = im
    return grid


def enlarge(img: np.ndarray, size: int) -> np.ndarray:
    """Resize an (H, W, C) uint8 image so its longer side is ``size`` (Lanczos); 0 = unchanged."""
    from PIL import Image

    if size <= 0 or max(img.shape[:2]) == size:
        return img
    h, w = img.shape[:2]
    s = size / max(h, w)
    pil = Image.fromarray(img[..., 0] if img.shape[2] == 1 else img)
    out = np.asarray(pil.resize((round(w * s), round(h * s)), Image.Resampling.LANCZOS))
    return out[..., None] if out.ndim == 2 else out
