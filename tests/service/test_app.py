import io

from fastapi.testclient import TestClient

from fakescope.service.app import create_app


def _client(tmp_path):
    return TestClient(create_app(f"sqlite:///{tmp_path / 'db.sqlite3'}"))


def test_page_and_health(tmp_path):
    client = _client(tmp_path)
    page = client.get("/")
    assert page.status_code == 200 and "Drop files here" in page.text
    assert client.get("/api/health").json()["status"] == "ok"
    names = {d["name"] for d in client.get("/api/detectors").json()["detectors"]}
    assert "toy-mean" in names


def test_upload_scans_stores_and_reports_bad_files(tmp_path):
    client = _client(tmp_path)
    files = [
        ("files", ("good.toy", io.BytesIO(b"TOY1 0.9 0.8"), "application/octet-stream")),
        ("files", ("../../etc/evil.toy", io.BytesIO(b""), "application/octet-stream")),
    ]
    res = client.post("/api/scan", files=files)
    assert res.status_code == 200, res.text
    reports = res.json()["reports"]
    assert reports[0]["path"] == "good.toy" and reports[0]["score"] > 0.5
    assert reports[1]["error"] == "the file is empty"
    assert "/tmp" not in reports[1]["error"]
    history = client.get("/api/scans").json()["scans"]
    assert {h["filename"] for h in history} == {"good.toy", "../../etc/evil.toy"}
    detail = client.get(f"/api/scans/{reports[0]['id']}").json()
    assert detail["report"]["detectors"]["toy-mean"] > 0.5
    assert client.get("/api/scans/12345").status_code == 404


def test_empty_request_is_a_clear_400(tmp_path):
    res = _client(tmp_path).post("/api/scan", data={"text": "   "})
    assert res.status_code == 400 and "send one or more files" in res.json()["detail"]


def test_upload_limit(tmp_path):
    client = TestClient(create_app(f"sqlite:///{tmp_path / 'db.sqlite3'}", max_upload_bytes=10))
    res = client.post(
        "/api/scan",
        files=[
            ("files", ("big.toy", io.BytesIO(b"TOY1 " + b"0.1 " * 9), "application/octet-stream"))
        ],
    )
    assert res.status_code == 413 and "big.toy" in res.json()["detail"]


def test_opt_in_detectors_can_be_switched_on(tmp_path):
    plain = _client(tmp_path)
    runs = {d["name"]: d["runs"] for d in plain.get("/api/detectors").json()["detectors"]}
    assert runs["toy-mean"] and not runs["toy-inverted"]
    client = TestClient(create_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", extra=["toy-inverted"]))
    files = [("files", ("a.toy", io.BytesIO(b"TOY1 0.9 0.8"), "application/octet-stream"))]
    report = client.post("/api/scan", files=files).json()["reports"][0]
    detail = client.get(f"/api/scans/{report['id']}").json()["report"]
    assert "toy-inverted" in detail["detectors"]
