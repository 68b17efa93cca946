from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from fakescope.text.commands import generate_text, train_text


def _app(fn):
    app = typer.Typer()
    app.command()(fn)
    app.command("noop")(lambda: None)  # two commands keep typer from flattening the app
    return app


def _save_tiny(tiny_lm, folder):
    tiny_lm.model.save_pretrained(folder)
    tiny_lm.tokenizer.save_pretrained(folder)
    return folder


def test_train_command_writes_weights(tiny_lm, tmp_path, texts):
    HUMAN, MACHINE = texts
    model = _save_tiny(tiny_lm, tmp_path / "tiny")
    h = tmp_path / "h.jsonl"
    m = tmp_path / "m.jsonl"
    h.write_text("".join(json.dumps({"text": t}) + "\n" for t in HUMAN))
    m.write_text("".join(json.dumps({"text": t}) + "\n" for t in MACHINE))
    out = tmp_path / "fusion.json"
    args = [
        "train-text",
        "--human",
        str(h),
        "--machine",
        str(m),
        "--model",
        str(model),
        "--out",
        str(out),
        "--max-tokens",
        "64",
        "--cache",
        str(tmp_path / "cache"),
        "--threads",
        "1",
    ]
    refused = CliRunner().invoke(_app(train_text), args)
    assert refused.exit_code == 2 and "need at least 20" in " ".join(refused.output.split())
    assert not out.exists()
    result = CliRunner().invoke(_app(train_text), [*args, "--min-texts", "3"])
    assert result.exit_code == 0, result.output
    assert "rests on only 3 human texts" in " ".join(result.output.split())
    saved = json.loads(out.read_text())
    assert saved["model"] == str(model)
    assert set(saved["calibration"]) >= {"lm-likelihood", "lm-rank", "lm-curvature", "lm-entropy"}
    assert set(saved["calibration"]) >= {"lm-tail", "lm-burstiness"}
    assert set(saved["fuser"]["coef"]) == {"lm-likelihood", "lm-rank", "lm-curvature", "lm-tail"}


def test_train_command_reports_bad_model(tmp_path):
    h = tmp_path / "h.jsonl"
    h.write_text(json.dumps({"text": "x"}) + "\n")
    result = CliRunner().invoke(
        _app(train_text),
        [
            "train-text",
            "--human",
            str(h),
            "--machine",
            str(h),
            "--model",
            str(tmp_path / "nope"),
            "--out",
            str(tmp_path / "f.json"),
        ],
    )
    assert result.exit_code == 2
    assert "cannot load language model" in result.output


def test_generate_command(tiny_lm, tmp_path):
    model = _save_tiny(tiny_lm, tmp_path / "tiny")
    out = tmp_path / "machine.jsonl"
    args = [
        "generate-text",
        "--prompt",
        "The committee met",
        "--model",
        str(model),
        "--max-new-tokens",
        "4",
        "--out",
        str(out),
        "--threads",
        "1",
    ]
    result = CliRunner().invoke(_app(generate_text), args)
    assert result.exit_code == 0, result.output
    rec = json.loads(out.read_text())
    assert rec["text"].startswith("The committee met")
    # An existing output is never overwritten without --overwrite.
    again = CliRunner().invoke(_app(generate_text), args)
    assert again.exit_code == 2 and "exists" in again.output
    none = CliRunner().invoke(_app(generate_text), ["generate-text", "--out", str(tmp_path / "x")])
    assert none.exit_code == 2


def test_train_command_detector_list_needs_the_detector_fusion(tmp_path):
    result = CliRunner().invoke(
        _app(train_text),
        [
            "train-text",
            "--human",
            str(tmp_path / "h.jsonl"),
            "--machine",
            str(tmp_path / "m.jsonl"),
            "-d",
            "lm-likelihood,lm-cross",
            "--out",
            str(tmp_path / "w"),
        ],
    )
    assert result.exit_code == 2 and "--fusion detectors" in " ".join(result.output.split())


def test_text_commands_write_through_the_shared_console(tiny_lm, tmp_path, monkeypatch):
    """Messages, errors and the progress bar go to ``fakescope.console.err`` like every command."""
    import io

    from rich.console import Console

    import fakescope.console
    import fakescope.text.commands

    buffer = io.StringIO()
    shared = Console(file=buffer, force_terminal=True, width=100, highlight=False)
    monkeypatch.setattr(fakescope.console, "err", shared)
    monkeypatch.setattr(fakescope.text.commands, "err", shared)
    none = CliRunner().invoke(_app(generate_text), ["generate-text", "--out", str(tmp_path / "x")])
    assert none.exit_code == 2 and "give --prompt TEXT or --prompts FILE" in buffer.getvalue()
    model = _save_tiny(tiny_lm, tmp_path / "tiny")
    args = ["generate-text", "--prompt", "The committee met", "--model", str(model)]
    args += ["--max-new-tokens", "2", "--out", str(tmp_path / "g.jsonl"), "--threads", "1"]
    result = CliRunner().invoke(_app(generate_text), args)
    assert result.exit_code == 0, result.output
    drawn = buffer.getvalue()
    assert "generating" in drawn and "1/1" in drawn and "wrote 1 samples" in drawn
