from __future__ import annotations

import numpy as np
import pytest
import torch

from fakescope.robustness.attacks import ATTACKS, FGSM, PGD, PGDL2, MultiAttack, Square


def linear(x: torch.Tensor) -> torch.Tensor:
    return (x.flatten(1) - 0.5).sum(1) * 4.0


@pytest.mark.parametrize("name", sorted(ATTACKS))
@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (3, 64)])
def test_shapes_range_and_linf_budget(name, shape):
    x = torch.rand(shape) * 0.8 + 0.1
    y = torch.tensor([float(i % 2) for i in range(shape[0])])
    eps = 0.03
    attack = ATTACKS[name](linear, eps, **({"queries": 20} if name == "square" else {}))
    adv = attack(x, y)
    assert adv.shape == x.shape
    assert adv.min() >= 0 and adv.max() <= 1
    if name == "pgd-l2":
        assert float((adv - x).flatten(1).norm(dim=1).max()) <= eps + 1e-5
    else:
        assert float((adv - x).abs().max()) <= eps + 1e-6


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_lowers_the_score_of_a_tiny_trained_model(tiny_model, name):
    model, x, y = tiny_model
    # the score-only attack gets a larger budget: it has 80 queries instead of gradients
    eps = {"pgd-l2": 1.0, "square": 16 / 255}.get(name, 8 / 255)
    kwargs = {"queries": 80, "seed": 0} if name == "square" else {}
    adv = ATTACKS[name](model, eps, **kwargs)(x, y)
    with torch.no_grad():
        before, after = model(x), model(adv)
    fakes, reals = y == 1, y == 0
    # fakes pushed towards "real", reals towards "machine-made"
    assert float(after[fakes].mean()) < float(before[fakes].mean()) - 0.5
    assert float(after[reals].mean()) > float(before[reals].mean()) + 0.5


def test_pgd_with_a_large_budget_flips_the_verdicts(tiny_model):
    model, x, y = tiny_model
    with torch.no_grad():
        after = model(PGD(model, 0.3, steps=10, seed=0)(x, y))
    assert float(((after > 0).float() != y).float().mean()) > 0.5


def test_attack_restores_training_mode_and_leaves_input(tiny_model):
    model, x, y = tiny_model
    model.train()
    x0 = x.clone()
    PGD(model, 2 / 255, steps=2)(x, y)
    assert model.training
    model.eval()
    assert torch.equal(x, x0)


def test_pgd_is_reproducible_with_a_seed_and_respects_steps():
    x, y = torch.rand(2, 12), torch.tensor([1.0, 0.0])
    a = PGD(linear, 0.05, steps=3, seed=1)(x, y)
    b = PGD(linear, 0.05, steps=3, seed=1)(x, y)
    assert torch.equal(a, b)
    with pytest.raises(ValueError, match="steps"):
        PGD(linear, 0.05, steps=0)
    with pytest.raises(ValueError, match="eps"):
        FGSM(linear, -1.0)


def test_square_uses_only_its_query_budget_and_no_gradients():
    calls = {"n": 0}

    def scores_only(batch):
        calls["n"] += 1
        assert not batch.requires_grad
        return linear(batch)

    x, y = torch.rand(2, 3, 8, 8), torch.ones(2)
    attack = Square(scores_only, 0.05, queries=30, seed=0)
    attack(x, y)
    assert calls["n"] <= 30 and attack.queries_used <= 30


def test_multi_attack_keeps_the_strongest(tiny_model):
    model, x, y = tiny_model
    weak = FGSM(model, 0.5 / 255)
    strong = PGD(model, 8 / 255, steps=5, seed=0)
    adv = MultiAttack([weak, strong])(x, y)
    with torch.no_grad():
        m_multi = (2 * y - 1) * model(adv)
        m_strong = (2 * y - 1) * model(strong(x, y))
    assert bool((m_multi <= m_strong + 1e-4).all())


def test_pgd_matches_ibm_art_reference():
    """Without random start, our PGD equals IBM ART's (same loss, step and projection)."""
    art = pytest.importorskip("art")
    from art.attacks.evasion import ProjectedGradientDescent
    from art.estimators.classification import PyTorchClassifier

    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(48, 1), torch.nn.Flatten(0))

    class TwoClass(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, x):  # softmax([0, z]) == sigmoid(z): the same cross-entropy
            z = self.net(x)
            return torch.stack([torch.zeros_like(z), z], 1)

    clf = PyTorchClassifier(
        TwoClass(),
        loss=torch.nn.CrossEntropyLoss(),
        input_shape=(3, 4, 4),
        nb_classes=2,
        clip_values=(0.0, 1.0),
    )
    x = np.random.default_rng(0).random((4, 3, 4, 4), dtype=np.float32) * 0.8 + 0.1
    y = np.array([1, 0, 1, 0])
    theirs = ProjectedGradientDescent(
        clf,
        norm=np.inf,
        eps=4 / 255,
        eps_step=1 / 255,
        max_iter=5,
        num_random_init=0,
        verbose=False,
    ).generate(x, y=np.eye(2)[y])
    ours = PGD(net, 4 / 255, steps=5, alpha=1 / 255, random_start=False)(
        torch.from_numpy(x), torch.from_numpy(y).float()
    )
    assert art.__version__
    np.testing.assert_allclose(ours.numpy(), theirs, atol=1e-6)


def test_pgdl2_budget_on_images():
    x, y = torch.rand(2, 3, 16, 16), torch.tensor([1.0, 0.0])
    adv = PGDL2(linear, 0.5, steps=4, seed=0)(x, y)
    assert float((adv - x).flatten(1).norm(dim=1).max()) <= 0.5 + 1e-5
