from typer.testing import CliRunner

from fakescope.cli import app

runner = CliRunner()


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
