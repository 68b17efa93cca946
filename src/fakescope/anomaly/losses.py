"""WGAN-GP losses, the izi_f encoder loss and the f-AnoGAN anomaly score.

References: Gulrajani et al. 2017 (WGAN-GP), Schlegl et al. 2019 (f-AnoGAN, eq. 5-7).
"""

from __future__ import annotations

import torch

from fakescope.anomaly.models import Critic, Encoder, Generator


def gradient_penalty(
    critic: torch.nn.Module,
    real: torch.Tensor,
    fake: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Mean of (||grad_x D(x_hat)||_2 - 1)^2 on random interpolates of real and fake.

    Examples
    --------
    >>> class Linear2(torch.nn.Module):  # D(x) = 2 * sum(x): gradient norm 2*sqrt(n)
    ...     def forward(self, x):
    ...         return 2 * x.flatten(1).sum(1)
    >>> gp = gradient_penalty(Linear2(), torch.zeros(3, 1, 1, 1), torch.ones(3, 1, 1, 1))
    >>> round(float(gp), 4)
    1.0
    """
    alpha = torch.rand(real.shape[0], 1, 1, 1, generator=generator, dtype=real.dtype)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    out = critic(mixed)
    (grad,) = torch.autograd.grad(out.sum(), mixed, create_graph=True)
    return ((grad.flatten(1).norm(dim=1) - 1.0) ** 2).mean()


def critic_loss(
    critic: Critic,
    real: torch.Tensor,
    fake: torch.Tensor,
    gp_weight: float = 10.0,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """WGAN-GP critic loss ``D(fake) - D(real) + lambda * GP``; also returns the W estimate."""
    wasserstein = critic(real).mean() - critic(fake).mean()
    gp = gradient_penalty(critic, real, fake, generator=generator)
    return -wasserstein + gp_weight * gp, wasserstein.detach()


def izif_residuals(
    x: torch.Tensor, generator: Generator, critic: Critic, encoder: Encoder
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-sample image and critic-feature residuals of x -> E -> G -> x' (izi_f path).

    Returns
    -------
    image_residual : Tensor (N,)
        ``mean((x - x')^2)`` over pixels.
    feature_residual : Tensor (N,)
        ``mean((f(x) - f(x'))^2)`` over the critic's feature layer.
    reconstruction : Tensor (N, 3, P, P)
    """
    recon = generator(encoder(x))
    image_res = ((x - recon) ** 2).flatten(1).mean(1)
    feat_res = ((critic.features(x) - critic.features(recon)) ** 2).mean(1)
    return image_res, feat_res, recon


def izif_loss(
    x: torch.Tensor, generator: Generator, critic: Critic, encoder: Encoder, kappa: float = 1.0
) -> torch.Tensor:
    """Encoder training loss (f-AnoGAN eq. 6): image residual + kappa * feature residual.

    Examples
    --------
    >>> g, d, e = Generator(8, 16, 16), Critic(16, 16), Encoder(8, 16, 16)
    >>> _ = g.eval()
    >>> float(izif_loss(torch.zeros(2, 3, 16, 16), g, d, e).detach()) >= 0
    True
    """
    image_res, feat_res, _ = izif_residuals(x, generator, critic, encoder)
    return (image_res + kappa * feat_res).mean()
