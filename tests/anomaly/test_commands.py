from pathlib import Path

import typer
from typer.testing import CliRunner

from fakescope.anomaly.commands import train_command
from fakescope.anomaly.scoring import AnomalyModel

app = typer.Typer()
app.command()(train_command)

TINY = ["--patch-size", "16", "--width", "16", "--batch-size", "4", "--checkpoint-every", "1"]


def test_train_then_resume_from_the_command_line(photo_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    args = ["--real", str(photo_folder), "--out", str(out), *TINY]
    first = CliRunner().invoke(app, [*args, "--gan-steps", "1", "--encoder-steps", "1"])
    assert first.exit_code == 0, first.output
    assert "saved" in first.output and (out / "anomaly.pt").exists()
    again = CliRunner().invoke(app, [*args, "--gan-steps", "1", "--encoder-steps", "2", "--resume"])
    assert again.exit_code == 0, again.output
    assert "resuming" in again.output
    assert AnomalyModel.load(out / "anomaly.pt").config["patch_size"] == 16


def test_clear_error_for_a_folder_without_images(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--real", str(tmp_path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "no image files" in result.output
    assert "Traceback" not in result.output


def test_clear_error_for_a_bad_option_value(photo_folder: Path, tmp_path: Path) -> None:
    args = ["--real", str(photo_folder), "--out", str(tmp_path / "o"), "--representation", "fft"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert "representation must be one of" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "o").exists()


def test_the_old_module_name_still_imports() -> None:
    import fakescope.anomaly.cli as old
    from fakescope.anomaly.cli import train_command as old_command

    assert old_command is train_command and old.train_command is train_command
