"""Database tables (SQLAlchemy Core). Change them only together with a migration in migrations/.

- ``analyses``: what the detectors said about one file, keyed by the file's SHA-256 and the
  detector set (so the same file is never analysed twice by the same detectors);
- ``pictures``: evidence pictures, stored once by their own SHA-256;
- ``scans``: the history, one row per reported item, owned by an API key (or "" without keys);
- ``jobs``: uploads in progress or done.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()
# SQLite only auto-increments an INTEGER PRIMARY KEY; elsewhere use 64-bit ids.
BigId = BigInteger().with_variant(Integer(), "sqlite")

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(128), nullable=False, default=""),
    Column("instance", String(32), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("finished", DateTime(timezone=True)),
    Column("status", String(16), nullable=False),
    Column("total", Integer, nullable=False),
    Column("done", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("idempotency_key", String(128)),
    Column("request_sha", String(64)),
    UniqueConstraint("owner", "idempotency_key", name="uq_jobs_owner_idempotency_key"),
)

analyses = Table(
    "analyses",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False),
    Column("detectors_key", String(64), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("records_json", Text, nullable=False),
    UniqueConstraint("sha256", "detectors_key", name="uq_analyses_sha256_detectors"),
)

pictures = Table(
    "pictures",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("png", LargeBinary, nullable=False),
    Column("width", Integer),
    Column("height", Integer),
    Column("created", DateTime(timezone=True), nullable=False),
)

analysis_pictures = Table(
    "analysis_pictures",
    metadata,
    Column("analysis_id", BigId, ForeignKey("analyses.id", ondelete="CASCADE"), primary_key=True),
    Column("picture_sha256", String(64), ForeignKey("pictures.sha256"), primary_key=True),
)

scans = Table(
    "scans",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("owner", String(128), nullable=False, default=""),
    Column("job_id", String(32), index=True),
    Column("position", Integer, nullable=False, default=0),
    Column("part", Integer, nullable=False, default=0),
    Column("filename", String(512), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("analysis_id", BigId, ForeignKey("analyses.id", ondelete="SET NULL")),
    Column("cached", Boolean, nullable=False, default=False),
    Column("modality", String(32)),
    Column("score", Float),
    Column("verdict", String(256), nullable=False),
    Column("error", Text),
    Index("ix_scans_owner_id", "owner", "id"),
)
