"""The ``anomaly`` image detector: f-AnoGAN trained on real photos only."""

from __future__ import annotations

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
        critic_png = render_overlay(
            image,
            scale_map(s.critic_map, cal["critic_patch_median"], cal["critic_patch_high"]),
        )
        residual_png = overlay_png(image, s.residual_map, cal.get("residual_reference"))
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
                    png=critic_png,
                ),
                Artefact(
                    "image",
                    "f-AnoGAN residual |x - G(E(x))| (bright = not reproducible by the model "
                    "of real photos)",
                    png=residual_png,
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
