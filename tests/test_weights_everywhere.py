"""Every modality finds its weights the same way (core/weights.py), and every training command
writes to the user data folder by default, never into the package, and never overwrites."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from fakescope.core.registry import create_detector, get_fuser
from fakescope.core.weights import WeightsError, user_weights_dir, using_weights, weights_env


def _spectrum():
    return create_detector("spectrum")


def _lfcc():
    return create_detector("lfcc-gmm")


def _anomaly():
    return create_detector("anomaly")


def _text():
    from fakescope.text.calibration import clear_weights_cache, load_weights

    clear_weights_cache()
    return load_weights()


def _video():
    from fakescope.video.consistency import load_shipped

    return load_shipped()


LOADERS = {
    "image": _spectrum,
    "audio": _lfcc,
    "anomaly": _anomaly,
    "text": _text,
    "video": _video,
}


@pytest.mark.parametrize("how", ["option", "env"])
@pytest.mark.parametrize("modality", sorted(LOADERS))
def test_an_empty_user_folder_is_used_and_named(modality, how, tmp_path, monkeypatch):
    empty = tmp_path / "my-weights"
    empty.mkdir()
    load = LOADERS[modality]
    load()  # the shipped weights load
    if how == "env":
        monkeypatch.setenv(weights_env(modality), str(empty))
        with pytest.raises(FileNotFoundError, match="my-weights"):
            load()
    else:
        with using_weights(modality, empty), pytest.raises(FileNotFoundError, match="my-weights"):
            load()
    monkeypatch.delenv(weights_env(modality), raising=False)
    load()  # and the shipped ones again afterwards


def test_a_file_for_a_multi_file_modality_is_refused(tmp_path):
    f = tmp_path / "spectrum.bin"
    f.write_bytes(b"x")
    with using_weights("image", f), pytest.raises(WeightsError, match="several weights files"):
        _spectrum()


def test_the_image_fuser_follows_the_weights_in_use(tmp_path):
    from fakescope.image import SHIPPED_WEIGHTS

    mine = tmp_path / "image"
    shutil.copytree(SHIPPED_WEIGHTS, mine)
    data = json.loads((mine / "fusion.json").read_text())
    data["pixel"]["thresholds"] = [0.11, 0.77]
    (mine / "fusion.json").write_text(json.dumps(data))
    shipped = tuple(get_fuser("image").thresholds)
    with using_weights("image", mine):
        assert tuple(get_fuser("image").thresholds) == (0.11, 0.77)
    assert tuple(get_fuser("image").thresholds) == shipped


def _app(fn):
    app = typer.Typer()
    app.command("run")(fn)
    app.command("noop")(lambda: None)  # keep typer in multi-command mode
    return app


def _train_commands():
    from fakescope.anomaly.commands import train_command as train_anomaly
    from fakescope.audio.commands import train_audio
    from fakescope.image.training import train_command as train_image
    from fakescope.text.commands import train_text
    from fakescope.video.commands import train_video

    return {
        # modality: (command, arguments, a file the default output holds)
        "image": (train_image, ["--real", "{data}"], "spectrum.npz"),
        "audio": (train_audio, ["--fsdd", "{data}", "--tts", "{data}"], "lfcc_gmm.npz"),
        "anomaly": (train_anomaly, ["--real", "{data}"], "anomaly.pt"),
        "text": (
            train_text,
            ["--human", "{data}/h.txt", "--machine", "{data}/m.txt"],
            "fusion.json",
        ),
        "video": (train_video, ["--real", "{data}"], "temporal.json"),
    }


@pytest.mark.parametrize("modality", ["image", "audio", "anomaly", "text", "video"])
def test_training_defaults_to_the_user_folder_and_never_overwrites(modality, tmp_path, monkeypatch):
    import fakescope

    monkeypatch.setenv("FAKESCOPE_DATA_DIR", str(tmp_path / "home"))
    command, args, name = _train_commands()[modality]
    target = user_weights_dir(modality)
    package = Path(fakescope.__file__).resolve().parent
    assert package not in target.resolve().parents and tmp_path in target.parents
    target.mkdir(parents=True)
    (target / name).write_bytes(b"the user's earlier weights")
    data = tmp_path / "data"
    data.mkdir()
    argv = ["run", *(a.format(data=data) for a in args)]
    result = CliRunner().invoke(_app(command), argv)
    assert result.exit_code == 2, result.output
    assert "--overwrite" in result.output and str(target / name) in result.output.replace("\n", "")
    assert (target / name).read_bytes() == b"the user's earlier weights"


def test_train_audio_needs_its_data_named(tmp_path):
    from fakescope.audio.commands import train_audio

    result = CliRunner().invoke(_app(train_audio), ["run", "--out", str(tmp_path / "w")])
    assert result.exit_code == 2
    assert "--fsdd is required" in " ".join(result.output.split())
    assert not (tmp_path / "w").exists()
