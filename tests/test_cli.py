from typer.testing import CliRunner

from fakescope.cli import app

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0 and "fakescope" in result.output


def test_version_option():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("fakescope ")


def test_usage_errors_exit_2(toy_files):
    assert (
        runner.invoke(app, ["scan", "--detector", "nope", str(toy_files["real1"])]).exit_code == 2
    )
    assert runner.invoke(app, ["scan", "--no-such-option"]).exit_code == 2


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


def test_the_app_mounts_every_command_and_group():
    import typer.main

    from fakescope.cli import _mount_plugin_commands

    _mount_plugin_commands()
    names = set(typer.main.get_command(app).commands)
    assert {"scan", "detectors", "evaluate", "serve", "version", "robustness"} <= names
    assert {"train", "generate", "provenance", "analyze"} <= names
