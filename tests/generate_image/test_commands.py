from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from fakescope.cli import _mount_plugin_commands, app
from fakescope.generate_image.weights import load_generator
from fakescope.provenance.image_watermark import detect

runner = CliRunner()
_mount_plugin_commands()


def test_generate_image_with_provenance(tmp_path: Path, tiny_model: Path):
    out = tmp_path / "out"
    res = runner.invoke(
        app,
        [
            "generate",
            "image",
            "--out",
            str(out),
            "--model",
            str(tiny_model),
            "-n",
            "2",
            "--class",
            "bars",
            "--grid",
            "--interpolate",
            "bars:circles",
            "--size",
            "96",
        ],
    )
    assert res.exit_code == 0, res.output
    files = sorted(out.glob("*.png"))
    assert len(files) == 4  # 2 samples + grid + interpolation
    for f in files:
        side = json.loads(Path(str(f) + ".provenance.json").read_text())
        assert side["generator"] == "biggan" and side["tool"]["name"] == "fakescope"
        assert side["digital_source_type"].endswith("trainedAlgorithmicMedia")
        mark = detect(np.asarray(Image.open(f).convert("RGB")))
        assert mark.found and f"{mark.payload:08x}" == side["watermark"]["payload"]
    sample = json.loads((out / "biggan_bars_seed1_t1.png.provenance.json").read_text())
    assert sample["settings"] == {"class": "bars", "seed": 1, "truncation": 1.0, "size": 96}


def test_no_watermark_and_errors(tmp_path: Path, tiny_model: Path):
    res = runner.invoke(
        app,
        [
            "generate",
            "image",
            "--out",
            str(tmp_path),
            "--model",
            str(tiny_model),
            "-n",
            "1",
            "--class",
            "bars",
            "--no-watermark",
        ],
    )
    assert res.exit_code == 0, res.output
    side = json.loads((tmp_path / "biggan_bars_seed0_t1.png.provenance.json").read_text())
    assert side["watermark"] is None and "disabled" in side["watermark_skipped"]
    res = runner.invoke(
        app,
        [
            "generate",
            "image",
            "--out",
            str(tmp_path),
            "--model",
            str(tiny_model),
            "--class",
            "dogs",
        ],
    )
    assert res.exit_code == 2 and "unknown class 'dogs'" in res.output
    res = runner.invoke(app, ["generate", "image", "--out", str(tmp_path), "--family", "selfblend"])
    assert res.exit_code == 2 and "--input" in res.output


def test_simulated_family_builds_a_test_set(tmp_path: Path, photo):
    Image.fromarray(photo).save(tmp_path / "real.png")
    out = tmp_path / "fakes"
    res = runner.invoke(
        app,
        [
            "generate",
            "image",
            "--family",
            "selfblend",
            "--input",
            str(tmp_path / "real.png"),
            "--out",
            str(out),
            "-n",
            "2",
        ],
    )
    assert res.exit_code == 0, res.output
    files = sorted(out.glob("*.png"))
    assert len(files) == 2
    side = json.loads(Path(str(files[0]) + ".provenance.json").read_text())
    assert side["generator"] == "selfblend" and side["inputs"] == [str(tmp_path / "real.png")]
    assert side["digital_source_type"].endswith("/composite")
    assert detect(np.asarray(Image.open(files[0]).convert("RGB"))).found


def test_train_generator_command(tmp_path: Path, class_folder: Path):
    out = tmp_path / "m.npz"
    res = runner.invoke(
        app,
        [
            "train",
            "generator",
            "--data",
            str(class_folder),
            "--out",
            str(out),
            "--resolution",
            "16",
            "--steps",
            "2",
            "--batch-size",
            "4",
            "--width",
            "4",
            "--no-bf16",
            "--lr-d",
            "4e-4",
            "--log",
            str(tmp_path / "logs" / "train.log"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert out.is_file()
    _, _, info = load_generator(out)
    assert info["settings"]["lr_d"] == 4e-4 and info["settings"]["lr_g"] == 2e-4
    assert (tmp_path / "logs" / "train.log").is_file()
    res = runner.invoke(app, ["train", "generator", "--data", str(class_folder), "--out", str(out)])
    assert res.exit_code == 2 and "already exists" in res.output
    res = runner.invoke(app, ["train", "generator", "--data", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "not a folder" in res.output


def test_existing_files_are_not_overwritten(tmp_path: Path, tiny_model: Path):
    args = [
        "generate",
        "image",
        "--out",
        str(tmp_path),
        "--model",
        str(tiny_model),
        "-n",
        "1",
        "--class",
        "bars",
    ]
    assert runner.invoke(app, args).exit_code == 0
    first = (tmp_path / "biggan_bars_seed0_t1.png").read_bytes()
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "already exists" in res.output
    assert (tmp_path / "biggan_bars_seed0_t1.png").read_bytes() == first
    assert runner.invoke(app, [*args, "--overwrite"]).exit_code == 0
