import json

from typer.testing import CliRunner

from fakescope.cli import app

runner = CliRunner()


def test_evaluate_json_prints_exactly_one_object(toy_labelled, tmp_path):
    plot = tmp_path / "roc.png"
    result = runner.invoke(
        app,
        [
            "evaluate",
            *toy_labelled,
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


def test_evaluate_takes_several_detectors_like_scan(toy_labelled):
    args = ["evaluate", *toy_labelled, "--json"]
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
