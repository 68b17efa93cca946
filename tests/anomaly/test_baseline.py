import numpy as np
import torch

from fakescope.anomaly.baseline import AutoencoderBaseline, ConvAutoencoder

from .conftest import photo_like


def test_autoencoder_shapes() -> None:
    ae = ConvAutoencoder(patch_size=32, z_dim=16, width=32)
    assert ae(torch.zeros(2, 3, 32, 32)).shape == (2, 3, 32, 32)


def test_baseline_separates_training_like_from_noise() -> None:
    smooth = [photo_like(48, 48, s) for s in range(4)]
    base = AutoencoderBaseline(
        patch_size=16, z_dim=16, width=32, representation="rgb", steps=150, batch_size=16
    ).fit(smooth)
    noise = [
        np.random.default_rng(s).integers(0, 256, (48, 48, 3), dtype=np.uint8) for s in range(3)
    ]
    normal_scores = base.score_images([photo_like(48, 48, 10 + s) for s in range(3)])
    assert normal_scores.max() < base.score_images(noise).min()
