"""FastAPI application: upload files, get calibrated verdicts with evidence, browse the history.

Run it with ``fakescope serve`` (or ``uvicorn --factory fakescope.service.app:create_app``).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Form, HTTPException, UploadFile
from fastapi.responses import HTMLResponse

from fakescope import __version__
from fakescope.core.pipeline import Scanner
from fakescope.core.registry import detector_specs
from fakescope.service.store import ScanStore

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def create_app(
    db_url: str | None = None,
    detectors: list[str] | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    extra: list[str] | None = None,
) -> FastAPI:
    """Build the service.

    Parameters
    ----------
    db_url : str, optional
        SQLAlchemy URL for the scan history (default: a SQLite file in ~/.local/share/fakescope;
        ``postgresql+psycopg://user:pw@host/db`` for a shared team database).
    detectors : list of str, optional
        Detectors to run (default: every default detector).
    extra : list of str, optional
        Opt-in detectors to run as well (e.g. ``["whisper-embed", "anomaly"]``).

    Examples
    --------
    >>> from fastapi.testclient import TestClient  # doctest: +SKIP
    >>> client = TestClient(create_app("sqlite://"))  # doctest: +SKIP
    >>> client.get("/api/health").json()["status"]  # doctest: +SKIP
    'ok'
    """
    app = FastAPI(
        title="fakescope",
        version=__version__,
        description="Synthetic-media forensics: calibrated verdicts with evidence.",
    )
    store = ScanStore(db_url)
    scanner = Scanner(detectors=detectors, extra=extra)
    lock = threading.Lock()  # detectors keep models in memory; one scan at a time per process
    page = files("fakescope.service").joinpath("templates/page.html").read_text(encoding="utf-8")

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        return page

    @app.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/api/detectors")
    def list_detectors() -> dict[str, Any]:
        return {
            "detectors": [
                {
                    "name": s.name,
                    "modality": s.modality,
                    "default": s.default,
                    "runs": s.name in scanner.detector_names_for(s.modality),
                    "description": s.description,
                }
                for s in sorted(detector_specs(), key=lambda s: (s.modality, s.name))
            ]
        }

    @app.post("/api/scan")
    def scan(
        files_: list[UploadFile] | None = File(None, alias="files"),
        text: str | None = Form(None),
    ) -> dict[str, Any]:
        uploads = list(files_ or [])
        if not uploads and not (text and text.strip()):
            raise HTTPException(400, "send one or more files (field 'files') or a 'text' field")
        results: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory(prefix="fakescope-upload-") as tmp:
            staged: list[tuple[str, Path, str]] = []
            for i, upload in enumerate(uploads):
                name = upload.filename or f"upload-{i}"
                target = Path(tmp) / f"{i:04d}-{_safe(name)}"
                digest = _save(upload, target, max_upload_bytes, name)
                staged.append((name, target, digest))
            if text and text.strip():
                target = Path(tmp) / f"{len(staged):04d}-pasted.txt"
                target.write_text(text, encoding="utf-8")
                staged.append(
                    ("pasted text", target, hashlib.sha256(text.encode("utf-8")).hexdigest())
                )
            with lock:
                reports = list(scanner.scan([str(p) for _, p, _ in staged]))
            by_path = {str(p): (name, digest) for name, p, digest in staged}
            for report in reports:
                base = report.path.split("#", 1)
                name, digest = by_path.get(base[0], (report.path, ""))
                shown = name + (f"#{base[1]}" if len(base) == 2 else "")
                payload = report.to_dict(include_png=True)
                payload["path"] = shown
                if payload.get("error"):
                    payload["error"] = payload["error"].replace(base[0], name)
                payload["id"] = store.add(shown, digest, payload)
                results.append(payload)
        return {"reports": results}

    @app.get("/api/scans")
    def recent(limit: int = 50) -> dict[str, Any]:
        return {"scans": store.recent(limit)}

    @app.get("/api/scans/{scan_id}")
    def one(scan_id: int) -> dict[str, Any]:
        found = store.get(scan_id)
        if found is None:
            raise HTTPException(404, f"no scan with id {scan_id}")
        return found

    return app


def _safe(name: str) -> str:
    """Keep the extension (loaders use it) but nothing that could escape the upload folder."""
    cleaned = _SAFE_NAME.sub("_", Path(name).name)[-120:]
    return cleaned or "upload"


def _save(upload: UploadFile, target: Path, limit: int, name: str) -> str:
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as fh:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"{name}: larger than the {limit // (1 << 20)} MB limit")
            digest.update(chunk)
            fh.write(chunk)
    return digest.hexdigest()
