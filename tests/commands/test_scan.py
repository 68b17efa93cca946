import json

from typer.testing import CliRunner

from fakescope.cli import app

runner = CliRunner()


def test_human_results_go_to_stdout_and_nothing_else_does(toy_files):
    result = runner.invoke(app, ["scan", str(toy_files["real1"]), str(toy_files["empty"])])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any("real1.toy" in line and "likely real" in line for line in lines)
    assert any("ERROR" in line and "empty.toy" in line for line in lines)
    assert lines[-1].startswith("2 item(s):")
    assert result.stderr == ""


def test_scan_json_lines_has_the_contract_keys(toy_files):
    result = runner.invoke(
        app, ["scan", "--json", str(toy_files["real1"]), str(toy_files["fake1"])]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 2
    for rec in lines:
        for key in ("path", "modality", "score", "verdict", "detectors", "error"):
            assert key in rec
        assert 0.0 <= rec["score"] <= 1.0
    assert lines[0]["modality"] == "toy" and lines[0]["error"] is None


def test_scan_bad_file_gives_one_clear_line_and_exit_1(toy_files):
    result = runner.invoke(
        app, ["scan", "--json", str(toy_files["empty"]), str(toy_files["fake1"])]
    )
    assert result.exit_code == 1
    recs = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert recs[0]["error"] == "the file is empty" and recs[1]["error"] is None
    human = runner.invoke(app, ["scan", str(toy_files["broken"])])
    assert human.exit_code == 1
    assert "ERROR" in human.output and "broken.toy" in human.output
    assert "Traceback" not in human.output


def test_scan_writes_html_without_touching_inputs(toy_files, tmp_path):
    before = {p: p.read_bytes() for p in toy_files.values()}
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["scan", str(tmp_path), "--html", str(out)])
    assert result.exit_code == 1  # the folder holds an empty and a broken file
    html = out.read_text()
    assert html.count('<article class="item') == len(toy_files)
    assert {p: p.read_bytes() for p in toy_files.values()} == before


def test_html_output_path_is_checked_before_scanning(toy_files, tmp_path):
    missing = tmp_path / "no-such-folder" / "report.html"
    result = runner.invoke(app, ["scan", str(toy_files["real1"]), "--html", str(missing)])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr and result.stdout == ""
    folder = runner.invoke(app, ["scan", str(toy_files["real1"]), "--html", str(tmp_path)])
    assert folder.exit_code == 2 and "is a folder" in folder.stderr


def test_html_and_lines_with_hostile_file_names(tmp_path):
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    for raw in (b"caf\xe9.toy", b"two\nlines.toy"):
        with open(os.path.join(os.fsencode(str(folder)), raw), "wb") as fh:
            fh.write(b"TOY1 0.2 0.3")
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["scan", str(folder), "--html", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")  # was a 0-byte file and a UnicodeEncodeError
    assert "caf\\xe9.toy" in text and "two\\nlines.toy" in text
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # two results and the summary: a newline in a name splits nothing
    assert any(line.rstrip().endswith("(toy-mean 0.25, toy-abstain 0.30)") for line in lines)


def test_timeout_option_reaches_the_scanner(toy_files, monkeypatch):
    import fakescope.core.pipeline as pipeline

    seen = {}
    original = pipeline.Scanner.__init__

    def spy(self, *args, **kwargs):
        seen.update(kwargs)
        original(self, *args, **kwargs)

    monkeypatch.setattr(pipeline.Scanner, "__init__", spy)
    runner.invoke(app, ["scan", "--timeout", "12", str(toy_files["real1"])])
    assert seen["timeout"] == 12
    runner.invoke(app, ["scan", "--timeout", "0", str(toy_files["real1"])])
    assert seen["timeout"] is None
