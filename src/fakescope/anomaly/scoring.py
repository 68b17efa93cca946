"""A trained f-AnoGAN bundle: load/save, per-patch scores, whole-image scores and residual maps."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from fakescope.anomaly.calibration import (
    apply_calibration,
    fit_calibration,
    fit_gaussian,
    mahalanobis,
)
from fakescope.anomaly.losses import izif_residuals
from fakescope.anomaly.models import Critic, Encoder, Generator
from fakescope.anomaly.patches import extract_patches, grid_positions, to_model_input

DEFAULT_CONFIG: dict[str, Any] = {
    "patch_size": 16,
    "z_dim": 64,
    "width": 64,
    "representation": "residual",
    "kappa": 1.0,
    "top_fraction": 0.25,
    "max_patches": 256,
    "statistic": "critic",
}
STATISTICS = ("critic", "izif", "joint")


@dataclass
class ImageScore:
    """Anomaly of one image under both statistics the f-AnoGAN networks give.

    Attributes
    ----------
    raw : dict
        ``"izif"``: mean of the top ``top_fraction`` patch scores, image residual + kappa *
        critic-feature residual (Schlegl et al. 2019). ``"critic"``: mean over patches of the
        negated WGAN critic output (how little the patches look like real training patches).
        ``"joint"`` (calibrated models only): Mahalanobis distance of (critic, log izif) to the
        held-out real images, a two-sided test of both.
    probability : float or None
        Calibrated score of the model's configured statistic; None without calibration.
    probabilities : dict
        Calibrated score of each statistic (empty without calibration).
    patch_scores : ndarray (N,)
        izi_f score per patch.
    critic_scores : ndarray (N,)
        Negated critic output per patch.
    positions : list of (y, x)
    residual_map : ndarray (H, W)
        Mean absolute pixel residual |x - G(E(x))| of the patches covering each pixel; NaN where
        no patch was scored (very large images use a sparser grid).
    critic_map : ndarray (H, W)
        Mean negated critic output of the patches covering each pixel (NaN where none).
    """

    raw: dict[str, float]
    probability: float | None
    probabilities: dict[str, float]
    patch_scores: np.ndarray
    critic_scores: np.ndarray
    positions: list[tuple[int, int]]
    residual_map: np.ndarray
    critic_map: np.ndarray
    details: dict[str, float] = field(default_factory=dict)


class AnomalyModel:
    """Generator, critic and encoder plus the settings and calibration to score images.

    Examples
    --------
    >>> m = AnomalyModel.untrained({"patch_size": 16, "width": 16, "z_dim": 8})
    >>> s = m.score_image(np.zeros((40, 40, 3), np.uint8))
    >>> s.residual_map.shape, s.probability is None
    ((40, 40), True)
    """

    def __init__(
        self,
        generator: Generator,
        critic: Critic,
        encoder: Encoder,
        config: dict[str, Any],
        calibration: dict[str, Any] | None = None,
    ) -> None:
        self.generator, self.critic, self.encoder = generator, critic, encoder
        self.config = {**DEFAULT_CONFIG, **config}
        self.calibration = calibration
        for net in (generator, critic, encoder):
            net.eval()
            for p in net.parameters():
                p.requires_grad_(False)

    @classmethod
    def untrained(cls, config: dict[str, Any] | None = None, seed: int = 0) -> AnomalyModel:
        """Fresh random networks with ``config`` (used by training and tests)."""
        cfg = {**DEFAULT_CONFIG, **(config or {})}
        torch.manual_seed(seed)
        return cls(*build_networks(cfg), cfg)

    @property
    def patch_size(self) -> int:
        return int(self.config["patch_size"])

    def state(self) -> dict[str, Any]:
        """Plain dict of tensors and numbers (loadable with ``torch.load(weights_only=True)``)."""
        return {
            "format": "fakescope-anomaly-v1",
            "config": dict(self.config),
            "calibration": dict(self.calibration) if self.calibration else None,
            "generator": self.generator.state_dict(),
            "critic": self.critic.state_dict(),
            "encoder": self.encoder.state_dict(),
        }

    def save(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # float16 halves the shipped file; scoring runs in float32 after loading.
        state = self.state()
        for key in ("generator", "critic", "encoder"):
            state[key] = {
                k: v.half() if v.is_floating_point() else v for k, v in state[key].items()
            }
        torch.save(state, path)

    @classmethod
    def load(cls, path: Path | str) -> AnomalyModel:
        """Load a bundle written by :meth:`save` (or by ``fakescope train anomaly``).

        Raises
        ------
        ValueError
            If the file is not a fakescope anomaly model.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such anomaly model file")
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # torch raises many types for foreign or corrupt files
            raise ValueError(
                f"{path}: not a readable anomaly model ({exc.__class__.__name__})"
            ) from None
        if not isinstance(state, dict) or state.get("format") != "fakescope-anomaly-v1":
            raise ValueError(f"{path}: not a fakescope anomaly model (missing format tag)")
        cfg = {**DEFAULT_CONFIG, **state["config"]}
        generator, critic, encoder = build_networks(cfg)
        for net, key in ((generator, "generator"), (critic, "critic"), (encoder, "encoder")):
            net.load_state_dict(
                {k: v.float() if v.is_floating_point() else v for k, v in state[key].items()}
            )
        return cls(generator, critic, encoder, cfg, state.get("calibration"))

    @torch.no_grad()
    def score_patches(self, x: np.ndarray | torch.Tensor) -> dict[str, np.ndarray]:
        """Scores of model-input patches (Nx3xPxP float in [-1, 1]).

        Returns
        -------
        dict with ``score`` (N,) the izi_f anomaly score, its ``image`` and ``feature`` parts,
        ``critic`` (N,) the negated critic output, and ``residual`` (N, P, P): the per-pixel
        absolute residual averaged over channels.
        """
        t = torch.as_tensor(x, dtype=torch.float32)
        image_res, feat_res, recon = izif_residuals(t, self.generator, self.critic, self.encoder)
        kappa = float(self.config["kappa"])
        return {
            "score": (image_res + kappa * feat_res).numpy(),
            "image": image_res.numpy(),
            "feature": feat_res.numpy(),
            "critic": (-self.critic(t)).numpy(),
            "residual": (t - recon).abs().mean(1).numpy(),
        }

    def score_image(self, image: np.ndarray) -> ImageScore:
        """Score an HxWx3 uint8 RGB image (at least one patch on each side)."""
        return self.score_images([image])[0]

    def score_images(self, images: list[np.ndarray], chunk: int = 1024) -> list[ImageScore]:
        """Score several images with batched forward passes (faster than one by one)."""
        p = self.patch_size
        grids = [
            grid_positions(img.shape[0], img.shape[1], p, int(self.config["max_patches"]))
            for img in images
        ]
        inputs = np.concatenate(
            [
                to_model_input(extract_patches(img, pos, p), self.config["representation"])
                for img, pos in zip(images, grids, strict=True)
            ]
        )
        parts = [self.score_patches(inputs[i : i + chunk]) for i in range(0, len(inputs), chunk)]
        merged = {k: np.concatenate([part[k] for part in parts]) for k in parts[0]}
        results = []
        start = 0
        for img, pos in zip(images, grids, strict=True):
            sl = slice(start, start + len(pos))
            start += len(pos)
            results.append(
                self._image_result(img.shape[:2], pos, {k: v[sl] for k, v in merged.items()})
            )
        return results

    def _image_result(
        self, shape: tuple[int, int], positions: list[tuple[int, int]], s: dict[str, np.ndarray]
    ) -> ImageScore:
        scores = s["score"]
        k = max(1, int(math.ceil(float(self.config["top_fraction"]) * len(scores))))
        raw = {"izif": float(np.sort(scores)[-k:].mean()), "critic": float(s["critic"].mean())}
        probabilities: dict[str, float] = {}
        if self.calibration is not None and "joint_gaussian" in self.calibration:
            raw["joint"] = float(
                mahalanobis(_joint_features([raw]), self.calibration["joint_gaussian"])[0]
            )
        if self.calibration is not None:
            for name in STATISTICS:
                if name in self.calibration:
                    cal = self.calibration[name]
                    probabilities[name] = float(apply_calibration(raw[name], cal))
        details = {
            "izif_score": raw["izif"],
            "critic_score": raw["critic"],
            "joint_distance": raw.get("joint"),
            "image_residual": float(s["image"].mean()),
            "feature_residual": float(s["feature"].mean()),
            "patches": len(scores),
            **{f"probability_{k}": v for k, v in probabilities.items()},
        }
        return ImageScore(
            raw=raw,
            probability=probabilities.get(str(self.config["statistic"])),
            probabilities=probabilities,
            patch_scores=scores,
            critic_scores=s["critic"],
            positions=positions,
            residual_map=residual_map(shape, positions, s["residual"]),
            critic_map=patch_value_map(shape, positions, self.patch_size, s["critic"]),
            details=details,
        )

    def calibrate(self, images: list[np.ndarray]) -> dict[str, Any]:
        """Fit the calibration of every statistic (and heat-map references) on real images.

        ``joint`` is the Mahalanobis distance of (critic score, log izi_f score) to a Gaussian
        fitted on these images: a two-sided one-class test of both statistics at once.

        ``images`` must be normal images the networks were not trained on.
        """
        self.calibration = None  # raw scores only while fitting
        scored = self.score_images(images)
        residual_top = [float(np.nanquantile(s.residual_map, 0.99)) for s in scored]
        critic_patches = np.concatenate([s.critic_scores for s in scored])
        joint = _joint_features([s.raw for s in scored])
        gaussian = fit_gaussian(joint)
        self.calibration = {
            "joint_gaussian": gaussian,
            "joint": fit_calibration(mahalanobis(joint, gaussian), log=False),
            "izif": fit_calibration(np.array([s.raw["izif"] for s in scored]), log=True),
            "critic": fit_calibration(np.array([s.raw["critic"] for s in scored]), log=False),
            # Heat maps are scaled against what typical real images show, so real ones stay dim.
            "residual_reference": float(np.median(residual_top)),
            "critic_patch_median": float(np.median(critic_patches)),
            "critic_patch_high": float(np.quantile(critic_patches, 0.99)),
            "holdout_raw": {
                "izif": [s.raw["izif"] for s in scored],
                "critic": [s.raw["critic"] for s in scored],
            },
        }
        return self.calibration


