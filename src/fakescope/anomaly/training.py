"""Train an f-AnoGAN model on a folder of normal images, with checkpoints and resume.

Three phases (Schlegl et al. 2019), one function each: (1) :func:`train_gan`, WGAN-GP
generator + critic on random patches, (2) :func:`train_encoder`, izi_f encoder training with
generator and critic frozen, (3) :func:`calibrated_model`, calibration of the whole-image score
on held-out normal images. :func:`train_anomaly` runs them with checkpoints and resume
(:mod:`fakescope.anomaly.train_state`). Nothing here is specific to forensics: any folder of
"normal" images (photos, scans, product shots) trains the same way.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import torch

from fakescope.anomaly.dataset import list_images, load_folder, split_holdout
from fakescope.anomaly.losses import critic_loss, izif_loss
from fakescope.anomaly.models import sample_latent
from fakescope.anomaly.patches import random_patches, to_model_input
from fakescope.anomaly.scoring import AnomalyModel
from fakescope.anomaly.train_state import (
    CHECKPOINT_NAME,
    RESUMABLE_SETTINGS,
    Checkpointer,
    TrainConfig,
    TrainState,
)

MODEL_NAME = "anomaly.pt"
__all__ = [
    "MODEL_NAME",
    "TrainConfig",
    "TrainResult",
    "calibrated_model",
    "config_fields",
    "start_or_resume",
    "train_anomaly",
    "train_encoder",
    "train_gan",
]


@dataclass
class TrainResult:
    model_path: Path
    gan_steps: int
    encoder_steps: int
    calibration: dict[str, Any]
    skipped: list[str]
    seconds: float


def train_anomaly(
    real_dir: Path,
    out_dir: Path,
    config: TrainConfig | None = None,
    *,
    resume: bool = False,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> TrainResult:
    """Train, checkpoint and calibrate an f-AnoGAN model on the images in ``real_dir``.

    Parameters
    ----------
    real_dir : Path
        Folder (searched recursively) of normal images; 10% of the files (at least two) are
        held out to calibrate the score.
    out_dir : Path
        Receives ``checkpoint.pt`` (every ``checkpoint_every`` steps), ``anomaly.pt`` (the
        model used by the ``anomaly`` detector) and ``training.json`` (losses, calibration).
    config : TrainConfig, optional
    resume : bool
        Continue from ``out_dir/checkpoint.pt`` when it exists. Step totals in ``config`` may
        be raised to train longer, and the scoring settings (``statistic``, ``max_patches``,
        ``top_fraction``) changed; everything else comes from the checkpoint.

    Examples
    --------
    >>> cfg = TrainConfig(patch_size=16, width=16, z_dim=8, batch_size=4, gan_steps=1,
    ...                   encoder_steps=1, n_critic=1)
    >>> result = train_anomaly(Path("photos"), Path("model"), cfg)  # doctest: +SKIP
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = [str(p.relative_to(real_dir)) for p in list_images(Path(real_dir))]
    checkpoint = Checkpointer(out_dir / CHECKPOINT_NAME, files)
    state = start_or_resume(config or TrainConfig(), checkpoint, real_dir, resume, log)
    cfg = state.cfg
    train_images, holdout_images, skipped = _split_images(real_dir, cfg, log)

    with _progress(progress, cfg.total_steps + 1) as bar:
        bar.advance(state.gan_step + state.encoder_step)
        train_gan(state, train_images, checkpoint, bar.update)
        train_encoder(state, train_images, checkpoint, bar.update)
        checkpoint.save(state)  # also when there was nothing left to train
        bar.update("calibrating on held-out images")
        model = calibrated_model(state, holdout_images)

    model_path = out_dir / MODEL_NAME
    model.save(model_path)
    summary = {
        "config": asdict(cfg),
        "real_dir": str(real_dir),
        "train_images": len(train_images),
        "holdout_images": len(holdout_images),
        "calibration": model.calibration,
        "history": state.history,
        "skipped": skipped,
    }
    (out_dir / "training.json").write_text(json.dumps(summary, indent=1))
    return TrainResult(
        model_path,
        state.gan_step,
        state.encoder_step,
        model.calibration,
        skipped,
        time.perf_counter() - started,
    )


def start_or_resume(
    cfg: TrainConfig,
    checkpoint: Checkpointer,
    real_dir: Path,
    resume: bool,
    log: Callable[[str], None] = print,
) -> TrainState:
    """A fresh state, or with ``resume`` the checkpoint's (refused if the images differ).

    Step totals and scoring settings may change on resume; the rest of ``cfg`` is the
    checkpoint's. Asking for more GAN steps after the encoder phase restarts the encoder phase,
    as an encoder fitted to the old generator would not match the new one.
    """
    path = checkpoint.path
    if not (resume and path.exists()):
        return TrainState(cfg)
    overrides = {k: getattr(cfg, k) for k in RESUMABLE_SETTINGS}
    state, ckpt_files = TrainState.load(path, overrides)
    if ckpt_files != checkpoint.files:
        raise ValueError(
            f"{real_dir}: the images differ from those the checkpoint in {path.parent} was "
            "trained on; resume with the same folder or start without --resume"
        )
    log(f"resuming from {path} at GAN step {state.gan_step}, encoder step {state.encoder_step}")
    if state.gan_step < state.cfg.gan_steps and state.encoder_step > 0:
        log("more GAN steps were asked for: the encoder phase will run again afterwards")
        state.encoder_step = 0
    return state


