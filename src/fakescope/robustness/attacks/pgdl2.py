"""PGD with an L2 budget: normalised gradient steps projected onto the L2 ball of radius eps."""

from __future__ import annotations

import torch

from fakescope.robustness.attacks.base import per_sample
from fakescope.robustness.attacks.pgd import PGD


class PGDL2(PGD):
    """Projected gradient descent in the L2 ball (per sample).

    ``eps`` is the L2 norm of the whole perturbation in input units (for a 256x256 RGB image,
    eps = 1.0 is an RMS change of 0.0023, about 0.6 grey levels). The other parameters (steps,
    alpha, random start, seed) are :class:`PGD`'s; only the ball and the step direction differ.

    Examples
    --------
    >>> model = lambda x: x.flatten(1).sum(1)
    >>> x = torch.full((1, 16), 0.5)
    >>> adv = PGDL2(model, eps=0.4, steps=5, seed=0)(x, torch.tensor([1.0]))
    >>> round(float((adv - x).norm()), 3)
    0.4
    """

    @property
    def name(self) -> str:
        return "pgd-l2"

    def project(self, delta: torch.Tensor) -> torch.Tensor:
        norms = delta.flatten(1).norm(dim=1).clamp_min(1e-12)
        return delta * per_sample(torch.clamp(self.eps / norms, max=1.0), delta)

    def forward(self, x, y):
        adv = x.clone()
        if self.random_start:
            g = torch.Generator().manual_seed(self.seed) if self.seed is not None else None
            d = torch.randn(x.shape, generator=g, dtype=x.dtype)
            d = d / per_sample(d.flatten(1).norm(dim=1).clamp_min(1e-12), d)
            r = torch.rand(x.shape[0], generator=g, dtype=x.dtype)
            adv = self.clamp(x + d * per_sample(r, d) * self.eps)
        for _ in range(self.steps):
            grad = self.gradient(adv, y)
            grad = grad / per_sample(grad.flatten(1).norm(dim=1).clamp_min(1e-12), grad)
            adv = self.clamp(x + self.project(adv + self.alpha * grad - x))
        return adv
