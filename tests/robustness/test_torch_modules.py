"""The detectors' ``torch_module()`` (OWNERS.md interface): sigmoid(module(x)) == score."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fakescope.core.media import Media


def _images(n=2, h=64, w=80):
    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for _ in range(n)]
    imgs[-1] = np.linspace(0, 255, h * w * 3).reshape(h, w, 3).astype(np.uint8)
    return imgs


def _tensor(imgs):
    return torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2).float() / 255


@pytest.mark.parametrize("factory", ["residual-cnn", "anomaly"])
def test_image_modules_match_scores_and_have_gradients(factory):
    from fakescope.core.registry import create_detector

    det = create_detector(factory)
    imgs = _images()
    scores = [e.score for e in det.score_batch([Media("x.png", "image", i, {}) for i in imgs])]
    x = _tensor(imgs).requires_grad_(True)
    logits = det.torch_module()(x)
    assert logits.shape == (2,)
    np.testing.assert_allclose(torch.sigmoid(logits).detach().numpy(), scores, atol=1e-5)
    logits.sum().backward()
    assert x.grad is not None and float(x.grad.abs().sum()) > 0


def test_spec_cnn_module_matches_segment_logits():
    from fakescope.audio.spec_cnn import SpecCnnDetector

    det = SpecCnnDetector()
    rng = np.random.default_rng(0)
    for n in (400, 4000):
        segs = [(rng.standard_normal(n) * 0.2).astype(np.float32) for _ in range(2)]
        with torch.no_grad():
            out = det.torch_module()(torch.from_numpy(np.stack(segs))).numpy()
        np.testing.assert_allclose(out, det.segment_logits(segs), atol=1e-4)
    assert det.sample_rate == 8000
