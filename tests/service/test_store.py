import base64
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest

from fakescope.service.outcome import Outcome
from fakescope.service.store import ScanStore

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _record(score=0.2, sha=None):
    art = {"kind": "image", "title": "heat map"}
    if sha:
        art.update(png_sha256=sha, width=1, height=1)
    return {
        "path": "",
        "modality": "image",
        "score": score,
        "verdict": "likely real",
        "thresholds": {"likely_real_below": 0.3, "likely_synthetic_above": 0.7},
        "detectors": {"x": score},
        "error": None,
        "evidence": [{"detector": "x", "score": score, "reason": "r", "artefacts": [art]}],
        "metadata": {},
    }


def exercise(store: ScanStore) -> None:
    """The store's contract, run on SQLite and PostgreSQL alike."""
    job, existing = store.create_job("alice", "inst", 2, "key-1", "req-1")
    assert not existing
    assert store.create_job("alice", "inst", 2, "key-1", "req-1") == (job, True)
    with pytest.raises(ValueError, match="different request"):
        store.create_job("alice", "inst", 2, "key-1", "req-2")
    assert store.create_job("bob", "inst", 1, "key-1", "req-9")[1] is False  # keys are per owner
    outcome = Outcome([_record(sha="ab" * 32)], {"ab" * 32: (PNG, 1, 1)})
    first = store.finish_file(job, 0, "a.png", "1" * 64, "det", outcome, owner="alice")
    cached = store.cached("1" * 64, "det")
    assert cached is not None and cached[1][0]["score"] == 0.2
    second = store.finish_file(
        job, 1, "copy.png", "1" * 64, "det", Outcome(cached[1], {}), "alice", cached[0]
    )
    view = store.job(job, owner="alice")
    assert view["status"] == "done" and view["done"] == 2 and view["finished"].tzinfo is not None
    assert [r["path"] for r in view["results"]] == ["a.png", "copy.png"]
    assert [r["cached"] for r in view["results"]] == [False, True]
    assert view["results"][0]["evidence"][0]["artefacts"][0]["png_url"].endswith(".png")
    assert store.job(job, owner="bob") is None
    assert store.get(first[0], owner="alice")["report"]["id"] == first[0]
    assert store.get(second[0], owner="bob") is None
    assert store.picture("ab" * 32, owner="alice") == PNG
    assert store.picture("ab" * 32, owner="bob") is None
    counts = store.counts()
    assert counts["analyses"] == 1 and counts["pictures"] == 1 and counts["scans"] == 2
    # Big ids round-trip (64-bit) and are found; out-of-range ones are the API's 422.
    assert store.get(2**63 - 1) is None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    removed = store.purge(later)
    assert removed["scans"] == 2 and removed["analyses"] == 1 and removed["pictures"] == 1
    assert store.counts()["pictures"] == 0


def test_sqlite_file(tmp_path):
    exercise(ScanStore(f"sqlite:///{tmp_path / 'scans.sqlite3'}"))


def test_in_memory_sqlite_is_one_shared_connection():
    store = ScanStore("sqlite://")
    job, _ = store.create_job("", "i", 1)
    errors = []

    def finish():
        try:
            store.finish_file(job, 0, "a.png", "2" * 64, "k", Outcome([_record()], {}))
        except Exception as exc:  # pragma: no cover - the failure being tested
            errors.append(exc)

    thread = threading.Thread(target=finish)
    thread.start()
    thread.join()
    assert not errors and store.job(job)["status"] == "done"


