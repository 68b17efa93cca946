import pytest
import typer

from fakescope import console


def test_usage_error_says_why_on_stderr_and_exits_2(capsys):
    with pytest.raises(typer.Exit) as info:
        console.usage_error("--html out: is a folder")
    assert info.value.exit_code == console.EXIT_USAGE == 2
    captured = capsys.readouterr()
    assert "error:" in captured.err and "is a folder" in captured.err and captured.out == ""


def test_results_go_to_stdout_while_a_bar_is_drawn_on_stderr(capsys):
    with console.progress_bar(False, redirect_stdout=False) as progress:
        assert progress.disable
        console.print_result(progress, "a result [bold]line[/bold]")
        console.print_result(progress, '{"x": [1]}', markup=False)
    captured = capsys.readouterr()
    assert captured.out.splitlines() == ["a result line", '{"x": [1]}'] and captured.err == ""


def test_fail_says_why_and_exits_with_the_code_given(capsys):
    with pytest.raises(typer.Exit) as info:
        console.fail("no videos found under --real")
    assert info.value.exit_code == console.EXIT_FAILED == 1
    with pytest.raises(typer.Exit) as info:
        console.fail("too few clips", console.EXIT_USAGE)
    assert info.value.exit_code == 2
    assert capsys.readouterr().err.count("error:") == 2
