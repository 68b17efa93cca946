"""The attack contract: one attack = one small class (after torchattacks).

A detector under attack is a function from a batch to ``(N,)`` log-odds of "machine-made" (a
``torch.nn.Module`` from a detector's ``torch_module()``, or any callable for score-only
attacks). ``attack(x, y)`` returns adversarial inputs that push each sample's score away from its
label ``y`` (1 = machine-made, 0 = real): fakes towards "real", reals towards "machine-made".
The base class does the plumbing (evaluation mode, no parameter gradients, clamping to the
valid range, restoring the model's mode); subclasses implement :meth:`Attack.forward`.

Examples
--------
>>> import torch
>>> from fakescope.robustness.attacks import PGD
>>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 1), torch.nn.Flatten(0))
>>> x, y = torch.rand(2, 3, 2, 2), torch.tensor([1.0, 0.0])
>>> adv = PGD(model, eps=2 / 255, steps=3)(x, y)
>>> bool((adv - x).abs().max() <= 2 / 255 + 1e-6)
True
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import torch

Model = Callable[[torch.Tensor], torch.Tensor]


class Attack(ABC):
    """Base class.

    Parameters
    ----------
    model : callable
        Batch -> ``(N,)`` log-odds of "machine-made".
    eps : float
        Budget (L-inf unless the attack says otherwise), in input units ([0, 1] pixels,
        [-1, 1] waveform samples).
    bounds : (float, float)
        Valid input range; results are clamped into it (images (0, 1), audio (-1, 1)).
    threshold : float
        The decision threshold in log-odds; "success" means crossing it.
    """

    #: "white-box" attacks need gradients (a torch module); "score-only" ones need only scores.
    access = "white-box"

    def __init__(
        self,
        model: Model,
        eps: float,
        *,
        bounds: tuple[float, float] = (0.0, 1.0),
        threshold: float = 0.0,
    ) -> None:
        if eps < 0:
            raise ValueError(f"eps must be >= 0, got {eps}")
        self.model = model
        self.eps = float(eps)
        self.bounds = bounds
        self.threshold = float(threshold)

    @property
    def name(self) -> str:
        return type(self).__name__.lower()

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        module = self.model if isinstance(self.model, torch.nn.Module) else None
        was_training = module.training if module is not None else False
        if module is not None:
            module.eval()
        try:
            x = x.detach().clone()
            y = y.detach().to(x.dtype)
            adv = self.forward(x, y)
        finally:
            if module is not None and was_training:
                module.train()
        return adv.detach().clamp(*self.bounds)

    @abstractmethod
    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The adversarial version of ``x`` (labels ``y``), before clamping to ``bounds``."""

    # -- shared pieces -------------------------------------------------------------------------
    def margin(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Per-sample signed distance to the threshold on the label's side (< 0: fooled)."""
        return (2 * y - 1) * (logits - self.threshold)

    def gradient(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Gradient of the loss to maximise: binary cross-entropy of the label."""
        with torch.enable_grad():  # also inside a caller's no_grad / inference block
            x = x.detach().requires_grad_(True)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                self.model(x), y, reduction="sum"
            )
            (grad,) = torch.autograd.grad(loss, x)
        return grad

    def clamp(self, x: torch.Tensor) -> torch.Tensor:
        return x.clamp(*self.bounds)


class MultiAttack(Attack):
    """Run several attacks and keep, per sample, the result with the lowest margin
    (the strongest of them), as torchattacks' ``MultiAttack`` does."""

    def __init__(self, attacks: list[Attack]) -> None:
        if not attacks:
            raise ValueError("MultiAttack needs at least one attack")
        first = attacks[0]
        super().__init__(first.model, first.eps, bounds=first.bounds, threshold=first.threshold)
        self.attacks = attacks

    @property
    def name(self) -> str:
        return "+".join(a.name for a in self.attacks)

    def forward(self, x, y):
        best, best_margin = x, None
        for attack in self.attacks:
            adv = attack(x, y)
            with torch.no_grad():
                m = self.margin(self.model(adv), y)
            if best_margin is None:
                best, best_margin = adv, m
            else:
                better = m < best_margin
                shape = (-1,) + (1,) * (x.dim() - 1)
                best = torch.where(better.view(shape), adv, best)
                best_margin = torch.minimum(m, best_margin)
        return best


def per_sample(v: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Reshape a ``(N,)`` vector to broadcast over ``x``'s other dimensions."""
    return v.view((-1,) + (1,) * (x.dim() - 1))
