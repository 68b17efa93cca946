"""Train an f-AnoGAN model on a folder of normal images, with checkpoints and resume.

Three phases (Schlegl et al. 2019): (1) WGAN-GP generator + critic on random patches,
(2) izi_f encoder training with generator and critic frozen, (3) calibration of the whole-image
score on held-out normal images. Nothing here is specific to forensics: any folder of "normal"
images (photos, scans, product shots) trains the same way.
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
from fakescope.anomaly.scoring import AnomalyModel, build_networks

CHECKPOINT_NAME = "checkpoint.pt"
RESUMABLE_SETTINGS = ("gan_steps", "encoder_steps", "statistic", "max_patches", "top_fraction")
MODEL_NAME = "anomaly.pt"


@dataclass
class TrainConfig:
    """Everything that defines a training run (stored in checkpoints and the model file).

    Examples
    --------
    >>> TrainConfig(gan_steps=10).total_steps
    310
    """

    patch_size: int = 16
    z_dim: int = 64
    width: int = 64
    representation: str = "residual"
    batch_size: int = 64
    gan_steps: int = 400
    encoder_steps: int = 300
    n_critic: int = 5
    lr: float = 1e-4
    encoder_lr: float = 1e-4
    gp_weight: float = 10.0
    kappa: float = 1.0
    holdout_fraction: float = 0.1
    checkpoint_every: int = 100
    seed: int = 0
    max_side: int = 1024
    top_fraction: float = 0.25
    max_patches: int = 256
    statistic: str = "critic"

    def __post_init__(self) -> None:
        from fakescope.anomaly.patches import REPRESENTATIONS
        from fakescope.anomaly.scoring import STATISTICS

        if self.representation not in REPRESENTATIONS:
            raise ValueError(f"representation must be one of {REPRESENTATIONS}")
        if self.statistic not in STATISTICS:
            raise ValueError(f"statistic must be one of {STATISTICS}")
        if min(self.gan_steps, self.encoder_steps) < 0 or self.batch_size < 1:
            raise ValueError("step counts must be >= 0 and the batch size >= 1")

    @property
    def total_steps(self) -> int:
        return self.gan_steps + self.encoder_steps

    def model_config(self) -> dict[str, Any]:
        keys = (
            "patch_size",
            "z_dim",
            "width",
            "representation",
            "kappa",
            "top_fraction",
            "max_patches",
        )
        return {k: getattr(self, k) for k in keys}


@dataclass
class TrainResult:
    model_path: Path
    gan_steps: int
    encoder_steps: int
    calibration: dict[str, Any]
    skipped: list[str]
    seconds: float


class _State:
    """Networks, optimisers and counters: what a checkpoint holds."""

    def __init__(self, cfg: TrainConfig) -> None:
        torch.manual_seed(cfg.seed)
        self.cfg = cfg
        self.generator, self.critic, self.encoder = build_networks(cfg.model_config())
        betas = (0.0, 0.9)  # WGAN-GP paper settings
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=cfg.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.critic.parameters(), lr=cfg.lr, betas=betas)
        self.opt_e = torch.optim.Adam(
            self.encoder.parameters(), lr=cfg.encoder_lr, betas=(0.5, 0.999)
        )
        self.gan_step = 0
        self.encoder_step = 0
        self.rng = np.random.default_rng(cfg.seed)
        self.history: list[dict[str, float]] = []

    def save(self, path: Path, files: list[str]) -> None:
        tmp = path.with_suffix(".tmp")
        torch.save(
            {
                "format": "fakescope-anomaly-checkpoint-v1",
                "config": asdict(self.cfg),
                "files": files,
                "gan_step": self.gan_step,
                "encoder_step": self.encoder_step,
                "generator": self.generator.state_dict(),
                "critic": self.critic.state_dict(),
                "encoder": self.encoder.state_dict(),
                "opt_g": self.opt_g.state_dict(),
                "opt_d": self.opt_d.state_dict(),
                "opt_e": self.opt_e.state_dict(),
                "torch_rng": torch.get_rng_state(),
                "numpy_rng": json.dumps(self.rng.bit_generator.state),
                "history": json.dumps(self.history),
            },
            tmp,
        )
        tmp.replace(path)  # never leave a half-written checkpoint behind

    @classmethod
    def load(cls, path: Path, cfg_overrides: dict[str, Any]) -> tuple[_State, list[str]]:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
        if ckpt.get("format") != "fakescope-anomaly-checkpoint-v1":
            raise ValueError(f"{path}: not a fakescope anomaly checkpoint")
        # Architecture and data settings come from the checkpoint.
        cfg = TrainConfig(**{**ckpt["config"], **cfg_overrides})
        state = cls(cfg)
        state.generator.load_state_dict(ckpt["generator"])
        state.critic.load_state_dict(ckpt["critic"])
        state.encoder.load_state_dict(ckpt["encoder"])
        state.opt_g.load_state_dict(ckpt["opt_g"])
        state.opt_d.load_state_dict(ckpt["opt_d"])
        state.opt_e.load_state_dict(ckpt["opt_e"])
        state.gan_step, state.encoder_step = int(ckpt["gan_step"]), int(ckpt["encoder_step"])
        torch.set_rng_state(ckpt["torch_rng"])
        state.rng.bit_generator.state = json.loads(ckpt["numpy_rng"])
        state.history = json.loads(ckpt["history"])
        return state, list(ckpt["files"])


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
    cfg = config or TrainConfig()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ckpt_path = out_dir / CHECKPOINT_NAME
    files = [str(p.relative_to(real_dir)) for p in list_images(Path(real_dir))]

    if resume and ckpt_path.exists():
        # Step totals and scoring settings may change on resume; the rest defines the run.
        overrides = {k: getattr(cfg, k) for k in RESUMABLE_SETTINGS}
        state, ckpt_files = _State.load(ckpt_path, overrides)
        if ckpt_files != files:
            raise ValueError(
                f"{real_dir}: the images differ from those the checkpoint in {out_dir} was "
                "trained on; resume with the same folder or start without --resume"
            )
        cfg = state.cfg
        log(
            f"resuming from {ckpt_path} at GAN step {state.gan_step}, "
            f"encoder step {state.encoder_step}"
        )
        if state.gan_step < cfg.gan_steps and state.encoder_step > 0:
            # The generator will change, so an encoder fitted to the old one starts over.
            log("more GAN steps were asked for: the encoder phase will run again afterwards")
            state.encoder_step = 0
    else:
        state = _State(cfg)

    images, skipped = load_folder(Path(real_dir), cfg.patch_size, cfg.max_side)
    for message in skipped:
        log(f"skipped {message}")
    train_idx, holdout_idx = split_holdout(len(images), cfg.holdout_fraction, cfg.seed)
    train_images = [images[i] for i in train_idx]
    holdout_images = [images[i] for i in holdout_idx]

    torch_gen = None  # global torch RNG: its state is checkpointed
    with _progress(progress, cfg.total_steps + 1) as bar:
        bar.advance(state.gan_step + state.encoder_step)
        state.generator.train()
        state.critic.train()
        while state.gan_step < cfg.gan_steps:
            stats = _gan_step(state, train_images, torch_gen)
            state.gan_step += 1
            bar.update(f"GAN {state.gan_step}/{cfg.gan_steps}  W={stats['wasserstein']:.3f}")
            _maybe_checkpoint(state, state.gan_step, cfg.gan_steps, ckpt_path, files, stats, "gan")

        state.generator.eval()
        state.critic.eval()
        for p in (*state.generator.parameters(), *state.critic.parameters()):
            p.requires_grad_(False)
        state.encoder.train()
        while state.encoder_step < cfg.encoder_steps:
            stats = _encoder_step(state, train_images)
            state.encoder_step += 1
            bar.update(
                f"encoder {state.encoder_step}/{cfg.encoder_steps}  loss={stats['izif']:.4f}"
            )
            _maybe_checkpoint(
                state, state.encoder_step, cfg.encoder_steps, ckpt_path, files, stats, "encoder"
            )

        state.save(ckpt_path, files)  # also when there was nothing left to train
        model = AnomalyModel(state.generator, state.critic, state.encoder, cfg.model_config())
        bar.update("calibrating on held-out images")
        model.calibrate(holdout_images)

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


def _batch(state: _State, images: list[np.ndarray]) -> torch.Tensor:
    cfg = state.cfg
    patches = random_patches(images, cfg.batch_size, cfg.patch_size, state.rng)
    return torch.from_numpy(to_model_input(patches, cfg.representation))


def _gan_step(
    state: _State, images: list[np.ndarray], gen: torch.Generator | None
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


def _encoder_step(state: _State, images: list[np.ndarray]) -> dict[str, float]:
    x = _batch(state, images)
    loss = izif_loss(x, state.generator, state.critic, state.encoder, state.cfg.kappa)
    state.opt_e.zero_grad(set_to_none=True)
    loss.backward()
    state.opt_e.step()
    return {"izif": float(loss.detach())}


def _maybe_checkpoint(
    state: _State,
    step: int,
    total: int,
    path: Path,
    files: list[str],
    stats: dict[str, float],
    phase: str,
) -> None:
    every = max(state.cfg.checkpoint_every, 1)
    if step % every == 0 or step == total:
        state.history.append({"phase": phase, "step": step, **stats})  # type: ignore[dict-item]
        state.save(path, files)


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
