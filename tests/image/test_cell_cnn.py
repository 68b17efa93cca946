"""What residual-cnn and robust-cnn share (:mod:`fakescope.image.cell_cnn`)."""

from __future__ import annotations

import numpy as np
import torch

from fakescope.core.media import Media
from fakescope.image.cell_cnn import CellGridDetector, centre_crop, pool_logits


class _Constant(CellGridDetector):
    """A cell CNN whose every cell says ``logit``: the shared code on its own."""

    name = "constant-cnn"
    max_side = 64
    even_crop = True
    batch_size = 2
    heat_map_title = "Constant heat map"
    reasons = {"regions": "R", "generated": "G", "camera": "C", "ambiguous": "A"}

    def __init__(self, logit: float) -> None:
        self.scale, self.bias = 1.0, 0.0
        self.model = lambda x: torch.full(
            (x.shape[0], 1, x.shape[2] // 16, x.shape[3] // 16), logit
        )

    def extra_details(self) -> dict:
        return {"constant": True}


def _media(h: int, w: int) -> Media:
    return Media("x.png", "image", np.zeros((h, w, 3), np.uint8), {})


def test_centre_crop_bounds_and_trims() -> None:
    img = np.zeros((41, 300, 3), np.uint8)
    assert centre_crop(img, 64, even=True).shape == (40, 64, 3)
    assert centre_crop(img, 64).shape == (41, 64, 3)


def test_pool_logits_counts_the_top_eighth() -> None:
    cells = torch.zeros(1, 1, 4, 4)
    cells[0, 0, 0, :2] = 8.0  # two of sixteen cells: the top eighth
    assert float(pool_logits(cells)[0]) == 0.5 * 1.0 + 0.5 * 8.0


def test_reasons_follow_the_score_and_details_are_extended() -> None:
    media = [_media(64, 64), _media(80, 48), _media(20, 200), _media(64, 64)]
    generated = _Constant(3.0).score_batch(media)
    assert [e.reason for e in generated][:2] == ["G", "G"] and generated[2].score is None
    assert "too small" in generated[2].reason and len(generated) == 4
    assert generated[0].details["constant"] and generated[0].details["grid"] == [4, 4]
    assert _Constant(-3.0).score(_media(64, 64)).reason == "C"
    assert _Constant(0.0).score(_media(64, 64)).reason == "A"


def test_heat_map_is_drawn_only_when_asked() -> None:
    [art] = _Constant(3.0).score(_media(64, 64)).artefacts
    assert art.title == "Constant heat map" and art.png is None
    assert art.picture().startswith(b"\x89PNG")


def test_torch_module_matches_score() -> None:
    det = _Constant(1.5)
    logit = float(det.torch_module()(torch.zeros(1, 3, 70, 90))[0])
    assert np.isclose(1 / (1 + np.exp(-logit)), det.score(_media(70, 90)).score)
