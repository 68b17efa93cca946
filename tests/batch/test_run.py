import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakescope.batch.run import run_batch
from fakescope.batch.task import ScanConfig
from fakescope.cli import app

TOY_PLUGIN = str(Path(__file__).resolve().parents[1] / "conftest.py")


@pytest.fixture
def many_toys(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(40):
        (folder / f"f{i:03d}.toy").write_bytes(f"TOY1 0.{i % 10} 0.{(i * 7) % 10}".encode())
    (folder / "empty.toy").write_bytes(b"")
    (folder / "broken.toy").write_bytes(b"NOPE")
    return folder


def _single_process(paths):
    result = CliRunner().invoke(app, ["scan", "--json", *paths])
    return sorted(line for line in result.stdout.splitlines() if line.strip())


def _collect(paths, engine, **kwargs):
    lines = []
    config = ScanConfig(batch_size=8, plugin_files=(TOY_PLUGIN,))
    summary = run_batch(paths, config, engine=engine, emit=lines.append, **kwargs)
    return sorted(lines), summary


def test_local_engine_matches_the_single_process_scan(many_toys):
    paths = [str(many_toys), str(many_toys / "missing.toy")]
    lines, summary = _collect(paths, "local")
    assert lines == _single_process(paths)
    assert summary.scanned == 43 and summary.failed == 3


def test_dask_two_workers_identical_jsonl_and_resume(many_toys, tmp_path):
    pytest.importorskip("distributed", reason="pip install 'fakescope[dask]'")
    paths = [str(many_toys)]
    lines, summary = _collect(paths, "dask", workers=2)
    assert lines == _single_process(paths) and summary.scanned == 42
    # Resume: a run killed after some inputs; the rerun scans only the rest.
    out = tmp_path / "out.jsonl"
    keep = [line for line in lines if '"path": "' + str(many_toys / "f00") in line]
    out.write_text("\n".join(keep) + "\n")
    config = ScanConfig(batch_size=8, plugin_files=(TOY_PLUGIN,))
    summary = run_batch(paths, config, engine="dask", workers=2, out=out)
    assert summary.skipped == len(keep) == 10 and summary.scanned == 32
    assert sorted(out.read_text().splitlines()) == lines


def test_cli_engine_option_streams_jsonl_and_resumes(many_toys, tmp_path):
    out = tmp_path / "o.jsonl"
    args = ["scan", "--engine", "local", "--plugin", TOY_PLUGIN, "--out", str(out)]
    first = CliRunner().invoke(app, [*args, str(many_toys)])
    assert first.exit_code == 1  # empty and broken files
    assert len(out.read_text().splitlines()) == 42
    again = CliRunner().invoke(app, [*args, str(many_toys)])
    assert "0 input(s) scanned" in again.stderr and "42 already done" in again.stderr
    assert len(out.read_text().splitlines()) == 42
    records = [json.loads(x) for x in out.read_text().splitlines()]
    assert {r["path"] for r in records} == {str(p) for p in many_toys.iterdir()}


def test_cli_engine_errors_are_usage_errors(many_toys, tmp_path):
    bad = CliRunner().invoke(app, ["scan", "--engine", "spark", str(many_toys)])
    assert bad.exit_code == 2 and "unknown engine 'spark'" in bad.stderr
    html = CliRunner().invoke(
        app, ["scan", "--engine", "dask", "--html", str(tmp_path / "r.html"), str(many_toys)]
    )
    assert html.exit_code == 2 and "--html cannot be combined" in html.stderr
