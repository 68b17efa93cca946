import json

from typer.testing import CliRunner

from fakescope.cli import app

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0 and "fakescope" in result.output


def test_version_option():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("fakescope ")


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


def test_usage_errors_exit_2(toy_files):
    assert (
        runner.invoke(app, ["scan", "--detector", "nope", str(toy_files["real1"])]).exit_code == 2
    )
    assert runner.invoke(app, ["scan", "--no-such-option"]).exit_code == 2


def test_evaluate_json_prints_exactly_one_object(toy_files, tmp_path):
    plot = tmp_path / "roc.png"
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--real",
            str(toy_files["real1"]),
            "--real",
            str(toy_files["real2"]),
            "--fake",
            str(toy_files["fake1"]),
            "--fake",
            str(toy_files["fake2"]),
            "--detector",
            "toy-mean",
            "--json",
            "--plot",
            str(plot),
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["roc_auc"] == 1.0 and payload["n_real"] == 2 and payload["n_fake"] == 2
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_evaluate_human_output(toy_files):
    result = runner.invoke(
        app, ["evaluate", "--real", str(toy_files["real1"]), "--fake", str(toy_files["fake1"])]
    )
    assert result.exit_code == 0 and "ROC-AUC" in result.output


def test_detectors_lists_toy(toy_files):
    result = runner.invoke(app, ["detectors", "--json"])
    names = {d["name"] for d in json.loads(result.stdout)["detectors"]}
    assert {"toy-mean", "toy-abstain"} <= names


def test_weights_option_points_a_modality_at_user_weights(toy_files, tmp_path):
    from fakescope.core.weights import use_weights, weights_source

    empty = tmp_path / "mine"
    empty.mkdir()
    try:
        result = runner.invoke(app, ["scan", "--weights", f"toy={empty}", str(toy_files["real1"])])
        assert result.exit_code == 0, result.output
        assert weights_source("toy") == empty
    finally:
        use_weights("toy", None)
    for bad, why in (
        ("toy", "MODALITY=PATH"),
        ("nope=/tmp", "no modality"),
        ("toy=/no/such", "does not exist"),
    ):
        result = runner.invoke(app, ["scan", "--weights", bad, str(toy_files["real1"])])
        assert result.exit_code == 2 and why in result.output, result.output
    result = runner.invoke(app, ["evaluate", "--weights", "x", "--real", "a", "--fake", "b"])
    assert result.exit_code == 2 and "MODALITY=PATH" in result.output


def test_evaluate_takes_several_detectors_like_scan(toy_files):
    args = ["evaluate", "--real", str(toy_files["real1"]), "--real", str(toy_files["real2"])]
    args += ["--fake", str(toy_files["fake1"]), "--fake", str(toy_files["fake2"]), "--json"]
    comma = runner.invoke(app, [*args, "-d", "toy-mean,toy-abstain"])
    repeated = runner.invoke(app, [*args, "-d", "toy-mean", "-d", "toy-abstain"])
    assert comma.exit_code == 0, comma.output
    assert json.loads(comma.stdout) == json.loads(repeated.stdout)
    results = json.loads(comma.stdout)["results"]
    assert [r["detector"] for r in results] == ["toy-mean", "toy-abstain"]
    human = runner.invoke(app, args[:-1] + ["-d", "toy-mean,toy-abstain"])
    assert human.stdout.count("ROC-AUC") == 2


def test_evaluate_reports_the_verdict_threshold(toy_files):
    args = ["evaluate", "--real", str(toy_files["real1"]), "--fake", str(toy_files["fake1"])]
    human = runner.invoke(app, args)
    assert "accuracy @ 0.70" in human.stdout and "likely synthetic" in human.stdout


def _options(fn_or_command) -> set[str]:
    import typer.main

    command = typer.main.get_command(_single(fn_or_command))
    return {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}


def _single(fn):
    import typer as _typer

    one = _typer.Typer()
    one.command()(fn)
    return one


def test_one_flag_convention_everywhere():
    from fakescope.cli import _mount_plugin_commands, evaluate, scan
    from fakescope.core.registry import commands

    _mount_plugin_commands()
    writers = {**{f"generate {k}": v for k, v in commands("generate").items()}}
    writers |= {f"train {k}": v for k, v in commands("train").items()}
    assert {"generate speech", "generate text", "train image", "train text"} <= set(writers)
    for name, fn in writers.items():
        opts = _options(fn)
        assert "--overwrite" in opts, f"{name} has no --overwrite"
        assert "--force" not in opts, f"{name} still says --force"
    for name, fn in (("scan", scan), ("evaluate", evaluate), ("train text", writers["train text"])):
        assert {"-d", "--detector"} <= _options(fn), name


def test_detectors_warns_about_detectors_the_verdict_does_not_count(toy_files):
    from fakescope.core import registry
    from fakescope.core.fusion import LogisticFuser

    registry.register_fuser("toy", LogisticFuser(coef={"toy-mean": 1.0, "toy-abstain": 1.0}))
    try:
        listing = runner.invoke(app, ["detectors"])
        assert "toy-inverted" in listing.stderr and "does not count" in listing.stderr
        rows = json.loads(runner.invoke(app, ["detectors", "--json"]).stdout)
        assert "toy-inverted" in rows["not_counted"] and "toy-mean" not in rows["not_counted"]
        scan = runner.invoke(app, ["scan", "-x", "toy-inverted", "--json", str(toy_files["real1"])])
        record = json.loads(scan.stdout)
        assert "toy-inverted" in record["not_counted"]
        human = runner.invoke(app, ["scan", "-x", "toy-inverted", str(toy_files["real1"])])
        assert "toy-inverted 0.90 not counted" in human.output
    finally:
        registry._FUSERS.pop("toy", None)


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
