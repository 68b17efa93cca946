from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile as sf
from PIL import Image
from typer.testing import CliRunner

from fakescope.cli import _mount_plugin_commands, app

runner = CliRunner()
_mount_plugin_commands()


def test_watermark_embed_then_detect(tmp_path: Path, photo, speech_like):
    Image.fromarray(photo).save(tmp_path / "p.png")
    x, sr = speech_like
    sf.write(tmp_path / "s.wav", x, sr)
    res = runner.invoke(
        app,
        [
            "provenance",
            "watermark",
            "--embed",
            "--ident",
            "7",
            str(tmp_path / "p.png"),
            str(tmp_path / "s.wav"),
        ],
    )
    assert res.exit_code == 0, res.output
    marked = [tmp_path / "p.marked.png", tmp_path / "s.marked.wav"]
    assert all(p.is_file() for p in marked)
    res = runner.invoke(
        app, ["provenance", "watermark", *map(str, marked), str(tmp_path / "p.png")]
    )
    lines = res.stdout.splitlines()
    assert "FOUND" in lines[0] and "FOUND" in lines[1] and "none found" in lines[2]


def test_sign_needs_a_source_type_for_foreign_files(tmp_path: Path, photo):
    Image.fromarray(photo).save(tmp_path / "p.png")
    res = runner.invoke(app, ["provenance", "sign", str(tmp_path / "p.png")])
    assert res.exit_code == 2 and "--source-type" in res.output
    res = runner.invoke(app, ["provenance", "sign", str(tmp_path / "missing.png")])
    assert res.exit_code == 2 and "no such file" in res.output


def test_sign_and_verify(tmp_path: Path, photo, monkeypatch):
    pytest.importorskip("c2pa")
    monkeypatch.setenv("FAKESCOPE_C2PA_DIR", str(tmp_path / "creds"))
    Image.fromarray(photo).save(tmp_path / "p.png")
    res = runner.invoke(
        app, ["provenance", "sign", str(tmp_path / "p.png"), "--source-type", "digitalCapture"]
    )
    assert res.exit_code == 0, res.output
    signed = tmp_path / "p.c2pa.png"
    assert signed.is_file() and (tmp_path / "p.png").is_file()
    res = runner.invoke(
        app,
        [
            "provenance",
            "verify",
            "--json",
            str(signed),
            "--trust",
            str(tmp_path / "creds" / "test-root-ca.pem"),
        ],
    )
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["c2pa"]["state"] == "Trusted" and not info["c2pa"]["ai_generated"]
    res = runner.invoke(app, ["provenance", "verify", str(tmp_path / "p.png")])
    assert res.exit_code == 1 and "no C2PA manifest" in res.stdout
