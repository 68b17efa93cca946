import pytest
import torch

from fakescope.anomaly.models import Critic, Encoder, Generator, sample_latent


@pytest.mark.parametrize("patch", [8, 16, 32, 64])
def test_shapes_round_trip(patch: int) -> None:
    g, d, e = Generator(12, patch, 32), Critic(patch, 32), Encoder(12, patch, 32)
    z = sample_latent(3, 12)
    with torch.no_grad():
        x = g(z)
    assert x.shape == (3, 3, patch, patch)
    assert float(x.abs().max()) <= 1.0
    with torch.no_grad():
        assert d(x).shape == (3,)
        assert d.features(x).shape == (3, 32 * 16)
        code = e(x)
    assert code.shape == (3, 12)
    assert float(code.abs().max()) <= 1.0


@pytest.mark.parametrize("patch", [4, 12, 48])
def test_rejects_bad_patch_size(patch: int) -> None:
    with pytest.raises(ValueError, match="power of two"):
        Generator(8, patch, 16)


def test_latent_prior_is_uniform_in_box() -> None:
    z = sample_latent(2000, 4, torch.Generator().manual_seed(0))
    assert float(z.min()) >= -1 and float(z.max()) <= 1
    assert abs(float(z.mean())) < 0.05


def test_critic_has_no_batch_norm() -> None:
    # The gradient penalty is per sample; batch norm would couple samples.
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in Critic(16, 16).modules())
