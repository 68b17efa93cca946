from __future__ import annotations

import numpy as np
import pytest
import torch

from fakescope.robustness.fooling import (
    CPPNEncoding,
    DirectEncoding,
    evolve,
    fooling_images,
    gradient_ascent,
)


def brightness(x: torch.Tensor) -> torch.Tensor:
    """A toy detector: bright images are "machine-made"."""
    return (x.mean(dim=(1, 2, 3)) - 0.5) * 40


@pytest.mark.parametrize("encoding", [DirectEncoding(size=8), CPPNEncoding(size=8, hidden=4)])
@pytest.mark.parametrize("direction", ["real", "synthetic"])
def test_evolution_finds_confident_images_both_ways(encoding, direction):
    found = evolve(encoding, brightness, direction, population=6, generations=60, seed=0)
    assert found.confidence >= 0.99
    assert found.image.shape == (3, 8, 8)
    assert (found.logit > 0) == (direction == "synthetic")
    # 8-bit pixels, as a saved PNG holds them
    assert torch.equal((found.image * 255).round(), found.image * 255)


def test_evolution_stops_early_and_validates_direction():
    found = evolve(DirectEncoding(size=4), lambda x: torch.full((len(x),), 10.0), "synthetic")
    assert found.generations == 0
    with pytest.raises(ValueError, match="direction"):
        evolve(DirectEncoding(size=4), brightness, "fake")


def test_encodings_mutate_and_stay_in_range():
    rng = np.random.default_rng(0)
    for enc in (DirectEncoding(size=6), CPPNEncoding(size=6)):
        g = enc.random(rng)
        img = enc.render([g, enc.mutate(g, rng)])
        assert img.shape == (2, 3, 6, 6) and img.min() >= 0 and img.max() <= 1
        assert not torch.equal(img[0], img[1])


def test_gradient_ascent_both_ways():
    img, logit = gradient_ascent(brightness, "synthetic", size=8, steps=20)
    assert logit > 5 and img.shape == (3, 8, 8)
    _, logit = gradient_ascent(brightness, "real", size=8, steps=20)
    assert logit < -5


def test_fooling_images_are_uint8_arrays():
    items = fooling_images(brightness, "direct", "real", 2, size=8, generations=20)
    assert len(items) == 2 and items[0]["image"].dtype == np.uint8
    assert items[0]["image"].shape == (8, 8, 3)
