from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fakescope.anomaly.dataset import list_images, load_folder, read_rgb, split_holdout
from fakescope.core.media import MediaError


def test_list_images_recursive_and_sorted(photo_folder: Path) -> None:
    (photo_folder / "notes.txt").write_text("not an image")
    files = list_images(photo_folder)
    assert len(files) == 6
    assert files == sorted(files)


def test_list_images_errors(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="not a folder"):
        list_images(tmp_path / "missing")
    with pytest.raises(MediaError, match="no image files"):
        list_images(tmp_path)


def test_read_rgb_crops_without_resizing(tmp_path: Path) -> None:
    arr = np.random.default_rng(0).integers(0, 256, (30, 50), dtype=np.uint8)
    Image.fromarray(arr).save(tmp_path / "grey.png")
    rgb = read_rgb(tmp_path / "grey.png", max_side=20)
    assert rgb.shape == (20, 20, 3)
    assert np.array_equal(rgb[..., 0], arr[5:25, 15:35])


def test_bad_files_are_skipped_with_reasons(photo_folder: Path) -> None:
    (photo_folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(photo_folder / "tiny.png")
    images, skipped = load_folder(photo_folder, patch=32)
    assert len(images) == 6
    assert any("broken.png" in s and "cannot be read" in s for s in skipped)
    assert any("tiny.png" in s and "smaller" in s for s in skipped)
    assert photo_folder.joinpath("broken.png").exists()  # never touches user files


def test_split_holdout_is_disjoint_and_deterministic() -> None:
    a = split_holdout(50, 0.1, seed=3)
    b = split_holdout(50, 0.1, seed=3)
    assert np.array_equal(a[0], b[0]) and len(a[1]) == 5
    assert not set(a[0]) & set(a[1])
    with pytest.raises(ValueError, match="at least 3"):
        split_holdout(2, 0.1, seed=0)
