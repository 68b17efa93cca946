import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fakescope.service.settings import ServiceSettings
from fakescope.service.uploads import (
    StagedFile,
    Staging,
    UploadRefused,
    check_content,
    display_name,
    reap_legacy_temp_folders,
    save_upload,
)


@pytest.fixture
def limits(tmp_path):
    return ServiceSettings(data_dir=tmp_path, max_upload_mb=0.01, max_image_megapixels=1.0)


@pytest.mark.parametrize(
    "name", ["../x.png", "a/b.png", "a\\b.png", "..", "x\n.png", "\x00.png", "/etc/passwd"]
)
def test_names_with_paths_or_control_characters_are_refused(name):
    with pytest.raises(UploadRefused) as info:
        display_name(name, 0)
    assert info.value.status == 400


def test_the_server_picks_the_stored_name(tmp_path, limits):
    staged = save_upload(io.BytesIO(b"TOY1 0.5"), "my photo (1).toy", tmp_path, 7, limits)
    assert staged.path == tmp_path / "0007.toy" and staged.name == "my photo (1).toy"
    odd = save_upload(io.BytesIO(b"TOY1 0.5"), "x.to y", tmp_path, 8, limits)
    assert odd.path == tmp_path / "0008"  # an odd extension is dropped, content decides


def test_size_limit_names_the_file(tmp_path, limits):
    with pytest.raises(UploadRefused, match="big.toy: larger than the 0.01 MB limit") as info:
        save_upload(io.BytesIO(b"TOY1 " + b"1" * 20_000), "big.toy", tmp_path, 0, limits)
    assert info.value.status == 413


def test_types_are_checked_by_content_not_by_name(tmp_path, limits):
    # A toy file called .png is read as what it is (content sniffing)...
    save_upload(io.BytesIO(b"TOY1 0.5"), "looks.png", tmp_path, 0, limits)
    # ...and bytes no loader reads are refused whatever their name.
    with pytest.raises(UploadRefused, match="unsupported file type") as info:
        save_upload(io.BytesIO(b"\x7fELF\x02\x01"), "tool.exe", tmp_path, 1, limits)
    assert info.value.status == 415


def test_images_over_the_pixel_limit_are_refused_from_the_header(tmp_path, limits):
    big = tmp_path / "big.png"
    Image.fromarray(np.zeros((1200, 1000), np.uint8)).save(big)  # 1.2 Mpx > 1 Mpx
    staged = StagedFile("big.png", big, "0" * 64, big.stat().st_size)
    with pytest.raises(UploadRefused, match=r"1000x1200 pixels \(1 Mpx\) is over the 1 Mpx"):
        check_content(staged, limits)
    Image.fromarray(np.zeros((900, 1000), np.uint8)).save(big)  # 0.9 Mpx passes
    check_content(StagedFile("big.png", big, "0" * 64, big.stat().st_size), limits)


def test_staging_of_a_killed_server_is_removed_at_start(tmp_path):
    root = tmp_path / "uploads"
    # A server process that stages a file and is then killed with SIGKILL.
    code = (
        "import sys, time; from pathlib import Path; from fakescope.service.uploads import Staging;"
        "s = Staging(Path(sys.argv[1])); (s.job_dir('j') / '0000.png').write_bytes(b'user data');"
        "print(s.instance, flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE)
    dead = proc.stdout.readline().decode().strip()
    live = Staging(root)
    assert live.reap() == []  # still running: its lock is held
    proc.kill()
    proc.wait()
    assert (root / dead / "j" / "0000.png").exists()
    assert live.reap() == [dead] and not (root / dead).exists()
    assert live.dir.exists()
    live.close()
    assert not live.dir.exists()


def test_legacy_temp_folders_are_cleaned(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = tmp_path / "fakescope-upload-abc"
    old.mkdir()
    (old / "0000-photo.png").write_bytes(b"x")
    past = time.time() - 7200
    os.utime(old, (past, past))
    fresh = tmp_path / "fakescope-upload-new"
    fresh.mkdir()
    assert reap_legacy_temp_folders() == 1
    assert not old.exists() and fresh.exists()
    assert Path(tempfile.gettempdir()) == tmp_path
