import json
import shutil

import pytest
import typer
from typer.testing import CliRunner

from fakescope.audio.commands import generate_speech, train_audio

runner = CliRunner()


def _app(fn):
    app = typer.Typer()
    app.command()(fn)
    app.command("noop")(lambda: None)  # keep typer in multi-command mode
    return app


def test_generate_speech_missing_engine_is_clear(tmp_path, monkeypatch):
    monkeypatch.setattr("fakescope.audio.tts.available_engines", lambda: ["espeak-ng"])
    res = runner.invoke(
        _app(generate_speech),
        ["generate-speech", "--text", "hi", "--engine", "piper", "--out", str(tmp_path / "a.wav")],
    )
    assert res.exit_code == 2
    assert "piper" in res.output and "not installed" in res.output


def test_generate_speech_espeak(tmp_path):
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    out = tmp_path / "seven.wav"
    res = runner.invoke(
        _app(generate_speech), ["generate-speech", "--text", "seven", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:4] == b"RIFF"


def test_train_audio_refuses_missing_folders(tmp_path):
    res = runner.invoke(
        _app(train_audio),
        ["train-audio", "--fsdd", str(tmp_path / "none"), "--out", str(tmp_path / "w")],
    )
    assert res.exit_code == 2 and "does not exist" in " ".join(res.output.split())
    assert not (tmp_path / "w").exists()
    json.dumps({"ok": True})


def test_train_audio_16k_path_checks_its_folders(tmp_path):
    res = runner.invoke(
        _app(train_audio),
        [
            "train-audio",
            "--speech-train",
            str(tmp_path / "st"),
            "--out",
            str(tmp_path / "w"),
        ],
    )
    out = " ".join(res.output.split())
    assert res.exit_code == 2 and "--speech-train" in out and "does not exist" in out
    (tmp_path / "st").mkdir()
    res = runner.invoke(
        _app(train_audio),
        ["train-audio", "--speech-train", str(tmp_path / "st"), "--out", str(tmp_path / "w")],
    )
    out = " ".join(res.output.split())
    assert res.exit_code == 2 and "MANIFEST.tsv does not exist" in out
    assert not (tmp_path / "w").exists() or not any((tmp_path / "w").iterdir())
