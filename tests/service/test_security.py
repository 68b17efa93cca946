import io

import pytest

from fakescope.service.security import RateLimiter, host_allowed


def _toy(name="a.toy", data=b"TOY1 0.4"):
    return [("files", (name, io.BytesIO(data), "application/octet-stream"))]


def test_security_headers_on_every_answer(client_for):
    client = client_for()
    for path in ("/", "/api/health", "/api/scans/999999"):
        headers = client.get(path).headers
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self';" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
    # The API docs load Swagger UI from its CDN: a CSP of their own, still no framing.
    docs = client.get("/docs").headers["content-security-policy"]
    assert "cdn.jsdelivr.net" in docs and "frame-ancestors 'none'" in docs


def test_host_allow_list_blocks_dns_rebinding(client_for):
    from fastapi.testclient import TestClient

    client = client_for()
    assert client.get("/api/health").status_code == 200
    rebound = TestClient(client.app, base_url="http://attacker.example:8000")
    res = rebound.get("/api/health")
    assert res.status_code == 400 and "--allowed-host attacker.example" in res.json()["detail"]
    named = client_for(allowed_hosts=[".newsroom.example"])
    assert TestClient(named.app, base_url="http://fs.newsroom.example").get("/").status_code == 200


def test_cross_site_posts_are_refused_same_origin_ones_pass(client_for):
    client = client_for()
    evil = client.post("/api/jobs", files=_toy(), headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403
    null = client.post("/api/jobs", files=_toy(), headers={"Origin": "null"})
    assert null.status_code == 403
    fetch_site = client.post("/api/jobs", files=_toy(), headers={"Sec-Fetch-Site": "cross-site"})
    assert fetch_site.status_code == 403
    same = client.post("/api/jobs", files=_toy(), headers={"Origin": "http://localhost"})
    assert same.status_code == 202
    assert client.post("/api/jobs", files=_toy()).status_code == 202  # a script: no Origin


def test_cors_is_off_by_default_and_on_for_named_origins(client_for):
    plain = client_for().get("/api/health", headers={"Origin": "https://tool.example"})
    assert "access-control-allow-origin" not in plain.headers
    client = client_for(cors_origins=["https://tool.example"])
    res = client.get("/api/health", headers={"Origin": "https://tool.example"})
    assert res.headers["access-control-allow-origin"] == "https://tool.example"
    post = client.post("/api/jobs", files=_toy(), headers={"Origin": "https://tool.example"})
    assert post.status_code == 202


def test_api_keys_guard_the_api_and_scope_history(client_for):
    client = client_for(api_keys={"alice-secret": "alice", "bob-secret-1": "bob"})
    assert client.get("/").status_code == 200  # the page asks for a key itself
    assert client.get("/api/health").status_code == 200
    refused = client.post("/api/scan", files=_toy())
    assert refused.status_code == 401 and "X-API-Key" in refused.json()["detail"]
    assert client.get("/api/scans", headers={"X-API-Key": "wrong-key"}).status_code == 401
    alice = {"X-API-Key": "alice-secret"}
    bob = {"Authorization": "Bearer bob-secret-1"}
    report = client.post("/api/scan", files=_toy(), headers=alice).json()["reports"][0]
    client.post("/api/scan", files=_toy("b.toy", b"TOY1 0.9"), headers=bob)
    mine = client.get("/api/scans", headers=alice).json()["scans"]
    assert [s["filename"] for s in mine] == ["a.toy"]
    assert client.get(f"/api/scans/{report['id']}", headers=bob).status_code == 404
    assert client.get(f"/api/scans/{report['id']}", headers=alice).status_code == 200
    stored = client.app.state.service.store.recent(10)
    assert all("secret" not in str(row) for row in stored)


def test_rate_limit_per_key_counts_files(client_for):
    client = client_for(rate_limit=(3.0, 3600.0), api_keys={"alice-secret": "alice"})
    alice = {"X-API-Key": "alice-secret"}
    assert client.post("/api/jobs", files=_toy(), headers=alice).status_code == 202
    two = _toy("b.toy") + _toy("c.toy", b"TOY1 0.1")
    assert client.post("/api/jobs", files=two, headers=alice).status_code == 202
    over = client.post("/api/jobs", files=_toy("d.toy"), headers=alice)
    assert over.status_code == 429 and int(over.headers["retry-after"]) > 0


def test_rate_limiter_refills():
    limiter = RateLimiter(2, 0.2)
    assert limiter.take("a")[0] and limiter.take("a")[0] and not limiter.take("a")[0]
    assert limiter.take("b")[0]  # buckets are per principal
    import time

    time.sleep(0.15)
    assert limiter.take("a")[0]


@pytest.mark.parametrize(
    ("host", "allowed", "ok"),
    [
        ("127.0.0.1:8000", ["127.0.0.1"], True),
        ("LOCALHOST", ["localhost"], True),
        ("[::1]:8000", ["::1"], True),
        ("localhost.evil.example", ["localhost"], False),
        ("a.b.example", [".b.example"], True),
        ("b.example", [".b.example"], True),
        ("xb.example", [".b.example"], False),
        ("", ["localhost"], False),
        ("anything", ["*"], True),
    ],
)
def test_host_allowed(host, allowed, ok):
    assert host_allowed(host, allowed) is ok
