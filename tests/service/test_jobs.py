import io
import time

from fakescope.service.jobs import detectors_key


def _wait(client, job_id, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] == "done":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_identical_files_in_flight_are_analysed_once(client_for):
    client = client_for()
    same = b"HOSTILE sleep 0.8"
    files = [
        ("files", (f"copy{i}.hostile", io.BytesIO(same), "application/octet-stream"))
        for i in range(4)
    ]
    start = time.monotonic()
    job = _wait(client, client.post("/api/jobs", files=files).json()["id"])
    assert time.monotonic() - start < 3.0  # four analyses would take 3.2 s
    assert [r["path"] for r in job["results"]] == [f"copy{i}.hostile" for i in range(4)]
    assert sorted(r["cached"] for r in job["results"]) == [False, True, True, True]
    assert client.app.state.service.store.counts()["analyses"] == 1


def test_a_file_that_hit_a_limit_is_not_retried_for_nothing(client_for):
    client = client_for(time_limit_s=1.0)
    slow = [("files", ("slow.hostile", io.BytesIO(b"HOSTILE sleep 30"), "x"))]
    first = _wait(client, client.post("/api/jobs", files=slow).json()["id"])
    assert "longer than the 1 s limit" in first["results"][0]["error"]
    start = time.monotonic()
    slow = [("files", ("again.hostile", io.BytesIO(b"HOSTILE sleep 30"), "x"))]
    second = _wait(client, client.post("/api/jobs", files=slow).json()["id"])
    assert time.monotonic() - start < 1.0
    assert second["results"][0]["error"] == first["results"][0]["error"]
    assert second["failed"] == 1
    assert client.app.state.service.store.counts()["analyses"] == 0  # limits are never cached


def test_detectors_key_changes_with_what_decides_the_result(monkeypatch):
    base = detectors_key(None, None)
    assert detectors_key(None, None) == base
    assert detectors_key(None, ["toy-inverted"]) != base
    assert detectors_key(["toy-mean"], None) != base
    monkeypatch.setenv("FAKESCOPE_TEXT_MODEL", "/models/other.gguf")
    assert detectors_key(None, None) != base
    monkeypatch.delenv("FAKESCOPE_TEXT_MODEL")
    monkeypatch.setenv("FAKESCOPE_DB", "sqlite://")  # not about models: same key
    assert detectors_key(None, None) == base
