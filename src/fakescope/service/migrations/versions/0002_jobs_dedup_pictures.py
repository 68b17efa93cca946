"""Jobs, analyses shared by SHA-256 + detectors, pictures stored once, history owned per API key.

Existing history is kept: each old row becomes an analysis of its own (its pictures moved out of
the JSON into ``pictures``), so old scans still open.

Revision ID: 0002
Revises: 0001
"""

import base64
import datetime as dt
import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner", sa.String(128), nullable=False, server_default=""),
        sa.Column("instance", sa.String(32), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("idempotency_key", sa.String(128)),
        sa.Column("request_sha", sa.String(64)),
        sa.UniqueConstraint("owner", "idempotency_key", name="uq_jobs_owner_idempotency_key"),
    )
    op.create_table(
        "analyses",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("detectors_key", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("records_json", sa.Text, nullable=False),
        sa.UniqueConstraint("sha256", "detectors_key", name="uq_analyses_sha256_detectors"),
    )
    op.create_table(
        "pictures",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("png", sa.LargeBinary, nullable=False),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "analysis_pictures",
        sa.Column(
            "analysis_id",
            BigId,
            sa.ForeignKey("analyses.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "picture_sha256", sa.String(64), sa.ForeignKey("pictures.sha256"), primary_key=True
        ),
    )
    with op.batch_alter_table("scans") as batch:
        batch.add_column(sa.Column("owner", sa.String(128), nullable=False, server_default=""))
        batch.add_column(sa.Column("job_id", sa.String(32)))
        batch.add_column(sa.Column("position", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("part", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("analysis_id", BigId))
        batch.add_column(sa.Column("cached", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.alter_column("verdict", type_=sa.String(256), existing_nullable=False)
        batch.create_index("ix_scans_job_id", ["job_id"])
        batch.create_index("ix_scans_owner_id", ["owner", "id"])
    _move_reports_out_of_history()
    with op.batch_alter_table("scans") as batch:
        batch.drop_column("report_json")
        batch.create_foreign_key(
            "fk_scans_analysis_id", "analyses", ["analysis_id"], ["id"], ondelete="SET NULL"
        )


def _move_reports_out_of_history() -> None:
    conn = op.get_bind()
    scans = sa.table(
        "scans",
        sa.column("id"),
        sa.column("sha256"),
        sa.column("created", sa.DateTime(timezone=True)),
        sa.column("report_json"),
        sa.column("analysis_id"),
    )
    analyses = sa.Table(
        "analyses",
        sa.MetaData(),
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64)),
        sa.Column("detectors_key", sa.String(64)),
        sa.Column("created", sa.DateTime(timezone=True)),
        sa.Column("records_json", sa.Text),
    )
    pictures = sa.table(
        "pictures",
        sa.column("sha256"),
        sa.column("png", sa.LargeBinary),
        sa.column("width"),
        sa.column("height"),
        sa.column("created", sa.DateTime(timezone=True)),
    )
    links = sa.table("analysis_pictures", sa.column("analysis_id"), sa.column("picture_sha256"))
    known: set[str] = set(conn.execute(sa.select(pictures.c.sha256)).scalars())
    rows = conn.execute(sa.select(scans.c.id, scans.c.sha256, scans.c.created, scans.c.report_json))
    for scan_id, sha, created, raw in rows.fetchall():
        try:
            record = json.loads(raw)
        except (TypeError, ValueError):
            record = {"error": "this history entry could not be read", "evidence": []}
        found: set[str] = set()
        for evidence in record.get("evidence") or []:
            for artefact in evidence.get("artefacts") or []:
                b64 = artefact.pop("png_base64", None)
                if not b64:
                    continue
                png = base64.b64decode(b64)
                digest = hashlib.sha256(png).hexdigest()
                width, height = _png_size(png)
                artefact.update(png_sha256=digest, width=width, height=height)
                found.add(digest)
                if digest not in known:
                    known.add(digest)
                    conn.execute(
                        pictures.insert().values(
                            sha256=digest,
                            png=png,
                            width=width,
                            height=height,
                            created=created or dt.datetime.now(dt.UTC),
                        )
                    )
        path = str(record.get("path") or "")
        record["path"] = "#" + path.rsplit("#", 1)[1] if "#" in path else ""
        analysis_id = conn.execute(
            analyses.insert().values(
                sha256=sha,
                detectors_key=f"legacy-{scan_id}",
                created=created or dt.datetime.now(dt.UTC),
                records_json=json.dumps([record]),
            )
        ).inserted_primary_key[0]
        for digest in found:
            conn.execute(links.insert().values(analysis_id=analysis_id, picture_sha256=digest))
        conn.execute(scans.update().where(scans.c.id == scan_id).values(analysis_id=analysis_id))


def _png_size(png: bytes) -> tuple[int | None, int | None]:
    if len(png) >= 24 and png[12:16] == b"IHDR":
        return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return None, None


def downgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        batch.add_column(sa.Column("report_json", sa.Text, nullable=False, server_default="{}"))
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT s.id, s.filename, s.part, a.records_json FROM scans s "
            "JOIN analyses a ON a.id = s.analysis_id"
        )
    ).fetchall()
    pngs = dict(conn.execute(sa.text("SELECT sha256, png FROM pictures")).fetchall())
    for scan_id, filename, part, raw in rows:
        records = json.loads(raw)
        record = records[part] if part < len(records) else {}
        record["path"] = filename
        for evidence in record.get("evidence") or []:
            for artefact in evidence.get("artefacts") or []:
                digest = artefact.pop("png_sha256", None)
                artefact.pop("width", None)
                artefact.pop("height", None)
                if digest in pngs:
                    artefact["png_base64"] = base64.b64encode(pngs[digest]).decode("ascii")
        conn.execute(
            sa.text("UPDATE scans SET report_json = :j WHERE id = :i"),
            {"j": json.dumps(record), "i": scan_id},
        )
    with op.batch_alter_table("scans") as batch:
        batch.drop_constraint("fk_scans_analysis_id", type_="foreignkey")
        batch.drop_index("ix_scans_owner_id")
        batch.drop_index("ix_scans_job_id")
        for column in ("cached", "analysis_id", "part", "position", "job_id", "owner"):
            batch.drop_column(column)
        batch.alter_column("verdict", type_=sa.String(64), existing_nullable=False)
    for table in ("analysis_pictures", "pictures", "analyses", "jobs"):
        op.drop_table(table)
