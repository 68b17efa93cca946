"""``spectrum`` detector with the shipped weights, on real pixels."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from fakescope.core.media import Media
from fakescope.image.spectrum import SpectrumDetector


@pytest.fixture(scope="module")
def detector() -> SpectrumDetector:
    return SpectrumDetector()


def _media(rgb: np.ndarray, name: str = "x.png") -> Media:
    return Media(name, "image", rgb, {"format": "PNG"})


def test_upsampled_scores_higher_than_photo(
    detector: SpectrumDetector, make_photo, make_upsampled
) -> None:
    photos = [make_photo(seed=s) for s in range(4)]
    real = [detector.score(_media(p)).score for p in photos]
    fake = [detector.score(_media(make_upsampled(p, 3))).score for p in photos]
    assert np.mean(fake) > np.mean(real)
    assert sum(f > r for f, r in zip(fake, real, strict=True)) >= 3


def test_evidence_has_spectrum_plot_and_is_json(detector: SpectrumDetector, photo) -> None:
    ev = detector.score(_media(photo))
    assert 0.0 <= ev.score <= 1.0 and ev.reason
    [art] = ev.artefacts
    assert art.kind == "image" and Image.open(io.BytesIO(art.picture())).format == "PNG"
    json.dumps(ev.to_dict())


def test_batch_matches_single_and_is_deterministic(
    detector: SpectrumDetector, photo, make_upsampled
) -> None:
    medias = [_media(photo), _media(make_upsampled(photo)), _media(photo[:100, :80])]
    batch = detector.score_batch(medias)
    single = [detector.score(m) for m in medias]
    assert [e.score for e in batch] == pytest.approx([e.score for e in single], abs=1e-9)


def test_too_small_abstains(detector: SpectrumDetector) -> None:
    ev = detector.score(_media(np.zeros((40, 40, 3), np.uint8)))
    assert ev.score is None and "too small" in ev.reason


def test_missing_weights_message(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="fakescope train image"):
        SpectrumDetector(tmp_path / "nope.npz")
