"""History, analyses, pictures and jobs: SQLite in the data folder, PostgreSQL (any URL) for teams.

The schema is managed by Alembic migrations (``fakescope/service/migrations``), applied when the
store opens; a database made by an older release is upgraded in place, its history kept.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from fakescope.service.database import make_engine, migrate
from fakescope.service.outcome import FILE_TOKEN, Outcome
from fakescope.service.tables import analyses, analysis_pictures, jobs, pictures, scans


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; they were written in UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


class ScanStore:
    """All persistent state of the service.

    Examples
    --------
    >>> store = ScanStore("sqlite://")  # in memory
    >>> job = store.create_job(owner="", instance="i", total=1)[0]
    >>> rec = {"path": "", "modality": "image", "score": 0.2, "verdict": "likely real",
    ...        "error": None}
    >>> ids = store.finish_file(job, 0, "a.png", "0" * 64, "k", Outcome([rec], {}))
    >>> store.get(ids[0])["report"]["path"]
    'a.png'
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        migrate(self.engine)

    # -- jobs ---------------------------------------------------------------------------------
    def create_job(
        self,
        owner: str,
        instance: str,
        total: int,
        idempotency_key: str | None = None,
        request_sha: str | None = None,
        job_id: str | None = None,
    ) -> tuple[str, bool]:
        """A new job id, or (existing id, True) when the idempotency key was seen before.

        Raises ``ValueError`` when the key was used for a different request.
        """
        import uuid

        job_id = job_id or uuid.uuid4().hex
        row = {
            "id": job_id,
            "owner": owner,
            "instance": instance,
            "created": now(),
            "status": "queued" if total else "done",
            "total": total,
            "done": 0,
            "failed": 0,
            "idempotency_key": idempotency_key,
            "request_sha": request_sha,
            "finished": None if total else now(),
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(jobs).values(**row))
            return job_id, False
        except IntegrityError:
            if idempotency_key is None:
                raise
        with self.engine.connect() as conn:
            found = conn.execute(
                select(jobs.c.id, jobs.c.request_sha).where(
                    jobs.c.owner == owner, jobs.c.idempotency_key == idempotency_key
                )
            ).first()
        if found is None:  # pragma: no cover - deleted between the two statements
            raise ValueError("idempotency key conflict; retry")
        if request_sha is not None and found.request_sha not in (None, request_sha):
            raise ValueError("this Idempotency-Key was used for a different request")
        return found.id, True

    def job(self, job_id: str, owner: str | None = None) -> dict[str, Any] | None:
        """Progress and results of a job (``owner`` given: only that owner's job)."""
        query = select(jobs).where(jobs.c.id == job_id)
        if owner is not None:
            query = query.where(jobs.c.owner == owner)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            results = self._records(conn, scans.c.job_id == job_id)
        m = row._mapping
        status = m["status"]
        if status == "queued" and m["done"]:
            status = "running"
        return {
            "id": m["id"],
            "status": status,
            "created": _utc(m["created"]),
            "finished": _utc(m["finished"]),
            "total": m["total"],
            "done": m["done"],
            "failed": m["failed"],
            "results": results,
            "error": "the server stopped before this job finished; send the files again"
            if status == "interrupted"
            else None,
        }

    def interrupt_jobs(self, instances: Iterable[str]) -> int:
        instances = list(instances)
        if not instances:
            return 0
        with self.engine.begin() as conn:
            result = conn.execute(
                sql_update(jobs)
                .where(jobs.c.instance.in_(instances), jobs.c.status.in_(("queued", "running")))
                .values(status="interrupted", finished=now())
            )
        return result.rowcount or 0

    # -- analyses -----------------------------------------------------------------------------
    def cached(self, sha256: str, detectors_key: str) -> tuple[int, list[dict[str, Any]]] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(analyses.c.id, analyses.c.records_json).where(
                    analyses.c.sha256 == sha256, analyses.c.detectors_key == detectors_key
                )
            ).first()
        return None if row is None else (row.id, json.loads(row.records_json))

    def finish_file(
        self,
        job_id: str,
        position: int,
        name: str,
        sha256: str,
        detectors_key: str,
        outcome: Outcome,
        owner: str = "",
        analysis_id: int | None = None,
    ) -> list[int]:
        """Store one file's outcome and its history rows, and count it done: one transaction."""
        with self.engine.begin() as conn:
            cached = analysis_id is not None
            if analysis_id is None and outcome.cacheable:
                analysis_id = self._save_analysis(conn, sha256, detectors_key, outcome)
            ids = []
            for part, record in enumerate(outcome.records):
                suffix = str(record.get("path") or "")
                ids.append(
                    conn.execute(
                        insert(scans).values(
                            created=now(),
                            owner=owner,
                            job_id=job_id,
                            position=position,
                            part=part,
                            filename=(name + suffix)[:512],
                            sha256=sha256,
                            analysis_id=analysis_id,
                            cached=cached,
                            modality=record.get("modality"),
                            score=record.get("score"),
                            verdict=(record.get("verdict") or "error")[:256],
                            error=_named(record.get("error"), name),
                        )
                    ).inserted_primary_key[0]
                )
            failed = sum(1 for r in outcome.records if r.get("error"))
            conn.execute(
                sql_update(jobs)
                .where(jobs.c.id == job_id)
                .values(done=jobs.c.done + 1, failed=jobs.c.failed + failed, status="running")
            )
            conn.execute(
                sql_update(jobs)
                .where(jobs.c.id == job_id, jobs.c.done >= jobs.c.total)
                .values(status="done", finished=now())
            )
        return [int(i) for i in ids]

    def _save_analysis(self, conn, sha256: str, detectors_key: str, outcome: Outcome) -> int:
        for digest, (png, width, height) in outcome.pictures.items():
            if conn.execute(select(pictures.c.sha256).where(pictures.c.sha256 == digest)).first():
                continue
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(pictures).values(
                            sha256=digest, png=png, width=width, height=height, created=now()
                        )
                    )
            except IntegrityError:  # stored by a concurrent request
                pass
        try:
            with conn.begin_nested():
                analysis_id = conn.execute(
                    insert(analyses).values(
                        sha256=sha256,
                        detectors_key=detectors_key,
                        created=now(),
                        records_json=json.dumps(outcome.records),
                    )
                ).inserted_primary_key[0]
                for digest in outcome.pictures:
                    conn.execute(
                        insert(analysis_pictures).values(
                            analysis_id=analysis_id, picture_sha256=digest
                        )
                    )
        except IntegrityError:  # the same file finished in parallel: keep the first analysis
            analysis_id = conn.execute(
                select(analyses.c.id).where(
                    analyses.c.sha256 == sha256, analyses.c.detectors_key == detectors_key
                )
            ).scalar_one()
        return int(analysis_id)

    # -- history ------------------------------------------------------------------------------
    def recent(self, limit: int = 50, owner: str | None = None) -> list[dict[str, Any]]:
        query = select(scans).order_by(scans.c.id.desc()).limit(max(1, min(limit, 1000)))
        if owner is not None:
            query = query.where(scans.c.owner == owner)
        with self.engine.connect() as conn:
            return [self._summary(r._mapping) for r in conn.execute(query)]

    def get(self, scan_id: int, owner: str | None = None) -> dict[str, Any] | None:
        condition = scans.c.id == scan_id
        if owner is not None:
            condition = and_(condition, scans.c.owner == owner)
        with self.engine.connect() as conn:
            row = conn.execute(select(scans).where(condition)).first()
            if row is None:
                return None
            records = self._records(conn, condition)
        out = self._summary(row._mapping)
        out["report"] = records[0]
        return out

    def picture(self, sha256: str, owner: str | None = None) -> bytes | None:
        query = select(pictures.c.png).where(pictures.c.sha256 == sha256)
        if owner is not None:  # only pictures of this owner's own scans
            query = query.where(
                exists()
                .where(analysis_pictures.c.picture_sha256 == pictures.c.sha256)
                .where(scans.c.analysis_id == analysis_pictures.c.analysis_id)
                .where(scans.c.owner == owner)
            )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def purge(self, older_than: dt.datetime) -> dict[str, int]:
        """Delete history, jobs and analyses older than ``older_than`` and orphaned pictures."""
        with self.engine.begin() as conn:
            n_scans = conn.execute(delete(scans).where(scans.c.created < older_than)).rowcount
            n_jobs = conn.execute(
                delete(jobs).where(jobs.c.created < older_than, jobs.c.status != "running")
            ).rowcount
            used = select(scans.c.analysis_id).where(scans.c.analysis_id.is_not(None))
            old = and_(analyses.c.created < older_than, analyses.c.id.not_in(used))
            doomed = select(analyses.c.id).where(old)
            conn.execute(
                delete(analysis_pictures).where(analysis_pictures.c.analysis_id.in_(doomed))
            )
            n_analyses = conn.execute(delete(analyses).where(old)).rowcount
            linked = select(analysis_pictures.c.picture_sha256)
            n_pictures = conn.execute(
                delete(pictures).where(pictures.c.sha256.not_in(linked))
            ).rowcount
        return {
            "scans": n_scans or 0,
            "jobs": n_jobs or 0,
            "analyses": n_analyses or 0,
            "pictures": n_pictures or 0,
        }

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (scans, jobs, analyses, pictures)
            }

    # -- helpers ------------------------------------------------------------------------------
    def _records(self, conn, condition) -> list[dict[str, Any]]:
        query = (
            select(scans, analyses.c.records_json)
            .select_from(scans.outerjoin(analyses, analyses.c.id == scans.c.analysis_id))
            .where(condition)
            .order_by(scans.c.position, scans.c.part, scans.c.id)
        )
        out = []
        for row in conn.execute(query):
            m = row._mapping
            stored = json.loads(m["records_json"]) if m["records_json"] else []
            part = m["part"]
            record = dict(stored[part]) if part < len(stored) else _failed_record(m)
            out.append(_public(record, m))
        return out

    @staticmethod
    def _summary(m: Any) -> dict[str, Any]:
        return {
            "id": m["id"],
            "created": _utc(m["created"]),
            "filename": m["filename"],
            "sha256": m["sha256"],
            "modality": m["modality"],
            "score": m["score"],
            "verdict": m["verdict"],
            "error": m["error"],
            "job": m["job_id"],
        }


