"""``fakescope robustness`` end to end on small generated sets (shipped detectors)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
import typer
from PIL import Image
from typer.testing import CliRunner

from fakescope.robustness.cli import robustness_command

app = typer.Typer()
app.command()(robustness_command)
runner = CliRunner()


def _image_sets(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    real, fake = tmp_path / "real", tmp_path / "fake"
    real.mkdir()
    fake.mkdir()
    for k in range(4):
        base = rng.uniform(60, 190) + rng.normal(0, 12, (64, 64, 3))
        Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)).save(real / f"r{k}.png")
        small = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
        Image.fromarray(small).resize((64, 64), Image.NEAREST).save(fake / f"f{k}.png")
    return real, fake


def test_image_run_writes_table_json_html_and_gallery(tmp_path):
    real, fake = _image_sets(tmp_path)
    html, gallery = tmp_path / "r.html", tmp_path / "gallery"
    args = [
        "--real",
        str(real),
        "--fake",
        str(fake),
        "-t",
        "gamma,resize",
        "-a",
        "pgd,square",
        "--eps",
        str(2 / 255),
        "--steps",
        "2",
        "--queries",
        "4",
        "--fooling",
        "1",
        "--generations",
        "2",
        "--fooling-size",
        "32",
        "--json",
        "--html",
        str(html),
        "--gallery",
        str(gallery),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    (res,) = payload["results"]
    # the first default image detector with a torch module (or the residual-cnn fallback)
    assert res["modality"] == "image" and res["target"] in ("backbone-probe", "residual-cnn")
    assert res["clean"]["n_real"] == 4 and res["clean"]["n_fake"] == 4
    assert [t["family"] for t in res["transforms"]] == ["resize"] * 3 + ["gamma"] * 2 or [
        t["family"] for t in res["transforms"]
    ] == ["gamma"] * 2 + ["resize"] * 3
    assert [(a["attack"], a["budget"]) for a in res["attacks"]] == [
        ("pgd", "2/255"),
        ("square", "2/255"),
    ]
    for row in res["attacks"]:
        assert 0.0 <= row["success_rate"] <= 1.0 and "target_success_rate" in row
    assert len(res["fooling"]["summary"]) == 6 and "image" not in res["fooling"]["items"][0]
    page = html.read_text()
    assert "data:image/png;base64" in page and "Fooling images" in page
    assert len(list(gallery.glob("*.png"))) == 6


def _voice_like(seconds: float, rate: int, seed: int) -> np.ndarray:
    """A crude voiced signal: harmonic pulse train with syllable-rate amplitude modulation."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    phase = 2 * np.pi * np.cumsum(120 + 20 * np.sin(2 * np.pi * 0.7 * t)) / rate
    x = sum(np.sin(k * phase) / k for k in range(1, 20))
    env = np.clip(np.sin(2 * np.pi * 4 * t), 0, None)
    return (0.3 * x * env + 0.003 * rng.standard_normal(len(t))).astype(np.float32)


def test_audio_run_and_attack_budget(tmp_path):
    real, fake = tmp_path / "real", tmp_path / "fake"
    real.mkdir()
    fake.mkdir()
    for k in range(3):
        sf.write(real / f"r{k}.wav", _voice_like(1.0, 16000, k), 16000)
        sf.write(fake / f"f{k}.wav", _voice_like(1.0, 16000, 10 + k)[::2], 8000)
    args = [
        "--real",
        str(real),
        "--fake",
        str(fake),
        "-t",
        "telephone",
        "-a",
        "fgsm",
        "--eps",
        "0.001",
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (res,) = json.loads(result.stdout)["results"]
    assert res["modality"] == "audio" and res["target"] == "spec-cnn"
    assert [t["name"] for t in res["transforms"]] == ["telephone-mu", "telephone-a"]
    assert res["attacks"][0]["budget"] == "0.001"


def test_modality_without_attackable_detector_gets_a_note(toy_labelled):
    result = runner.invoke(app, toy_labelled)
    assert result.exit_code == 0, result.output
    assert "clean" in result.stdout and "no attack on toy" in result.stdout


def test_bad_inputs_give_clear_errors(toy_files, tmp_path):
    result = runner.invoke(
        app, ["--real", str(toy_files["real1"]), "--fake", str(toy_files["fake1"]), "-a", "nope"]
    )
    assert result.exit_code == 2 and "unknown attack nope" in result.output
    result = runner.invoke(
        app, ["--real", str(toy_files["real1"]), "--fake", str(toy_files["fake1"]), "-t", "bogus"]
    )
    assert result.exit_code == 2 and "unknown transform bogus" in result.output
    result = runner.invoke(
        app, ["--real", str(toy_files["broken"]), "--fake", str(toy_files["fake1"])]
    )
    assert result.exit_code == 1 and "broken.toy" in result.output
    assert "Traceback" not in result.output


def test_installed_command_is_mounted():
    out = subprocess.run(
        [sys.executable, "-m", "fakescope.cli", "robustness", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0 and "--fooling" in out.stdout
