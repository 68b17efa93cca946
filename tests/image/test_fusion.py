"""Image fusion: learnt pixel fusion plus additive metadata log-odds."""

from __future__ import annotations

from pathlib import Path

from fakescope.core.evidence import Evidence
from fakescope.core.fusion import LogisticFuser
from fakescope.image.fusion import ImageFuser, load_image_fuser


def _fuser() -> ImageFuser:
    return ImageFuser(LogisticFuser(coef={"spectrum": 1.0, "residual-cnn": 1.0}, intercept=0.0))


def test_named_generator_dominates_clean_pixels() -> None:
    ev = [Evidence("spectrum", 0.2, ""), Evidence("residual-cnn", 0.2, ""),
          Evidence("metadata", 0.97, "", weight=3.0)]  # fmt: skip
    assert _fuser().fuse(ev) > 0.9


def test_camera_metadata_only_nudges_towards_real() -> None:
    pixels = [Evidence("spectrum", 0.3, ""), Evidence("residual-cnn", 0.3, "")]
    base = _fuser().fuse(pixels)
    nudged = _fuser().fuse(pixels + [Evidence("metadata", 0.35, "", weight=0.3)])
    assert base - 0.05 < nudged < base


def test_absent_metadata_changes_nothing() -> None:
    pixels = [Evidence("spectrum", 0.3, ""), Evidence("residual-cnn", 0.3, "")]
    neutral = Evidence("metadata", 0.5, "no provenance metadata", weight=0.15)
    assert abs(_fuser().fuse(pixels + [neutral]) - _fuser().fuse(pixels)) < 1e-12


def test_abstentions_and_metadata_only() -> None:
    f = _fuser()
    assert f.fuse([Evidence("spectrum", None, "too small")]) is None
    assert f.fuse([Evidence("metadata", 0.97, "", weight=3.0)]) > 0.9


def test_round_trip(tmp_path: Path) -> None:
    f = _fuser()
    f.save(tmp_path / "fusion.json")
    back = load_image_fuser(tmp_path / "fusion.json")
    ev = [Evidence("spectrum", 0.8, ""), Evidence("residual-cnn", 0.6, "")]
    assert back is not None and abs(back.fuse(ev) - f.fuse(ev)) < 1e-12
    assert back.thresholds == f.thresholds
    assert load_image_fuser(tmp_path / "missing.json") is None
