"""The ``anomaly`` image detector: f-AnoGAN trained on real photos only."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from fakescope.anomaly.scoring import AnomalyModel, ImageScore
from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.media import Media, MediaError
from fakescope.core.weights import weights_env, weights_file

WEIGHTS_ENV = weights_env("anomaly")
DEFAULT_WEIGHTS = Path(__file__).parent / "weights" / "anomaly.pt"


def default_weights_path() -> Path:
    """Weights used when none are given (:mod:`fakescope.core.weights`): ``--weights
    anomaly=PATH``, ``$FAKESCOPE_ANOMALY_WEIGHTS`` (a file or the ``train anomaly --out`` folder),
    or the shipped model."""
    return weights_file(
        "anomaly", DEFAULT_WEIGHTS.name, DEFAULT_WEIGHTS.parent, single_file=True, required=False
    )


class AnomalyDetector:
    """Score how unlike the learned real images a picture is, with a residual heat map.

    Parameters
    ----------
    weights : str or Path, optional
        A model written by ``fakescope train anomaly`` (``OUT/anomaly.pt``). Defaults to
        ``$FAKESCOPE_ANOMALY_WEIGHTS``, then the model shipped with fakescope.

    Examples
    --------
    >>> det = AnomalyDetector()  # doctest: +SKIP
    >>> det.score(media).score  # doctest: +SKIP
    0.07
    """

    name = "anomaly"
    modality = "image"
    abilities = {"weights": "anomaly"}  # see fakescope.testing

    def __init__(self, weights: str | Path | None = None) -> None:
        path = weights_file(
            "anomaly", DEFAULT_WEIGHTS.name, DEFAULT_WEIGHTS.parent, weights=weights,
            single_file=True, required=False,
        )  # fmt: skip
        try:
            self.model = AnomalyModel.load(path)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"{path}: anomaly model not found; train one with `fakescope train anomaly "
                f"--real DIR` and pass OUT/anomaly.pt (or set {WEIGHTS_ENV})"
            ) from None
        if self.model.calibration is None:
            raise ValueError(f"{path}: the anomaly model has no calibration; retrain it to finish")
        self.weights = str(path)

    def torch_module(self):
        """The critic statistic as a differentiable ``torch.nn.Module`` (for attacks).

        Input: ``(N, 3, H, W)`` RGB in [0, 1] (each side at least one patch); output: ``(N,)``
        calibrated log-odds, so that ``sigmoid(output)`` is :meth:`score`'s probability: the
        same patch grid and residual representation, the negated critic averaged over patches,
        then the calibration's logistic map. Only models whose statistic is ``critic`` (the
        shipped one) have it; the izi_f statistics go through the encoder and generator.

        Examples
        --------
        >>> import torch
        >>> AnomalyDetector().torch_module()(torch.rand(1, 3, 64, 64)).shape  # doctest: +SKIP
        torch.Size([1])
        """
        import torch
        from torch import nn

        from fakescope.anomaly.patches import grid_positions

        model, cfg = self.model, self.model.config
        if cfg["statistic"] != "critic" or cfg["representation"] != "residual":
            raise ValueError(
                f"{self.weights}: torch_module needs the critic statistic on residual patches "
                f"(this model uses {cfg['statistic']} on {cfg['representation']})"
            )
        cal = (model.calibration or {})["critic"]
        p = model.patch_size

        class CriticStatistic(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.critic = model.critic

            def forward(self, x):
                h, w = x.shape[-2:]
                pos = grid_positions(h, w, p, int(cfg["max_patches"]))
                patches = torch.stack([x[:, :, y : y + p, x0 : x0 + p] for y, x0 in pos], 1)
                patches = patches.flatten(0, 1) * 255.0  # (N * patches, 3, p, p), 0..255
                box = nn.functional.avg_pool2d(
                    nn.functional.pad(patches, (1, 1, 1, 1), mode="replicate"), 3, stride=1
                )
                r = patches - box
                spread = r.pow(2).mean(dim=(1, 2, 3), keepdim=True).sqrt() + 1.0
                inputs = (r / spread / 3.0).clamp(-1.0, 1.0)
                raw = (-self.critic(inputs)).view(x.shape[0], len(pos)).mean(dim=1)
                if cal.get("log", True):
                    raw = torch.log(raw.clamp_min(1e-12))
                return ((raw - cal["center"]) / cal["scale"]).clamp(-50, 50)

        return CriticStatistic().eval()

    def score(self, media: Media) -> Evidence:
        return self.score_batch([media])[0]

    def score_batch(self, medias: list[Media]) -> list[Evidence]:
        """Score several images with shared forward passes (what the Scanner calls)."""
        results: list[Evidence | None] = [None] * len(medias)
        todo: list[int] = []
        for i, media in enumerate(medias):
            image = _as_rgb(media)
            p = self.model.patch_size
            if image.shape[0] < p or image.shape[1] < p:
                results[i] = Evidence(
                    self.name, None, f"too small to judge (needs at least {p}x{p} pixels)"
                )
            else:
                todo.append(i)
        if todo:
            scores = self.model.score_images([_as_rgb(medias[i]) for i in todo])
            for i, s in zip(todo, scores, strict=True):
                results[i] = self._evidence(_as_rgb(medias[i]), s)
        return [r for r in results if r is not None]

    def _evidence(self, image: np.ndarray, s: ImageScore) -> Evidence:
        from fakescope.anomaly.heatmap import overlay_png, render_overlay, scale_map

        cal = self.model.calibration or {}
        prob = float(s.probability)
        if prob >= 0.5:
            reason = "Its fine pixel texture is unlike any of the real photos the model learned."
        elif prob >= 0.25:
            reason = "Its fine pixel texture is unusual for a real photo, but not far off."
        else:
            reason = "Its fine pixel texture looks like the real photos the model learned."
        # Pictures are drawn only where a person looks (HTML report, service), not in scan --json.
        critic_map = scale_map(s.critic_map, cal["critic_patch_median"], cal["critic_patch_high"])
        critic_picture = partial(render_overlay, image, critic_map)
        reference = cal.get("residual_reference")
        residual_picture = partial(overlay_png, image, s.residual_map, reference)
        details = {
            **s.details,
            "statistic": self.model.config["statistic"],
            "representation": self.model.config["representation"],
            "max_patch_score": float(np.max(s.patch_scores)),
        }
        return Evidence(
            self.name,
            prob,
            reason,
            artefacts=[
                Artefact(
                    "image",
                    "Patches the f-AnoGAN critic finds unlike real photos (bright = less real)",
                    render=critic_picture,
                ),
                Artefact(
                    "image",
                    "f-AnoGAN residual |x - G(E(x))| (bright = not reproducible by the model "
                    "of real photos)",
                    render=residual_picture,
                ),
            ],
            details=details,
        )


def _as_rgb(media: Media) -> np.ndarray:
    data = media.data
    if not isinstance(data, np.ndarray) or data.ndim != 3 or data.shape[2] != 3:
        raise MediaError(media.path, "is not an RGB image the anomaly detector can read")
    if data.dtype != np.uint8:
        data = np.clip(data, 0, 255).astype(np.uint8)
    return data
