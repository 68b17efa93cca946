"""Pictures scanned from memory, and the verdicts on pictures no content detector can judge."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fakescope.core.media import MediaError
from fakescope.core.pipeline import Scanner
from fakescope.image.memory import image_from_object


def test_pil_images_and_arrays_convert(photo: np.ndarray) -> None:
    [from_array] = image_from_object(photo, "<array #1>")
    [from_pil] = image_from_object(Image.fromarray(photo), "<image #1>")
    np.testing.assert_array_equal(from_array.data, photo)
    np.testing.assert_array_equal(from_pil.data, photo)
    assert from_pil.metadata["source"] == "memory"
    assert image_from_object("not a picture", "x") is None
    with pytest.raises(MediaError, match="not a picture"):
        image_from_object(np.zeros(10), "<array #1>")


def test_scanner_reads_pictures_in_memory_like_files(tmp_path: Path, photo: np.ndarray) -> None:
    path = tmp_path / "p.png"
    Image.fromarray(photo).save(path)
    scanner = Scanner(detectors=["spectrum"])
    [from_file] = scanner.scan_one(str(path))
    [from_pil] = scanner.scan_one(Image.open(path))
    [from_array] = scanner.scan_one(photo)
    [from_bytes] = scanner.scan_one(path.read_bytes())
    assert from_file.score == pytest.approx(from_pil.score)
    assert from_file.score == pytest.approx(from_array.score)
    assert from_file.score == pytest.approx(from_bytes.score)
    assert [from_pil.path, from_array.path, from_bytes.path] == [
        "<image #1>",
        "<array #1>",
        "<bytes #1>",
    ]


def test_tiny_pictures_are_too_small_to_judge(tmp_path: Path) -> None:
    # Before: both pixel detectors abstained and the metadata score alone said "likely
    # synthetic" for every 8x8 PNG.
    rng = np.random.default_rng(0)
    path = tmp_path / "tiny.png"
    Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)).save(path)
    [report] = Scanner().scan_one(str(path))
    assert report.error is None and report.score is None
    assert report.verdict.startswith("too small to judge")
    assert report.detector_scores["metadata"] is not None


def test_flat_pictures_get_no_score(tmp_path: Path) -> None:
    # Before: a uniform picture scored 1.00 ("likely synthetic").
    path = tmp_path / "white.png"
    Image.new("RGB", (256, 256), (255, 255, 255)).save(path)
    [report] = Scanner().scan_one(str(path))
    assert report.error is None and report.score is None
    assert report.verdict.startswith("flat image")
    assert "spectrum" not in report.detector_scores
