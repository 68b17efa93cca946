import pytest

from fakescope.audio import weights_io


def test_env_folder_and_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv(weights_io.ENV, str(tmp_path))
    assert weights_io.weights_dir() == tmp_path
    with pytest.raises(FileNotFoundError, match="fakescope train audio"):
        weights_io.weights_path("nothing.npz")
    monkeypatch.delenv(weights_io.ENV)
    assert weights_io.weights_dir() == weights_io.SHIPPED


def test_shipped_weights_exist_and_are_small():
    names = {p.name for p in weights_io.SHIPPED.iterdir()}
    assert {"content.npz", "lfcc_gmm.npz", "spec_cnn.pt", "music.npz", "fuser.json"} <= names
    total = sum(p.stat().st_size for p in weights_io.SHIPPED.iterdir())
    assert total < 20 * 1024 * 1024
