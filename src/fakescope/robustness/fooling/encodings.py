"""Genomes of fooling images (Nguyen, Yosinski and Clune, CVPR 2015), one class per encoding.

- :class:`DirectEncoding`: one gene per pixel and channel (8-bit), initialised uniformly at
  random; mutation perturbs a share of the genes. Evolution keeps the images noise-like.
- :class:`CPPNEncoding`: a compositional pattern-producing network maps pixel coordinates
  ``(x, y, r, 1)`` and the pixel parity of column and row through layers of mixed activations
  (sine, Gaussian, tanh, sigmoid, abs) to RGB; its weights and activations are the genome, so
  images are regular patterns.

An encoding has ``random(rng)``, ``mutate(genome, rng)`` and ``render(genomes)`` -> a float
tensor ``(N, 3, S, S)`` in [0, 1] already quantised to 8 bits (what a saved PNG holds).

Examples
--------
>>> rng = np.random.default_rng(0)
>>> enc = CPPNEncoding(size=16)
>>> enc.render([enc.random(rng), enc.mutate(enc.random(rng), rng)]).shape
torch.Size([2, 3, 16, 16])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch


def _quantise(x: torch.Tensor) -> torch.Tensor:
    return (x.clamp(0, 1) * 255).round() / 255


@dataclass
class DirectEncoding:
    """Per-pixel genome; ``rate`` of genes mutated by Gaussian steps of ``sigma`` levels."""

    size: int = 256
    rate: float = 0.1
    sigma: float = 40.0

    @property
    def name(self) -> str:
        return "direct"

    def random(self, rng: np.random.Generator) -> np.ndarray:
        return rng.integers(0, 256, (3, self.size, self.size), dtype=np.uint8)

    def mutate(self, genome: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        mask = rng.random(genome.shape) < self.rate
        step = rng.normal(0.0, self.sigma, genome.shape)
        out = genome.astype(np.float32) + mask * step
        return np.clip(np.round(out), 0, 255).astype(np.uint8)

    def render(self, genomes: list[np.ndarray]) -> torch.Tensor:
        return torch.from_numpy(np.stack(genomes)).float() / 255


# NumPy float32 (its vectorised sine is several times faster than torch's on this CPU)
ACTIVATIONS = (
    np.sin,
    lambda z: np.exp(-(z * z)),
    np.tanh,
    lambda z: 0.5 * np.tanh(0.5 * z) + 0.5,  # sigmoid
    np.abs,
)


@dataclass
class CPPNEncoding:
    """Fixed-topology CPPN with evolvable weights and per-neuron activation functions."""

    size: int = 256
    hidden: int = 8
    layers: int = 2
    sigma: float = 0.4
    activation_rate: float = 0.05

    @property
    def name(self) -> str:
        return "cppn"

    def _shapes(self) -> list[tuple[int, int]]:
        dims = [6] + [self.hidden] * self.layers + [3]
        return list(zip(dims[:-1], dims[1:], strict=True))

    def random(self, rng: np.random.Generator) -> dict:
        weights = [rng.normal(0.0, 1.5, s) for s in self._shapes()]
        weights[0][4:] *= 0.05  # parity inputs start almost off: evolution turns them up
        acts = [rng.integers(0, len(ACTIVATIONS), s[1]) for s in self._shapes()[:-1]]
        return {"w": weights, "a": acts}

    def mutate(self, genome: dict, rng: np.random.Generator) -> dict:
        weights = [w + rng.normal(0.0, self.sigma, w.shape) * (rng.random(w.shape) < 0.3)
                   for w in genome["w"]]  # fmt: skip
        acts = []
        for a in genome["a"]:
            a = a.copy()
            flip = rng.random(a.shape) < self.activation_rate
            a[flip] = rng.integers(0, len(ACTIVATIONS), int(flip.sum()))
            acts.append(a)
        return {"w": weights, "a": acts}

    def render(self, genomes: list[dict]) -> torch.Tensor:
        lin = np.linspace(-1.0, 1.0, self.size, dtype=np.float32)
        yy, xx = np.meshgrid(lin, lin, indexing="ij")
        # (x, y, distance, bias) as in Stanley's CPPNs, plus the pixel parity of column and row:
        # with them a CPPN can draw pixel-grid patterns (an up-sampler's period-2 traces)
        parity = (-1.0) ** np.arange(self.size, dtype=np.float32)
        px, py = np.broadcast_to(parity[None], xx.shape), np.broadcast_to(parity[:, None], xx.shape)
        coords = np.stack([xx, yy, np.sqrt(xx**2 + yy**2), np.ones_like(xx), px, py], -1)
        coords = coords.reshape(-1, 6)
        images = []
        for g in genomes:
            h = coords
            for w, acts in zip(g["w"][:-1], g["a"], strict=True):
                z = h @ w.astype(np.float32)
                h = np.empty_like(z)
                for kind in np.unique(acts):  # each activation on its own units only
                    units = np.flatnonzero(acts == kind)
                    h[:, units] = ACTIVATIONS[int(kind)](z[:, units])
            rgb = ACTIVATIONS[3](h @ g["w"][-1].astype(np.float32))
            images.append(rgb.T.reshape(3, self.size, self.size))
        return _quantise(torch.from_numpy(np.stack(images)))


ENCODINGS = {"direct": DirectEncoding, "cppn": CPPNEncoding}
