from __future__ import annotations

import av
import pytest
import typer
from typer.testing import CliRunner

from fakescope.video.commands import generate_faceswap, train_video
from fakescope.video.consistency import TemporalModel

pytest.importorskip("cv2")
runner = CliRunner()


def _app(fn) -> typer.Typer:
    app = typer.Typer()
    app.command()(fn)
    app.command("unused")(lambda: None)  # keep typer in multi-command mode, like the real CLI
    return app


def _generate(*args: str):
    return runner.invoke(_app(generate_faceswap), ["generate-faceswap", *args])


def test_generate_faceswap_writes_a_video(make_video, tmp_path):
    src = make_video(frames=8, size=(320, 320), fps=10, face=True)
    out = tmp_path / "fake.mp4"
    result = _generate("--input", str(src), "--out", str(out), "--seed", "2")
    assert result.exit_code == 0, result.output
    assert "8 frames" in result.output
    with av.open(str(out)) as c:
        assert c.streams.video[0].codec_context.name == "h264"
        assert sum(1 for _ in c.decode(video=0)) == 8


def test_generate_faceswap_refuses_bad_requests(make_video, tmp_path):
    src = make_video(frames=3)
    existing = tmp_path / "taken.mp4"
    existing.write_bytes(b"keep me")
    result = _generate("--input", str(src), "--out", str(existing))
    assert result.exit_code == 1 and existing.read_bytes() == b"keep me"
    assert (
        _generate("--input", str(src), "--out", str(tmp_path / "o.mp4"), "--mode", "x").exit_code
        == 1
    )
    no_source = _generate("--input", str(src), "--out", str(tmp_path / "o.mp4"), "--mode", "swap")
    assert no_source.exit_code == 1
    missing = _generate("--input", str(tmp_path / "nope.mp4"), "--out", str(tmp_path / "o.mp4"))
    # the message may be wrapped at the terminal width: compare with whitespace normalised
    assert missing.exit_code == 1 and "no such file" in " ".join(missing.output.split())


def test_train_video_fits_a_model(make_video, tmp_path):
    make_video("real1.mp4", frames=20, size=(320, 320), fps=10, face=True)
    out = tmp_path / "temporal.json"
    result = runner.invoke(
        _app(train_video),
        ["train-video", "--real", str(tmp_path), "--out", str(out), "--work",
         str(tmp_path / "work"), "--fakes-per-clip", "1", "--min-clips", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    model = TemporalModel.load(out)
    assert model.info["clips"] == 2 and model.info["manipulated"] == 1


def test_train_video_refuses_too_few_clips(make_video, tmp_path):
    make_video("real1.mp4", frames=20, size=(320, 320), fps=10, face=True)
    out = tmp_path / "temporal.json"
    result = runner.invoke(
        _app(train_video),
        ["train-video", "--real", str(tmp_path), "--out", str(out), "--work",
         str(tmp_path / "work"), "--fakes-per-clip", "1"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "need at least 10 real clips with a face, got 1" in " ".join(result.output.split())
    assert not out.exists()
