import json

from typer.testing import CliRunner

from fakescope.cli import app

runner = CliRunner()


def test_detectors_lists_toy(toy_files):
    result = runner.invoke(app, ["detectors", "--json"])
    names = {d["name"] for d in json.loads(result.stdout)["detectors"]}
    assert {"toy-mean", "toy-abstain"} <= names


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
