"""Scan history: a SQLite file by default, PostgreSQL (any SQLAlchemy URL) for teams."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
)

metadata = MetaData()
scans = Table(
    "scans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("filename", String(512), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("modality", String(32)),
    Column("score", Float),
    Column("verdict", String(64), nullable=False),
    Column("error", Text),
    Column("report_json", Text, nullable=False),
)


def default_url() -> str:
    """``sqlite:///`` file in the user's data folder (created on first use)."""
    folder = Path.home() / ".local" / "share" / "fakescope"
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'scans.sqlite3'}"


class ScanStore:
    """Keeps one row per scanned item.

    Examples
    --------
    >>> store = ScanStore("sqlite://")  # in memory
    >>> sid = store.add("a.png", "0" * 64, {"modality": "image", "score": 0.2,
    ...                                      "verdict": "likely real", "error": None})
    >>> store.get(sid)["filename"]
    'a.png'
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = create_engine(self.url, future=True)
        metadata.create_all(self.engine)

    def add(self, filename: str, sha256: str, report: dict[str, Any]) -> int:
        row = {
            "created": dt.datetime.now(dt.UTC),
            "filename": filename[:512],
            "sha256": sha256,
            "modality": report.get("modality"),
            "score": report.get("score"),
            "verdict": report.get("verdict") or "error",
            "error": report.get("error"),
            "report_json": json.dumps(report),
        }
        with self.engine.begin() as conn:
            result = conn.execute(insert(scans).values(**row))
            return int(result.inserted_primary_key[0])

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        query = select(scans).order_by(scans.c.id.desc()).limit(max(1, min(limit, 1000)))
        with self.engine.connect() as conn:
            return [self._summary(r._mapping) for r in conn.execute(query)]

    def get(self, scan_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(scans).where(scans.c.id == scan_id)).first()
        if row is None:
            return None
        out = self._summary(row._mapping)
        out["report"] = json.loads(row._mapping["report_json"])
        return out

    @staticmethod
    def _summary(m: Any) -> dict[str, Any]:
        return {
            "id": m["id"],
            "created": m["created"].isoformat() if m["created"] else None,
            "filename": m["filename"],
            "sha256": m["sha256"],
            "modality": m["modality"],
            "score": m["score"],
            "verdict": m["verdict"],
            "error": m["error"],
        }
