import threading
import time

import pytest

from fakescope.service.pool import PoolStartError, WorkerPool
from fakescope.service.worker import WorkerConfig


@pytest.fixture
def pool(tmp_path):
    from pathlib import Path

    tests = Path(__file__).resolve().parents[1]
    config = WorkerConfig(
        plugin_files=(str(tests / "conftest.py"), str(tests / "service" / "hostile_plugin.py")),
        preload=False,
        memory_limit_mb=300,
    )
    pool = WorkerPool(config, workers=1, time_limit_s=3.0)
    pool.start()
    yield pool
    pool.close()


def _run(pool, tmp_path, content: bytes, name="f.hostile"):
    path = tmp_path / name
    path.write_bytes(content)
    done = threading.Event()
    out = []
    pool.submit(str(path), lambda outcome: (out.append(outcome), done.set()))
    assert done.wait(30), "the pool never answered"
    return out[0]


def test_a_normal_file_is_scored(pool, tmp_path):
    outcome = _run(pool, tmp_path, b"HOSTILE ok 0.8")
    assert outcome.cacheable and outcome.records[0]["score"] == pytest.approx(0.8)
    assert outcome.records[0]["path"] == ""


def test_a_hanging_file_is_stopped_at_the_time_limit_and_the_pool_goes_on(pool, tmp_path):
    start = time.monotonic()
    outcome = _run(pool, tmp_path, b"HOSTILE sleep 60")
    assert time.monotonic() - start < 10
    assert not outcome.cacheable
    assert "longer than the 3 s limit" in outcome.records[0]["error"]
    assert _run(pool, tmp_path, b"HOSTILE ok 0.2").records[0]["score"] == pytest.approx(0.2)
    assert pool.restarts == 1


def test_a_crash_costs_only_its_process(pool, tmp_path):
    outcome = _run(pool, tmp_path, b"HOSTILE crash")
    assert "crashed on this file (exit code 3)" in outcome.records[0]["error"]
    assert _run(pool, tmp_path, b"HOSTILE ok 0.3").records[0]["score"] == pytest.approx(0.3)


def test_memory_beyond_the_cap_is_refused_with_a_clear_error(pool, tmp_path):
    outcome = _run(pool, tmp_path, b"HOSTILE alloc 2000")
    record = outcome.records[0]
    assert "over the 300 MB memory limit per analysis process" in record["verdict"], record
    assert not outcome.cacheable
    assert _run(pool, tmp_path, b"HOSTILE alloc 50").records[0]["score"] == pytest.approx(0.5)


def test_a_detector_exception_is_an_abstention_not_a_dead_worker(pool, tmp_path):
    outcome = _run(pool, tmp_path, b"HOSTILE raise")
    evidence = outcome.records[0]["evidence"][0]
    assert evidence["score"] is None and "told to fail" in evidence["reason"]
    assert pool.alive == 1 and pool.restarts == 0


def test_a_worker_that_cannot_start_says_why(tmp_path):
    broken = tmp_path / "broken_plugin.py"
    broken.write_text("raise ImportError('missing dependency xyz')\n")
    pool = WorkerPool(WorkerConfig(plugin_files=(str(broken),), preload=False), workers=1)
    with pytest.raises(PoolStartError, match="missing dependency xyz"):
        pool.start()
