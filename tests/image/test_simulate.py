"""Simulated fakes: decoders, self-blending, laundering."""

from __future__ import annotations

import numpy as np
import torch

from fakescope.image.simulate import (
    UPSAMPLERS,
    DecoderBank,
    DecoderSpec,
    build_decoder,
    jpeg,
    launder,
    random_blob_mask,
    self_blend,
)


def test_every_decoder_kind_upsamples() -> None:
    for kind in UPSAMPLERS:
        for trained in (True, False):
            dec = build_decoder(DecoderSpec(kind, 2, 8, trained, 0.05))
            with torch.no_grad():
                out = dec(torch.rand(1, 3, 16, 16))
            assert out.shape == (1, 3, 64, 64)
            assert float(out.min()) >= 0 and float(out.max()) <= 1


def test_decoder_bank_rebuilds_image(photo: np.ndarray) -> None:
    bank = DecoderBank(n_decoders=3, train_steps=2, seed=0).fit([photo])
    assert [spec.trained for spec, _ in bank.decoders] == [True, True, False]
    rng = np.random.default_rng(0)
    for i in range(3):
        fake = bank.apply(photo, rng, index=i)
        assert fake.shape == photo.shape and fake.dtype == np.uint8
    # a random residual decoder keeps the picture but changes the pixels
    corr = np.corrcoef(fake[..., 1].ravel(), photo[..., 1].ravel())[0, 1]
    assert corr > 0.8 and not np.array_equal(fake, photo)


def test_self_blend_changes_a_region(photo: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    out = self_blend(photo, rng)
    diff = np.abs(out.astype(int) - photo.astype(int)).sum(-1)
    changed = (diff > 3).mean()
    assert 0.03 < changed < 0.9


def test_blob_mask_range() -> None:
    m = random_blob_mask(64, 48, np.random.default_rng(0))
    assert m.shape == (64, 48) and 0 <= m.min() and m.max() <= 1 and m.mean() > 0.05


def test_launder_keeps_dtype_and_content(photo: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    for _ in range(5):
        out = launder(photo, rng)
        assert out.dtype == np.uint8 and out.ndim == 3 and min(out.shape[:2]) >= 32
    j = jpeg(photo, 70)
    assert np.abs(j.astype(int) - photo.astype(int)).mean() < 10