def _joint_features(raws: list[dict[str, float]]) -> np.ndarray:
    return np.array([[r["critic"], math.log(max(r["izif"], 1e-12))] for r in raws])


def residual_map(
    shape: tuple[int, int], positions: list[tuple[int, int]], residuals: np.ndarray
) -> np.ndarray:
    """Average per-patch residual squares into an HxW map (NaN where no patch lies).

    Examples
    --------
    >>> m = residual_map((4, 6), [(0, 0), (0, 2)], np.stack([np.ones((4, 4)), 3 * np.ones((4, 4))]))
    >>> m[0].tolist()
    [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]
    """
    total = np.zeros(shape, dtype=np.float64)
    count = np.zeros(shape, dtype=np.float64)
    p = residuals.shape[-1]
    for (y, x), r in zip(positions, residuals, strict=True):
        total[y : y + p, x : x + p] += r
        count[y : y + p, x : x + p] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def patch_value_map(
    shape: tuple[int, int], positions: list[tuple[int, int]], patch: int, values: np.ndarray
) -> np.ndarray:
    """Spread one value per patch of a regular grid over the image: each pixel takes the value
    of the patch whose centre is nearest, so a sparse grid (large images) leaves no holes.

    Examples
    --------
    >>> m = patch_value_map((4, 8), [(0, 0), (0, 6)], 2, np.array([1.0, 3.0]))
    >>> m[0].tolist()
    [1.0, 1.0, 1.0, 1.0, 3.0, 3.0, 3.0, 3.0]
    """
    ys = sorted({y for y, _ in positions})
    xs = sorted({x for _, x in positions})
    index = {pos: i for i, pos in enumerate(positions)}
    table = np.array([[values[index[(y, x)]] for x in xs] for y in ys], np.float64)
    rows = _nearest_start(shape[0], np.array(ys) + patch / 2)
    cols = _nearest_start(shape[1], np.array(xs) + patch / 2)
    return table[rows][:, cols]


def _nearest_start(length: int, centres: np.ndarray) -> np.ndarray:
    if len(centres) == 1:
        return np.zeros(length, dtype=np.intp)
    midpoints = (centres[:-1] + centres[1:]) / 2
    return np.searchsorted(midpoints, np.arange(length) + 0.5).astype(np.intp)


def build_networks(config: dict[str, Any]) -> tuple[Generator, Critic, Encoder]:
    """The three networks described by a config dict."""
    p, z, w = int(config["patch_size"]), int(config["z_dim"]), int(config["width"])
    return Generator(z, p, w), Critic(p, w), Encoder(z, p, w)
