import torch

from fakescope.anomaly.losses import critic_loss, gradient_penalty, izif_loss, izif_residuals
from fakescope.anomaly.models import Critic, Encoder, Generator


class LinearCritic(torch.nn.Module):
    """D(x) = <w, x>: its input gradient is w everywhere, so GP = (||w|| - 1)^2 exactly."""

    def __init__(self, w: torch.Tensor) -> None:
        super().__init__()
        self.w = w

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x.flatten(1) * self.w.flatten()).sum(1)


def test_gradient_penalty_matches_closed_form() -> None:
    real, fake = torch.randn(4, 1, 2, 2), torch.randn(4, 1, 2, 2)
    for norm in (0.0, 1.0, 3.0):
        w = torch.full((4,), norm / 2.0)  # ||w|| = norm
        gp = gradient_penalty(LinearCritic(w), real, fake)
        assert torch.isclose(gp, torch.tensor((norm - 1.0) ** 2), atol=1e-5)


def test_gradient_penalty_is_differentiable_wrt_critic() -> None:
    d = Critic(8, 8)
    gp = gradient_penalty(d, torch.randn(2, 3, 8, 8), torch.randn(2, 3, 8, 8))
    gp.backward()
    # Every weight shapes the input gradient (the output bias does not: it has no gradient).
    assert all(p.grad is not None for p in d.trunk.parameters())
    assert d.head.weight.grad is not None


def test_critic_loss_sign() -> None:
    # A critic that scores real higher than fake has a positive Wasserstein estimate.
    w = torch.ones(4) / 2
    real, fake = torch.ones(3, 1, 2, 2), -torch.ones(3, 1, 2, 2)
    loss, wasserstein = critic_loss(LinearCritic(w), real, fake, gp_weight=0.0)
    assert float(wasserstein) == 4.0
    assert float(loss) == -4.0


def test_izif_trains_only_the_encoder() -> None:
    g, d, e = Generator(8, 16, 16), Critic(16, 16), Encoder(8, 16, 16)
    g.eval()
    for p in (*g.parameters(), *d.parameters()):
        p.requires_grad_(False)
    loss = izif_loss(torch.rand(4, 3, 16, 16) * 2 - 1, g, d, e, kappa=1.0)
    loss.backward()
    assert all(p.grad is not None for p in e.parameters())
    assert all(p.grad is None for p in g.parameters())


def test_izif_residuals_are_per_sample_and_zero_for_perfect_reconstruction() -> None:
    class Identity(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x

    d = Critic(8, 8)
    x = torch.randn(3, 3, 8, 8)
    image_res, feat_res, recon = izif_residuals(x, Identity(), d, Identity())  # type: ignore[arg-type]
    assert image_res.shape == feat_res.shape == (3,)
    assert torch.allclose(image_res, torch.zeros(3)) and torch.allclose(feat_res, torch.zeros(3))
    assert torch.equal(recon, x)
