import numpy as np

from fakescope.audio.corpus import Item
from fakescope.audio.spec_cnn_training import train_spec_cnn
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
