"""What cluster workers build their Scanner from: the per-file time limit and the memory budget
reach them (``scan --engine dask --timeout 1`` stops a stuck file on the workers too)."""

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakescope.batch import task
from fakescope.batch.run import run_batch
from fakescope.batch.task import ScanConfig, scanner_for
from fakescope.cli import app
from fakescope.core.pipeline import DEFAULT_MEMORY_BUDGET, DEFAULT_TIMEOUT

TOY_PLUGIN = str(Path(__file__).resolve().parents[1] / "conftest.py")
# Stuck for 20 s on a toy file whose first value is above 0.85 (without a time limit reaching
# the worker, the file would come back after 20 s, scored, and the tests fail, not hang).
STUCK_PLUGIN = """
import time

from fakescope.core.evidence import Evidence
from fakescope.core.registry import register_detector


class ToyStuck:
    name, modality = "toy-stuck", "toy"

    def score(self, media):
        if media.data[0] > 0.85:
            for _ in range(2000):
                time.sleep(0.01)
        return Evidence(self.name, 0.2, "looked")


register_detector("toy-stuck", "toy", ToyStuck, default=False)
"""


@pytest.fixture
def stuck_plugin(tmp_path):
    path = tmp_path / "stuck_plugin.py"
    path.write_text(textwrap.dedent(STUCK_PLUGIN))
    return str(path)


@pytest.fixture(autouse=True)
def fresh_scanners():
    task._SCANNERS.clear()
    yield
    task._SCANNERS.clear()


def test_defaults_are_the_single_machine_scan_s():
    config = ScanConfig()
    assert (config.timeout, config.memory_budget) == (DEFAULT_TIMEOUT, DEFAULT_MEMORY_BUDGET)


def test_the_worker_scanner_gets_the_time_limit_and_memory_budget():
    scanner = scanner_for(ScanConfig(timeout=3.5, memory_budget=1 << 20))
    assert scanner.timeout == 3.5 and scanner.memory_budget == 1 << 20
    assert scanner_for(ScanConfig(timeout=None)).timeout is None


@pytest.mark.parametrize("engine", ["local", "dask"])
def test_a_stuck_file_is_stopped_on_the_workers(engine, toy_files, stuck_plugin):
    if engine == "dask":
        pytest.importorskip("distributed", reason="pip install 'fakescope[dask]'")
    config = ScanConfig(
        detectors=("toy-stuck",), timeout=1.0, plugin_files=(TOY_PLUGIN, stuck_plugin)
    )
    paths = [str(toy_files[k]) for k in ("real1", "fake1", "real2")]
    lines: list[str] = []
    summary = run_batch(paths, config, engine=engine, workers=1, emit=lines.append)
    records = {Path(r["path"]).name: r for r in map(json.loads, lines)}
    assert "took longer than 1 s" in records["fake1.toy"]["error"]
    assert records["real1.toy"]["error"] is None and records["real2.toy"]["error"] is None
    assert summary.failed == 1


def test_cli_timeout_reaches_the_batch_workers(toy_files, stuck_plugin, tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "scan", "--engine", "local", "--out", str(out), "--timeout", "1",
            "--plugin", TOY_PLUGIN, "--plugin", stuck_plugin, "-d", "toy-stuck",
            str(toy_files["fake1"]), str(toy_files["real1"]),
        ],
    )  # fmt: skip
    assert result.exit_code == 1
    records = {Path(r["path"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert "took longer than 1 s" in records["fake1.toy"]["error"]
    assert records["real1.toy"]["error"] is None
