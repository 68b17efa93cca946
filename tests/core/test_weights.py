from pathlib import Path

import pytest

from fakescope.core import weights
from fakescope.core.weights import (
    WeightsError,
    output_file,
    refuse_overwrite,
    use_weights,
    user_weights_dir,
    using_weights,
    weights_env,
    weights_file,
    weights_folder,
    weights_source,
)


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    for name in ("FAKESCOPE_DEMO_WEIGHTS", "FAKESCOPE_DEMO_OLD"):
        monkeypatch.delenv(name, raising=False)
    yield
    use_weights("demo", None)


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "shipped"
    folder.mkdir()
    (folder / "a.npz").write_bytes(b"shipped")
    return folder


def test_shipped_weights_are_the_default(shipped):
    assert weights_source("demo") is None
    assert weights_file("demo", "a.npz", shipped) == shipped / "a.npz"
    assert weights_folder("demo", shipped) == shipped


def test_env_folder_beats_shipped_and_a_missing_file_is_not_taken_from_shipped(
    shipped, tmp_path, monkeypatch
):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "a.npz").write_bytes(b"mine")
    monkeypatch.setenv(weights_env("demo"), str(mine))
    assert weights_file("demo", "a.npz", shipped) == mine / "a.npz"
    assert weights_folder("demo", shipped) == mine
    (shipped / "b.npz").write_bytes(b"shipped only")
    with pytest.raises(WeightsError, match="has no b.npz"):
        weights_file("demo", "b.npz", shipped)


def test_command_line_beats_env(shipped, tmp_path, monkeypatch):
    env_dir, cli_dir = tmp_path / "env", tmp_path / "cli"
    env_dir.mkdir(), cli_dir.mkdir()
    monkeypatch.setenv(weights_env("demo"), str(env_dir))
    with using_weights("demo", cli_dir):
        assert weights_source("demo") == cli_dir
    assert weights_source("demo") == env_dir


def test_explicit_argument_beats_everything(shipped, tmp_path):
    f = tmp_path / "x.json"
    f.write_text("{}")
    with using_weights("demo", shipped):
        assert weights_file("demo", "a.npz", shipped, weights=f, single_file=True) == f


def test_file_location_only_for_single_file_modalities(shipped, tmp_path, monkeypatch):
    f = tmp_path / "custom-name.pt"
    f.write_bytes(b"x")
    monkeypatch.setenv(weights_env("demo"), str(f))
    assert weights_file("demo", "model.pt", shipped, single_file=True) == f
    with pytest.raises(WeightsError, match="reads several weights files"):
        weights_file("demo", "a.npz", shipped)
    with pytest.raises(WeightsError, match="folder"):
        weights_folder("demo", shipped)


def test_missing_user_location_is_a_clear_error(shipped, tmp_path, monkeypatch):
    monkeypatch.setenv(weights_env("demo"), str(tmp_path / "nowhere"))
    with pytest.raises(WeightsError, match="nowhere.*FAKESCOPE_DEMO_WEIGHTS"):
        weights_file("demo", "a.npz", shipped)
    with pytest.raises(WeightsError, match="no such"):
        use_weights("demo", tmp_path / "nowhere")


def test_legacy_env_still_read(shipped, tmp_path, monkeypatch):
    f = tmp_path / "old.json"
    f.write_text("{}")
    monkeypatch.setenv("FAKESCOPE_DEMO_OLD", str(f))
    assert (
        weights_file("demo", "a.json", shipped, single_file=True, legacy_env="FAKESCOPE_DEMO_OLD")
        == f
    )


def test_user_weights_dir_is_outside_the_package(monkeypatch, tmp_path):
    import fakescope

    monkeypatch.delenv(weights.DATA_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    package = Path(fakescope.__file__).resolve().parent
    target = user_weights_dir("image")
    assert package not in target.resolve().parents
    assert target.is_absolute() and target.parts[-3:] == ("fakescope", "weights", "image")
    monkeypatch.setenv(weights.DATA_ENV, str(tmp_path / "data"))
    assert user_weights_dir("audio") == tmp_path / "data" / "weights" / "audio"


def test_output_file_and_refuse_overwrite(tmp_path):
    assert output_file(tmp_path / "m.json", "temporal.json") == tmp_path / "m.json"
    assert output_file(tmp_path, "temporal.json") == tmp_path / "temporal.json"
    existing = tmp_path / "w.npz"
    existing.write_bytes(b"x")
    with pytest.raises(FileExistsError, match="--overwrite"):
        refuse_overwrite([existing, tmp_path / "new.npz"], overwrite=False)
    refuse_overwrite([existing], overwrite=True)


def test_explicit_file_argument_is_used_whatever_its_name(shipped, tmp_path):
    f = tmp_path / "my-spectrum.npz"
    f.write_bytes(b"x")
    assert weights_file("demo", "a.npz", shipped, weights=f) == f
