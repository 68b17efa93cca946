"""Evolutionary search for fooling images: a (mu + lambda) strategy over an encoding's genomes.

Fitness is the detector's log-odds in the wanted direction: ``+logit`` to be called
"machine-made", ``-logit`` to be called "real". Only scores are used, so any detector (or the
fused verdict) can be fooled this way.

Examples
--------
>>> from fakescope.robustness.fooling.encodings import DirectEncoding
>>> model = lambda x: (x.mean(dim=(1, 2, 3)) - 0.5) * 40
>>> found = evolve(DirectEncoding(size=8), model, "synthetic", population=6, generations=30)
>>> found.confidence > 0.9
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

DIRECTIONS = ("real", "synthetic")


@dataclass
class Evolved:
    genome: Any
    image: torch.Tensor  # (3, S, S) in [0, 1], 8-bit values
    logit: float
    confidence: float  # P(wanted class) under the model used as fitness
    generations: int


def evolve(
    encoding,
    model: Callable[[torch.Tensor], torch.Tensor],
    direction: str,
    *,
    population: int = 8,
    generations: int = 300,
    target: float = 0.995,
    seed: int = 0,
) -> Evolved:
    """Evolve one image that ``model`` calls ``direction`` with probability >= ``target``
    (or the best found within ``generations``)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    sign = 1.0 if direction == "synthetic" else -1.0
    rng = np.random.default_rng(seed)

    @torch.no_grad()
    def fitness(genomes: list) -> tuple[torch.Tensor, np.ndarray]:
        images = encoding.render(genomes)
        return images, sign * model(images).double().numpy()

    pop = [encoding.random(rng) for _ in range(population)]
    images, fit = fitness(pop)
    gen = 0
    while gen < generations and 1.0 / (1.0 + np.exp(-fit.max())) < target:
        gen += 1
        # tournament selection of parents, one child each, keep the best of parents + children
        parents = [
            max(rng.choice(population, 2, replace=False), key=lambda i: fit[i])
            for _ in range(population)
        ]
        children = [encoding.mutate(pop[i], rng) for i in parents]
        child_images, child_fit = fitness(children)
        merged = pop + children
        merged_fit = np.concatenate([fit, child_fit])
        merged_images = torch.cat([images, child_images])
        best = np.argsort(-merged_fit)[:population]
        pop = [merged[i] for i in best]
        fit = merged_fit[best]
        images = merged_images[torch.from_numpy(best)]
    top = int(np.argmax(fit))
    logit = float(sign * fit[top])
    return Evolved(pop[top], images[top], logit, float(1 / (1 + np.exp(-fit[top]))), gen)
