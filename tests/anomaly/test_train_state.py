from pathlib import Path

import numpy as np
import pytest
import torch

from fakescope.anomaly.train_state import Checkpointer, TrainConfig, TrainState

TINY = dict(patch_size=16, width=16, z_dim=8, batch_size=4, checkpoint_every=2)


def test_checkpoint_round_trip_restores_networks_counters_and_random_state(tmp_path: Path):
    state = TrainState(TrainConfig(**TINY))
    with torch.no_grad():
        next(state.generator.parameters()).add_(1.0)
    state.gan_step, state.encoder_step = 3, 1
    state.history.append({"phase": "gan", "step": 3, "loss_d": 0.5})
    state.rng.random(5)
    path = tmp_path / "checkpoint.pt"
    state.save(path, ["a.png", "b.png"])
    expected_draw, expected_torch = state.rng.random(), torch.rand(1)

    loaded, files = TrainState.load(path, {"gan_steps": 10})
    assert files == ["a.png", "b.png"] and not path.with_suffix(".tmp").exists()
    assert (loaded.gan_step, loaded.encoder_step, loaded.history) == (3, 1, state.history)
    assert loaded.cfg.gan_steps == 10 and loaded.cfg.width == 16  # override, rest from file
    for a, b in zip(state.generator.parameters(), loaded.generator.parameters(), strict=True):
        assert torch.equal(a, b)
    assert loaded.rng.random() == expected_draw and torch.equal(torch.rand(1), expected_torch)


def test_load_refuses_a_file_that_is_not_a_checkpoint(tmp_path: Path):
    path = tmp_path / "other.pt"
    torch.save({"format": "something-else"}, path)
    with pytest.raises(ValueError, match="not a fakescope anomaly checkpoint"):
        TrainState.load(path, {})


def test_checkpointer_saves_every_n_steps_and_at_the_last(tmp_path: Path):
    state = TrainState(TrainConfig(**TINY))
    checkpoint = Checkpointer(tmp_path / "checkpoint.pt", ["x.png"])
    saved = []
    for step in range(1, 6):
        checkpoint.step(state, step, 5, {"izif": float(step)}, "encoder")
        saved.append(checkpoint.path.exists() and TrainState.load(checkpoint.path, {})[0].history)
        checkpoint.path.unlink(missing_ok=True)
    assert [bool(s) for s in saved] == [False, True, False, True, True]
    assert [h["step"] for h in state.history] == [2, 4, 5]
    assert np.allclose([h["izif"] for h in state.history], [2.0, 4.0, 5.0])
