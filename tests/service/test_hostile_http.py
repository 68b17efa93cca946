"""Hostile uploads over real HTTP (uvicorn on a loopback port): each gets a clear 4xx, and the
service keeps answering."""

import socket
import struct
import time
import zlib

import httpx
import pytest


def png_bomb(width: int, height: int) -> bytes:
    """A real decompression bomb: a 1-bit black PNG, a few KB that decode to width*height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\0" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture
def server(serve, app_for):
    app = app_for(max_upload_mb=1.0, max_request_mb=3.0, body_idle_timeout_s=1.0)
    with serve(app, limit_concurrency=64) as live:
        yield live


def _still_up(url: str) -> None:
    assert httpx.get(url + "/api/health", timeout=10).json()["status"] == "ok"
    res = httpx.post(url + "/api/scan", files={"files": ("ok.toy", b"TOY1 0.2")}, timeout=30)
    assert res.status_code == 200 and res.json()["reports"][0]["verdict"] == "likely real"


def _post(url: str, name: str, data: bytes) -> httpx.Response:
    return httpx.post(url + "/api/jobs", files={"files": (name, data)}, timeout=30)


def test_decompression_bomb_is_refused_from_its_header(server):
    bomb = png_bomb(20000, 20000)  # 400 Mpx in about 60 KB
    assert len(bomb) < 200_000
    res = _post(server.url, "bomb.png", bomb)
    assert res.status_code == 413
    assert "bomb.png" in res.json()["detail"] and "Mpx" in res.json()["detail"]
    _still_up(server.url)


def test_empty_file_is_422_naming_it(server):
    res = _post(server.url, "nothing.png", b"")
    assert res.status_code == 422 and res.json()["detail"].endswith(
        "nothing.png: the file is empty"
    )
    _still_up(server.url)


def test_path_traversal_name_is_refused_and_nothing_is_written_there(server, tmp_path):
    target = tmp_path / "escaped.toy"
    res = _post(server.url, f"../../../../..{target}", b"TOY1 0.5")
    assert res.status_code == 400 and "must not contain a folder" in res.json()["detail"]
    assert not target.exists()
    _still_up(server.url)


def test_oversized_file_and_oversized_request(server):
    res = _post(server.url, "big.toy", b"TOY1 " + b"0.5 " * 400_000)  # 1.6 MB > 1 MB per file
    assert res.status_code == 413 and "big.toy: larger than the 1 MB limit" in res.json()["detail"]
    huge = b"TOY1 " + b"0.5 " * 1_000_000  # 4 MB > 3 MB per request: refused from its headers
    res = httpx.post(
        server.url + "/api/jobs",
        content=huge,
        timeout=30,
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert res.status_code == 413 and "3 MB" in res.json()["detail"]
    _still_up(server.url)


def test_slow_loris_upload_gets_408_while_others_are_served(server):
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        head = (
            "POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: multipart/form-data; boundary=zz\r\nContent-Length: 100000\r\n\r\n"
        )
        sock.sendall(head.encode() + b"--zz\r\nContent-Disposition: form-")  # then nothing
        start = time.monotonic()
        health = httpx.get(server.url + "/api/health", timeout=10)
        assert health.status_code == 200  # served while the slow client holds its connection
        # the status line and the body may arrive in separate packets: read to the end
        chunks = []
        while chunk := sock.recv(4096):
            chunks.append(chunk)
        answer = b"".join(chunks).decode("latin-1")
        waited = time.monotonic() - start
    assert answer.startswith("HTTP/1.1 408"), answer[:200]
    assert "upload stalled" in answer
    assert waited < 15  # the idle limit is 1 s; generous for a loaded machine
    _still_up(server.url)


def test_hostile_host_and_cross_site_post_over_http(server):
    res = httpx.get(server.url + "/api/health", headers={"Host": "attacker.example"})
    assert res.status_code == 400 and "not allowed" in res.json()["detail"]
    res = httpx.post(
        server.url + "/api/jobs",
        files={"files": ("a.toy", b"TOY1 0.5")},
        headers={"Origin": "http://attacker.example"},
    )
    assert res.status_code == 403
    _still_up(server.url)
