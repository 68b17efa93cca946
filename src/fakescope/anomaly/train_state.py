"""What defines an f-AnoGAN training run and what its checkpoints hold.

:class:`TrainConfig` is the run's settings (stored in the checkpoint and the model file),
:class:`TrainState` the networks, optimisers, step counters and random state that make a
resumed run continue exactly where it stopped, and :class:`Checkpointer` when it is saved.
:mod:`fakescope.anomaly.training` runs the phases over them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from fakescope.anomaly.scoring import build_networks

CHECKPOINT_NAME = "checkpoint.pt"
# what may change when a run resumes: step totals and scoring settings; the rest defines it
RESUMABLE_SETTINGS = ("gan_steps", "encoder_steps", "statistic", "max_patches", "top_fraction")


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


class TrainState:
    """Networks, optimisers, counters and random state: what a checkpoint holds.

    Examples
    --------
    >>> state = TrainState(TrainConfig(width=16, z_dim=8))
    >>> state.gan_step, state.encoder_step
    (0, 0)
    """

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
        """Write the checkpoint atomically; ``files`` are the training images it was fit on."""
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
    def load(cls, path: Path, cfg_overrides: dict[str, Any]) -> tuple[TrainState, list[str]]:
        """A checkpoint's state and training files, with ``cfg_overrides`` applied."""
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


@dataclass
class Checkpointer:
    """Saves the state every ``checkpoint_every`` steps of a phase and at its last step,
    recording the step's losses in the history.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> saved = []
    >>> state = SimpleNamespace(cfg=TrainConfig(checkpoint_every=2), history=[])
    >>> state.save = lambda path, files: saved.append(state.history[-1]["step"])
    >>> c = Checkpointer(Path("checkpoint.pt"), [])
    >>> for step in (1, 2, 3):
    ...     c.step(state, step, 3, {"loss": 0.5}, "gan")
    >>> saved  # every 2nd step, and the last
    [2, 3]
    """

    path: Path
    files: list[str]

    def step(
        self, state: TrainState, step: int, total: int, stats: dict[str, float], phase: str
    ) -> None:
        """Called after each step of ``phase`` (``step`` of ``total``)."""
        every = max(state.cfg.checkpoint_every, 1)
        if step % every == 0 or step == total:
            state.history.append({"phase": phase, "step": step, **stats})  # type: ignore[dict-item]
            state.save(self.path, self.files)

    def save(self, state: TrainState) -> None:
        """Save now, whatever the step."""
        state.save(self.path, self.files)