def _split_images(
    real_dir: Path, cfg: TrainConfig, log: Callable[[str], None]
) -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    """Training images, held-out calibration images, and the files that could not be read."""
    images, skipped = load_folder(Path(real_dir), cfg.patch_size, cfg.max_side)
    for message in skipped:
        log(f"skipped {message}")
    train_idx, holdout_idx = split_holdout(len(images), cfg.holdout_fraction, cfg.seed)
    return [images[i] for i in train_idx], [images[i] for i in holdout_idx], skipped


def train_gan(
    state: TrainState,
    images: list[np.ndarray],
    checkpoint: Checkpointer,
    report: Callable[[str], None] = lambda _: None,
) -> None:
    """Phase 1: WGAN-GP generator and critic on random patches, up to ``cfg.gan_steps``."""
    cfg = state.cfg
    torch_gen = None  # global torch RNG: its state is checkpointed
    state.generator.train()
    state.critic.train()
    while state.gan_step < cfg.gan_steps:
        stats = _gan_step(state, images, torch_gen)
        state.gan_step += 1
        report(f"GAN {state.gan_step}/{cfg.gan_steps}  W={stats['wasserstein']:.3f}")
        checkpoint.step(state, state.gan_step, cfg.gan_steps, stats, "gan")


def train_encoder(
    state: TrainState,
    images: list[np.ndarray],
    checkpoint: Checkpointer,
    report: Callable[[str], None] = lambda _: None,
) -> None:
    """Phase 2: the izi_f encoder, generator and critic frozen, up to ``cfg.encoder_steps``."""
    cfg = state.cfg
    state.generator.eval()
    state.critic.eval()
    for p in (*state.generator.parameters(), *state.critic.parameters()):
        p.requires_grad_(False)
    state.encoder.train()
    while state.encoder_step < cfg.encoder_steps:
        stats = _encoder_step(state, images)
        state.encoder_step += 1
        report(f"encoder {state.encoder_step}/{cfg.encoder_steps}  loss={stats['izif']:.4f}")
        checkpoint.step(state, state.encoder_step, cfg.encoder_steps, stats, "encoder")


def calibrated_model(state: TrainState, holdout_images: list[np.ndarray]) -> AnomalyModel:
    """Phase 3: the scoring model, its whole-image score calibrated on held-out images."""
    model = AnomalyModel(state.generator, state.critic, state.encoder, state.cfg.model_config())
    model.calibrate(holdout_images)
    return model


def _batch(state: TrainState, images: list[np.ndarray]) -> torch.Tensor:
    cfg = state.cfg
    patches = random_patches(images, cfg.batch_size, cfg.patch_size, state.rng)
    return torch.from_numpy(to_model_input(patches, cfg.representation))


def _gan_step(
    state: TrainState, images: list[np.ndarray], gen: torch.Generator | None
) -> dict[str, float]:
    cfg = state.cfg
    for p in state.critic.parameters():
        p.requires_grad_(True)
    for _ in range(cfg.n_critic):
        real = _batch(state, images)
        with torch.no_grad():
            fake = state.generator(sample_latent(real.shape[0], cfg.z_dim, gen))
        loss_d, wasserstein = critic_loss(state.critic, real, fake, cfg.gp_weight, gen)
        state.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        state.opt_d.step()
    for p in state.critic.parameters():
        p.requires_grad_(False)  # the generator step needs no critic gradients
    fake = state.generator(sample_latent(cfg.batch_size, cfg.z_dim, gen))
    loss_g = -state.critic(fake).mean()
    state.opt_g.zero_grad(set_to_none=True)
    loss_g.backward()
    state.opt_g.step()
    return {
        "wasserstein": float(wasserstein),
        "loss_d": float(loss_d.detach()),
        "loss_g": float(loss_g.detach()),
    }


def _encoder_step(state: TrainState, images: list[np.ndarray]) -> dict[str, float]:
    x = _batch(state, images)
    loss = izif_loss(x, state.generator, state.critic, state.encoder, state.cfg.kappa)
    state.opt_e.zero_grad(set_to_none=True)
    loss.backward()
    state.opt_e.step()
    return {"izif": float(loss.detach())}


class _progress:
    """A rich progress bar, or a silent stand-in for tests and scripts."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total = enabled, total
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _progress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("[bold]anomaly[/]"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.description}"),
            )
            self._progress.__enter__()
            self._task = self._progress.add_task("", total=self.total)
        return self

    def advance(self, n: int) -> None:
        if self._progress is not None and n:
            self._progress.update(self._task, advance=n)

    def update(self, description: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, advance=1, description=description)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)


def config_fields() -> list[str]:
    """Names of the TrainConfig fields (for CLI help and docs)."""
    return [f.name for f in fields(TrainConfig)]
