"""FGSM (Goodfellow, Shlens and Szegedy 2015): one signed-gradient step of size ``eps``."""

from __future__ import annotations

from fakescope.robustness.attacks.base import Attack


class FGSM(Attack):
    """Fast gradient sign method, L-inf budget ``eps``.

    Examples
    --------
    >>> import torch
    >>> model = lambda x: x.flatten(1).sum(1)
    >>> FGSM(model, eps=0.1)(torch.full((1, 4), 0.5), torch.tensor([1.0])).tolist()
    [[0.4000000059604645, 0.4000000059604645, 0.4000000059604645, 0.4000000059604645]]
    """

    def forward(self, x, y):
        return self.clamp(x + self.eps * self.gradient(x, y).sign())
