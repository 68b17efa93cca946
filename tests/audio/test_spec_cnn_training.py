import numpy as np
import torch

from fakescope.audio.corpus import Item
from fakescope.audio.spec_cnn_training import mixup, spec_augment, train_spec_cnn
from fakescope.audio.training import Prepared


def _prepared(tmp_path, sig, n=6):
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        real = sig.voice_like(0.8, 8000, seed=i)
        fake = (0.2 * rng.standard_normal(6400)).astype(np.float32)
        out.append(Prepared(Item(tmp_path / f"r{i}.wav", 0, "fsdd", "a", "train"), real, 0))
        out.append(Prepared(Item(tmp_path / f"f{i}.wav", 1, "flite", "v", "train"), fake, 0))
    return out


def test_spec_cnn_trains_and_reports_each_epoch(tmp_path, sig):
    epochs: list[tuple[int, int]] = []
    model = train_spec_cnn(
        _prepared(tmp_path, sig), 2, 0, 4, lambda m: None, lambda d, t: epochs.append((d, t))
    )
    assert sum(p.numel() for p in model.parameters()) > 1000
    assert epochs == [(1, 2), (2, 2)] and not model.training


def test_spec_augment_masks_inside_its_bounds_and_mixup_mixes_labels_alike():
    rngs = [np.random.default_rng(seed) for seed in range(40)]
    masked = [spec_augment(np.ones((64, 50)), rng, 10, 4, 50) for rng in rngs]
    rows = [np.flatnonzero((m == 0).all(axis=1)) for m in masked]
    assert any(len(r) for r in rows) and all(r.max() < 10 + 4 for r in rows if len(r))
    assert all(((m == 0) | (m == 1)).all() for m in masked)
    xb, yb = torch.zeros(6, 1, 2, 2), torch.tensor([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    xb[yb == 1] = 1.0
    xm, ym = mixup(xb, yb, np.random.default_rng(0))
    assert torch.allclose(xm[:, 0, 0, 0], ym)  # pictures and labels mixed with the same weights
