import io
import time

from fakescope.report.render import render_items


def _files(*items):
    return [("files", (name, io.BytesIO(data), "application/octet-stream")) for name, data in items]


def test_page_health_detectors_and_static(client_for):
    client = client_for()
    page = client.get("/")
    assert page.status_code == 200 and "Drop files here" in page.text
    assert 'src="static/page.js"' in page.text and "<script>" not in page.text  # CSP: no inline
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["workers"] == 1 and health["workers_alive"] == 1
    names = {d["name"]: d["runs"] for d in client.get("/api/detectors").json()["detectors"]}
    assert names["toy-mean"] and not names["toy-inverted"]
    assert client.get("/static/page.js").headers["content-type"].startswith("text/javascript")
    assert ".badge{" in client.get("/static/report.css").text
    assert client.get("/static/../app.py").status_code == 404


def test_sync_scan_stores_history_and_reports_bad_content(client_for):
    client = client_for()
    res = client.post("/api/scan", files=_files(("good.toy", b"TOY1 0.9 0.8"), ("b.toy", b"NOPE")))
    assert res.status_code == 200, res.text
    good, broken = res.json()["reports"]
    assert good["path"] == "good.toy" and good["score"] > 0.5 and good["id"] >= 1
    assert broken["path"] == "b.toy" and broken["error"] == "not a toy file (bad header)"
    assert "/" not in broken["error"]  # the server's folder never shows
    history = client.get("/api/scans").json()["scans"]
    assert {h["filename"] for h in history} == {"good.toy", "b.toy"}
    assert all(h["created"].endswith("Z") or "+00:00" in h["created"] for h in history)
    detail = client.get(f"/api/scans/{good['id']}").json()
    assert detail["report"]["detectors"]["toy-mean"] > 0.5
    assert client.get("/api/scans/12345").status_code == 404


def test_job_returns_at_once_then_progress_results_and_events(client_for):
    client = client_for()
    res = client.post(
        "/api/jobs",
        files=_files(("slow.hostile", b"HOSTILE sleep 1.5"), ("a.toy", b"TOY1 0.2 0.1")),
    )
    assert res.status_code == 202, res.text
    created = res.json()
    assert created["total"] == 2 and created["url"] == f"api/jobs/{created['id']}"
    first = client.get(f"/api/jobs/{created['id']}").json()
    assert first["status"] in ("queued", "running") and first["done"] < 2
    with client.stream("GET", f"/api/jobs/{created['id']}/events?html=true") as stream:
        body = "".join(stream.iter_text())
    assert body.count("event: result") == 2 and body.rstrip().split("\n")[-2] == "event: end"
    assert '"done": 2' in body and '<article class=\\"item' in body
    job = client.get(f"/api/jobs/{created['id']}").json()
    assert job["status"] == "done" and job["finished"] is not None
    assert [r["path"] for r in job["results"]] == ["slow.hostile", "a.toy"]  # upload order
    report = client.get(f"/api/jobs/{created['id']}/report.html")
    assert report.text.startswith("<!doctype html>") and "slow.hostile" in report.text
    assert client.get("/api/jobs/" + "0" * 32).status_code == 404
    assert client.get("/api/jobs/not-an-id").status_code == 422


def test_same_file_is_analysed_once_and_pictures_are_stored_once(client_for):
    client = client_for()
    first = client.post("/api/scan", files=_files(("a.toy", b"TOY1 0.5 0.6"))).json()
    again = client.post("/api/scan", files=_files(("renamed.toy", b"TOY1 0.5 0.6"))).json()
    one, two = first["reports"][0], again["reports"][0]
    assert one["cached"] is False and two["cached"] is True
    assert two["path"] == "renamed.toy" and two["score"] == one["score"]
    assert one["sha256"] == two["sha256"]
    counts = client.app.state.service.store.counts()
    assert counts["analyses"] == 1 and counts["scans"] == 2


def test_page_and_html_report_use_the_same_renderer(client_for):
    client = client_for()
    record = client.post("/api/scan", files=_files(("a.toy", b"TOY1 0.5 0.6"))).json()
    record = record["reports"][0]
    html = client.get(f"/api/scans/{record['id']}/html").text
    assert html == render_items([record])
    assert 'class="badge unsure"' in html and "a.toy" in html


def test_retried_request_with_idempotency_key_is_not_duplicated(client_for):
    client = client_for()
    files = _files(("a.toy", b"TOY1 0.3 0.3"))
    headers = {"Idempotency-Key": "retry-1"}
    first = client.post("/api/jobs", files=files, headers=headers)
    again = client.post("/api/jobs", files=_files(("a.toy", b"TOY1 0.3 0.3")), headers=headers)
    assert first.status_code == 202 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    other = client.post("/api/jobs", files=_files(("b.toy", b"TOY1 0.9")), headers=headers)
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    deadline = time.monotonic() + 20
    while client.get(f"/api/jobs/{first.json()['id']}").json()["status"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert len(client.get("/api/scans").json()["scans"]) == 1


def test_ids_out_of_range_are_422_not_500(client_for):
    client = client_for()
    for bad in ("9223372036854775808", "0", "-1", "1e3", "99999999999999999999999"):
        res = client.get(f"/api/scans/{bad}")
        assert res.status_code == 422, (bad, res.status_code)
    assert client.get("/api/scans/9223372036854775807").status_code == 404


def test_in_memory_sqlite_works_across_threads(client_for):
    client = client_for(db_url="sqlite://")
    res = client.post("/api/scan", files=_files(("a.toy", b"TOY1 0.4")))
    assert res.status_code == 200, res.text
    assert len(client.get("/api/scans").json()["scans"]) == 1


def test_openapi_has_real_schemas(client_for):
    spec = client_for().get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert {"ScanRecord", "JobView", "JobCreated", "HistoryPage", "ScanDetail", "Health"} <= set(
        schemas
    )
    ok = spec["paths"]["/api/jobs/{job_id}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/JobView")
    assert "413" in spec["paths"]["/api/jobs"]["post"]["responses"]
