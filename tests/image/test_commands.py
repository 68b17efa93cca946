"""``fakescope train image`` (the command in :mod:`fakescope.image.commands`)."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from fakescope.image.commands import GENUINE_FILES, WEIGHTS_FILES, train_command


def _run(*args: str):
    app = typer.Typer()
    app.command()(train_command)
    return CliRunner().invoke(app, list(args))


def test_needs_real_or_genuine() -> None:
    result = _run()
    assert result.exit_code == 2 and "--real" in result.output


def test_adversarial_options_need_adversarial(tmp_path: Path) -> None:
    result = _run("--real", str(tmp_path), "--adversarial-only")
    assert result.exit_code == 2 and "--adversarial" in result.output


def test_refuses_to_overwrite_weights_without_overwrite(tmp_path: Path) -> None:
    (tmp_path / "spectrum.npz").write_bytes(b"old")
    result = _run("--real", str(tmp_path), "--out", str(tmp_path))
    assert result.exit_code == 2 and "spectrum.npz" in result.output
    assert (tmp_path / "spectrum.npz").read_bytes() == b"old"


def test_too_few_photos_is_a_usage_error(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    result = _run("--real", str(real), "--out", str(tmp_path / "w"))
    assert result.exit_code == 2 and "real images" in result.output


def test_the_written_files_are_named() -> None:
    assert "spectrum.npz" in WEIGHTS_FILES and "probe.npz" in GENUINE_FILES
