"""PGD (Madry et al. 2018), L-inf: iterated signed-gradient steps projected onto the eps-box,
from a random start inside it."""

from __future__ import annotations

import torch

from fakescope.robustness.attacks.base import Attack


class PGD(Attack):
    """Projected gradient descent in the L-inf ball.

    Parameters
    ----------
    eps : float
        L-inf budget (2/255 changes each pixel by at most two grey levels).
    steps : int
        Gradient steps.
    alpha : float, optional
        Step size; default ``2.5 * eps / steps`` (Madry et al.).
    random_start : bool
        Start from a uniform point in the ball (default) rather than from ``x``.
    seed : int, optional
        Seed of the random start (reproducible runs).

    Examples
    --------
    >>> model = lambda x: x.flatten(1).sum(1)
    >>> x = torch.full((2, 8), 0.5)
    >>> adv = PGD(model, eps=0.05, steps=5, seed=0)(x, torch.tensor([1.0, 0.0]))
    >>> [round(float(v), 3) for v in (adv - x).mean(1)]
    [-0.05, 0.05]
    """

    def __init__(
        self,
        model,
        eps: float,
        steps: int = 10,
        alpha: float | None = None,
        random_start: bool = True,
        seed: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(model, eps, **kwargs)
        if steps < 1:
            raise ValueError(f"steps must be >= 1, got {steps}")
        self.steps = int(steps)
        self.alpha = float(alpha) if alpha is not None else 2.5 * self.eps / self.steps
        self.random_start = random_start
        self.seed = seed

    def forward(self, x, y):
        adv = x.clone()
        if self.random_start:
            g = torch.Generator().manual_seed(self.seed) if self.seed is not None else None
            noise = torch.rand(x.shape, generator=g, dtype=x.dtype) * 2 - 1
            adv = self.clamp(x + self.eps * noise)
        for _ in range(self.steps):
            adv = adv + self.alpha * self.gradient(adv, y).sign()
            adv = self.clamp(x + (adv - x).clamp(-self.eps, self.eps))
        return adv