def test_concurrent_finishes_of_the_same_file_keep_one_analysis(tmp_path):
    store = ScanStore(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    job, _ = store.create_job("", "i", 8)
    outcome = Outcome([_record(sha="cd" * 32)], {"cd" * 32: (PNG, 1, 1)})
    threads = [
        threading.Thread(
            target=store.finish_file, args=(job, i, f"f{i}.png", "3" * 64, "k", outcome)
        )
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = store.counts()
    assert counts == {"scans": 8, "jobs": 1, "analyses": 1, "pictures": 1}
    assert store.job(job)["done"] == 8


def test_a_first_release_database_is_upgraded_with_its_history(tmp_path):
    path = tmp_path / "scans.sqlite3"
    old_report = _record(0.9)
    old_report["path"] = "notes.jsonl#2"
    old_report["evidence"][0]["artefacts"][0]["png_base64"] = base64.b64encode(PNG).decode()
    with sqlite3.connect(path) as conn:  # the first release's table, made by create_all
        conn.execute(
            "CREATE TABLE scans (id INTEGER PRIMARY KEY AUTOINCREMENT, created DATETIME NOT NULL,"
            " filename VARCHAR(512) NOT NULL, sha256 VARCHAR(64) NOT NULL, modality VARCHAR(32),"
            " score FLOAT, verdict VARCHAR(64) NOT NULL, error TEXT, report_json TEXT NOT NULL)"
        )
        conn.execute("CREATE INDEX ix_scans_sha256 ON scans (sha256)")
        conn.execute(
            "INSERT INTO scans (created, filename, sha256, modality, score, verdict, error,"
            " report_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                "2026-11-01 10:00:00",
                "notes.jsonl#2",
                "4" * 64,
                "image",
                0.9,
                "likely synthetic",
                None,
                json.dumps(old_report),
            ),
        )
    store = ScanStore(f"sqlite:///{path}")
    entry = store.get(1)
    assert entry["filename"] == "notes.jsonl#2" and entry["report"]["score"] == 0.9
    artefact = entry["report"]["evidence"][0]["artefacts"][0]
    assert "png_base64" not in artefact and store.picture(artefact["png_sha256"]) == PNG
    assert entry["created"].tzinfo is not None
    with sqlite3.connect(path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(scans)")}
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert "report_json" not in columns and version == "0002"
    assert store.cached("4" * 64, "anything") is None  # legacy rows never answer new scans


def _pg_bin() -> Path | None:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").exists():
            return folder
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@pytest.fixture(scope="module")
def postgres_url():
    """A throwaway PostgreSQL server (apt `postgresql`), or a skip that says what is missing."""
    pytest.importorskip("psycopg", reason="pip install 'fakescope[postgres]' to test PostgreSQL")
    if os.environ.get("FAKESCOPE_TEST_POSTGRES_URL"):
        yield os.environ["FAKESCOPE_TEST_POSTGRES_URL"]
        return
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (apt-get install postgresql)")
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: use its own account
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        run_as = ["runuser", "-u", "postgres", "--"]
    import tempfile

    # Not under pytest's temp folder: its parents are private to root, and the server's user
    # must reach the data folder.
    root = Path(tempfile.mkdtemp(prefix="fakescope-pg-"))
    if run_as:
        shutil.chown(root, "postgres")
    data, port = root / "data", _free_port()

    def run(*cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run([*run_as, *cmd], capture_output=True, text=True, timeout=120)

    init = run(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "fakescope")
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"initdb failed: {init.stderr.strip()[:200]}")
    options = f"-k {root} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off"
    start = run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(root / "log"),
        "-w",
        "start",
    )
    if start.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"PostgreSQL did not start: {start.stderr.strip()[:200]}")
    try:
        yield f"postgresql+psycopg://fakescope@127.0.0.1:{port}/postgres"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_postgresql(postgres_url):
    store = ScanStore(postgres_url)
    exercise(store)
    again = ScanStore(postgres_url)  # migrations are idempotent
    assert again.counts()["scans"] == 0
    store.engine.dispose()
    again.engine.dispose()


def test_the_service_on_postgresql(postgres_url, client_for):
    import io

    client = client_for(db_url=postgres_url)
    files = [("files", ("a.toy", io.BytesIO(b"TOY1 0.7 0.9"), "application/octet-stream"))]
    report = client.post("/api/scan", files=files).json()["reports"][0]
    assert report["verdict"] == "likely synthetic"
    assert client.get(f"/api/scans/{report['id']}").json()["report"]["score"] == report["score"]
    assert client.get("/api/scans/9223372036854775807").status_code == 404
