import datetime as dt

from fakescope.service.store import ScanStore


def test_start_up_cleans_after_a_killed_server(settings, app_for):
    # What a server killed with kill -9 leaves: a staged upload (lock no longer held) and a job
    # still marked running.
    settings.data_dir.mkdir(parents=True)
    store = ScanStore(settings.database_url())
    job, _ = store.create_job("", "deadbeef0001", 2)
    staged = settings.data_dir / "uploads" / "deadbeef0001" / job
    staged.mkdir(parents=True)
    (staged / "0000.png").write_bytes(b"a user's photo")
    store.engine.dispose()

    app = app_for(data_dir=settings.data_dir)
    assert not (settings.data_dir / "uploads" / "deadbeef0001").exists()
    view = app.state.service.store.job(job)
    assert view["status"] == "interrupted" and "send the files again" in view["error"]


def test_retention_removes_old_history_and_orphans(app_for):
    import io

    from fastapi.testclient import TestClient

    app = app_for(keep_days=30.0)
    client = TestClient(app, base_url="http://localhost")
    files = [("files", ("a.toy", io.BytesIO(b"TOY1 0.5"), "application/octet-stream"))]
    assert client.post("/api/scan", files=files).status_code == 200
    service = app.state.service
    assert service.purge_now()["scans"] == 0  # nothing is 30 days old yet
    removed = service.store.purge(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert removed["scans"] == 1 and removed["analyses"] == 1
    assert service.store.counts() == {"scans": 0, "jobs": 0, "analyses": 0, "pictures": 0}
