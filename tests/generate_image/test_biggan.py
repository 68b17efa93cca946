from __future__ import annotations

import pytest
import torch

from fakescope.generate_image.biggan import (
    Discriminator,
    Generator,
    GeneratorConfig,
    fold_spectral_norm,
    truncated_normal,
)


def test_shapes_for_each_resolution():
    for res in (16, 32, 64):
        cfg = GeneratorConfig(n_classes=4, resolution=res, channels=3, width=8, z_dim=20)
        g, d = Generator(cfg), Discriminator(cfg)
        x = g(torch.randn(3, 20), torch.tensor([0, 1, 3]))
        assert x.shape == (3, 3, res, res) and x.abs().max() <= 1
        assert d(x, torch.tensor([0, 1, 3])).shape == (3,)


def test_bad_resolution_is_refused():
    with pytest.raises(ValueError, match="power of two"):
        Generator(GeneratorConfig(n_classes=2, resolution=24))


def test_projection_discriminator_uses_the_class():
    cfg = GeneratorConfig(n_classes=3, resolution=16, channels=1, width=8, z_dim=12)
    d = Discriminator(cfg).eval()
    x = torch.randn(2, 1, 16, 16)
    assert not torch.allclose(d(x, torch.tensor([0, 0])), d(x, torch.tensor([1, 2])))


def test_folding_spectral_norm_keeps_the_function():
    torch.manual_seed(0)
    cfg = GeneratorConfig(n_classes=3, resolution=16, channels=1, width=8, z_dim=12)
    g = Generator(cfg)
    g(torch.randn(8, 12), torch.randint(0, 3, (8,)))  # one power iteration, fills BN stats
    g.eval()
    plain = Generator(cfg, spectral=False)
    plain.load_state_dict(fold_spectral_norm(g), strict=False)
    plain.eval()
    z, y = torch.randn(4, 12), torch.tensor([0, 1, 2, 0])
    with torch.no_grad():
        assert torch.allclose(g(z, y), plain(z, y), atol=1e-5)


def test_truncation():
    gen = torch.Generator().manual_seed(0)
    z = truncated_normal(200, 16, 0.7, gen)
    assert z.abs().max() <= 0.7 and z.std() > 0.3
    assert truncated_normal(10, 4, 0).abs().max() > 0  # 0 = no truncation