def _named(text: Any, name: str) -> Any:
    return text.replace(FILE_TOKEN, name) if isinstance(text, str) else text


def _failed_record(m: Any) -> dict[str, Any]:
    return {
        "path": "",
        "modality": m["modality"],
        "score": m["score"],
        "verdict": m["verdict"],
        "thresholds": {"likely_real_below": 0.3, "likely_synthetic_above": 0.7},
        "detectors": {},
        "error": m["error"] or "the stored analysis is no longer available",
        "evidence": [],
        "metadata": {},
    }


def _public(record: dict[str, Any], m: Any) -> dict[str, Any]:
    """A stored record as the API shows it: the upload's name, picture links, history id."""
    name = m["filename"]
    record["path"] = name
    record["error"] = _named(m["error"] if m["error"] else record.get("error"), name)
    evidence = []
    for e in record.get("evidence") or []:
        e = dict(e, reason=_named(e.get("reason"), name))
        arts = []
        for a in e.get("artefacts") or []:
            a = dict(a)
            if a.get("png_sha256"):
                a["png_url"] = f"api/pictures/{a['png_sha256']}.png"
            arts.append(a)
        e["artefacts"] = arts
        evidence.append(e)
    record["evidence"] = evidence
    record.update(id=m["id"], sha256=m["sha256"], cached=bool(m["cached"]))
    return record
