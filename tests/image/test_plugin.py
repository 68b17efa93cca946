"""The image plugin through the core: registration, the detector contract, and a scan of a
folder with good and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fakescope.core.media import MediaError
from fakescope.core.pipeline import Scanner
from fakescope.core.registry import create_detector, detector_specs, get_fuser
from fakescope.image.loader import load_image

IMAGE_DETECTORS = ["spectrum", "residual-cnn", "backbone-probe", "metadata"]
DEFAULT_DETECTORS = ["backbone-probe", "metadata"]


def test_registered() -> None:
    names = {s.name for s in detector_specs("image")}
    assert set(IMAGE_DETECTORS) <= names
    defaults = {s.name for s in detector_specs("image") if s.default}
    # The provenance plugin adds the `watermark` detector; it enters the fuser additively.
    assert defaults - {"watermark"} == set(DEFAULT_DETECTORS)
    lazy = get_fuser("image")
    assert lazy is not None
    fuser = getattr(lazy, "fuser", lazy)  # the registry holds a lazy loader
    # The shipped fusion is fitted for exactly the default pixel detectors, and has a variant
    # for every opt-in combination it documents: nothing counts for 0 without saying so.
    assert set(fuser.pixel.coef) == set(DEFAULT_DETECTORS) - {"metadata"}
    assert {"spectrum", "residual-cnn", "backbone-probe"} in [set(v.coef) for v in fuser.variants]


@pytest.mark.parametrize("name", IMAGE_DETECTORS)
def test_detector_contract(name: str, jpeg_with_camera_exif: Path) -> None:
    det = create_detector(name)
    assert det.name == name and det.modality == "image"
    [media] = load_image(jpeg_with_camera_exif)
    a, b = det.score(media), det.score(media)
    assert a.detector == name and a.score is not None and 0.0 <= a.score <= 1.0
    assert a.score == b.score  # deterministic
    json.dumps(a.to_dict())
    assert a.reason and len(a.reason) < 120


def test_scan_folder_with_bad_files(tmp_path: Path, photo: np.ndarray, png_bytes: bytes) -> None:
    Image.fromarray(photo).save(tmp_path / "good.png")
    Image.fromarray(photo).save(tmp_path / "jpeg_named.png", format="JPEG")
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "cut.png").write_bytes(png_bytes[:300])
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    reports = {Path(r.path).name: r for r in Scanner().scan([str(tmp_path)])}
    assert reports["good.png"].error is None and reports["good.png"].score is not None
    assert set(DEFAULT_DETECTORS) <= set(reports["good.png"].detector_scores)
    assert reports["jpeg_named.png"].error is None
    assert "empty" in reports["empty.jpg"].error
    assert "truncated" in reports["cut.png"].error or "corrupt" in reports["cut.png"].error
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing written


def test_generator_metadata_raises_fused_score(
    png_with_sd_parameters: Path, tmp_path: Path, photo: np.ndarray
) -> None:
    plain = tmp_path / "plain.png"
    Image.fromarray(photo).save(plain)
    scanner = Scanner()
    [sd], [clean] = scanner.scan([str(png_with_sd_parameters)]), scanner.scan([str(plain)])
    assert sd.score > 0.9 and sd.score > clean.score


def test_loader_errors_name_the_file(tmp_path: Path) -> None:
    p = tmp_path / "x.gif"
    p.write_bytes(b"GIF89a" + b"\x00" * 5)
    with pytest.raises(MediaError) as err:
        load_image(p)
    assert str(err.value).startswith(str(p))
