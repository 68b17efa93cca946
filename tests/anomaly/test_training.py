import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from fakescope.anomaly.scoring import AnomalyModel
from fakescope.anomaly.training import TrainConfig, train_anomaly

TINY = dict(patch_size=16, width=16, z_dim=8, batch_size=4, n_critic=2, checkpoint_every=1)


def _weights(path: Path) -> dict[str, torch.Tensor]:
    state = torch.load(path, weights_only=True)
    return {f"{n}.{k}": v for n in ("generator", "encoder") for k, v in state[n].items()}


def test_two_steps_then_resume_equals_straight_run(photo_folder: Path, tmp_path: Path) -> None:
    a = tmp_path / "a"
    first = train_anomaly(
        photo_folder, a, TrainConfig(**TINY, gan_steps=2, encoder_steps=0), progress=False
    )
    assert first.gan_steps == 2 and (a / "checkpoint.pt").exists()
    resumed = train_anomaly(
        photo_folder,
        a,
        TrainConfig(**TINY, gan_steps=4, encoder_steps=2),
        resume=True,
        progress=False,
    )
    assert (resumed.gan_steps, resumed.encoder_steps) == (4, 2)

    b = tmp_path / "b"
    train_anomaly(
        photo_folder, b, TrainConfig(**TINY, gan_steps=4, encoder_steps=2), progress=False
    )
    wa, wb = _weights(a / "checkpoint.pt"), _weights(b / "checkpoint.pt")
    assert wa.keys() == wb.keys()
    assert all(torch.allclose(wa[k], wb[k]) for k in wa)  # resume is exact, RNG included

    summary = json.loads((a / "training.json").read_text())
    assert summary["holdout_images"] == 2 and summary["train_images"] == 4
    model = AnomalyModel.load(a / "anomaly.pt")
    assert model.calibration is not None and "residual_reference" in model.calibration


def test_training_changes_the_networks(photo_folder: Path, tmp_path: Path) -> None:
    cfg = TrainConfig(**TINY, gan_steps=0, encoder_steps=0)
    train_anomaly(photo_folder, tmp_path / "zero", cfg, progress=False)
    cfg2 = TrainConfig(**TINY, gan_steps=2, encoder_steps=2)
    train_anomaly(photo_folder, tmp_path / "two", cfg2, progress=False)
    w0, w2 = (
        _weights(tmp_path / "zero" / "checkpoint.pt"),
        _weights(tmp_path / "two" / "checkpoint.pt"),
    )
    assert any(not torch.allclose(w0[k], w2[k]) for k in w0)


def test_resume_refuses_a_different_folder(photo_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "m"
    train_anomaly(
        photo_folder, out, TrainConfig(**TINY, gan_steps=1, encoder_steps=0), progress=False
    )
    Image.fromarray(np.zeros((40, 40, 3), np.uint8)).save(photo_folder / "extra.png")
    with pytest.raises(ValueError, match="differ"):
        train_anomaly(
            photo_folder, out, TrainConfig(**TINY, gan_steps=2), resume=True, progress=False
        )


def test_config_rejects_unknown_settings() -> None:
    with pytest.raises(ValueError, match="statistic"):
        TrainConfig(statistic="psnr")
    with pytest.raises(ValueError, match="representation"):
        TrainConfig(representation="fft")


def _images(n: int = 3) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.integers(0, 255, (48, 48, 3), dtype=np.uint8) for _ in range(n)]


def _params(net: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in net.parameters()]


def _unchanged(before: list[torch.Tensor], net: torch.nn.Module) -> bool:
    return all(torch.equal(a, b) for a, b in zip(before, _params(net), strict=True))


def test_each_phase_trains_only_its_own_networks(tmp_path: Path) -> None:
    from fakescope.anomaly.train_state import Checkpointer, TrainState
    from fakescope.anomaly.training import train_encoder, train_gan

    state = TrainState(TrainConfig(**TINY, gan_steps=2, encoder_steps=2))
    checkpoint = Checkpointer(tmp_path / "checkpoint.pt", [])
    encoder_before, generator_before = _params(state.encoder), _params(state.generator)
    lines: list[str] = []
    train_gan(state, _images(), checkpoint, lines.append)
    assert state.gan_step == 2 and state.encoder_step == 0 and lines[-1].startswith("GAN 2/2")
    assert _unchanged(encoder_before, state.encoder)
    assert not _unchanged(generator_before, state.generator)

    generator_after_gan = _params(state.generator)
    train_encoder(state, _images(), checkpoint, lines.append)
    assert state.encoder_step == 2 and lines[-1].startswith("encoder 2/2")
    assert _unchanged(generator_after_gan, state.generator)
    assert not _unchanged(encoder_before, state.encoder)
    assert [h["phase"] for h in state.history] == ["gan", "gan", "encoder", "encoder"]


def test_more_gan_steps_on_resume_restart_the_encoder_phase(tmp_path: Path) -> None:
    from fakescope.anomaly.train_state import Checkpointer, TrainState
    from fakescope.anomaly.training import start_or_resume

    checkpoint = Checkpointer(tmp_path / "checkpoint.pt", ["a.png"])
    state = TrainState(TrainConfig(**TINY, gan_steps=1, encoder_steps=1))
    state.gan_step, state.encoder_step = 1, 1
    checkpoint.save(state)
    messages: list[str] = []
    longer = TrainConfig(**TINY, gan_steps=3, encoder_steps=1)
    again = start_or_resume(longer, checkpoint, tmp_path, True, messages.append)
    assert (again.gan_step, again.encoder_step, again.cfg.gan_steps) == (1, 0, 3)
    assert "encoder phase will run again" in messages[-1]
    fresh = start_or_resume(TrainConfig(**TINY), checkpoint, tmp_path, False, messages.append)
    assert fresh.gan_step == 0  # without resume the checkpoint is not read
