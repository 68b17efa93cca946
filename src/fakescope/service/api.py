"""The JSON API: jobs, synchronous scans, history and pictures."""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from fakescope.report.render import render_document, render_items
from fakescope.service.context import Service
from fakescope.service.models import (
    ERRORS,
    HistoryPage,
    JobCreated,
    JobView,
    ScanDetail,
    ScanResponse,
)
from fakescope.service.uploads import (
    StagedFile,
    UploadRefused,
    display_name,
    save_text,
    save_upload,
)

MAX_ID = 2**63 - 1  # largest id any supported database stores
EVENT_POLL_S = 0.3
WAIT_POLL_S = 0.05
FilesField = Annotated[
    list[UploadFile] | None,
    File(alias="files", description="one or more files (images, video, audio, text)"),
]
TextField = Annotated[str | None, Form(description="a text to analyse (pasted)")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        max_length=128,
        description="send the same key again (a retry) to get the same job instead of a new one",
    ),
]
ScanId = Annotated[int, Path(ge=1, le=MAX_ID, description="history id")]
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="job id")]


def router(service: Service) -> APIRouter:
    api = APIRouter(prefix="/api", responses=ERRORS)

    @api.post("/jobs", status_code=202, response_model=JobCreated)
    def create_job(
        request: Request,
        response: Response,
        files: FilesField = None,
        text: TextField = None,
        idempotency_key: IdempotencyKey = None,
    ) -> JobCreated:
        """Queue files for analysis and return the job's id at once (202).

        Follow progress with ``GET /api/jobs/{id}`` or the server-sent events at
        ``/api/jobs/{id}/events``. A retry with the same ``Idempotency-Key`` returns the same job.
        """
        job_id, existing, total = _submit(service, request, files, text, idempotency_key)
        if existing:
            response.status_code = 200
        job = service.store.job(job_id)
        return JobCreated(
            id=job_id,
            status=job["status"] if job else "queued",
            total=total,
            url=f"api/jobs/{job_id}",
            events=f"api/jobs/{job_id}/events",
        )

    @api.post("/scan", response_model=ScanResponse)
    async def scan(
        request: Request,
        files: FilesField = None,
        text: TextField = None,
        idempotency_key: IdempotencyKey = None,
    ) -> dict[str, Any]:
        """Analyse files and answer when all are done (for scripts; the page uses jobs)."""
        job_id, _existing, _total = await run_in_threadpool(
            _submit, service, request, files, text, idempotency_key
        )
        event = service.runner.event(job_id)
        # Wait without holding a thread: hundreds of waiting requests must not starve the
        # thread pool that /api/health, the page and the uploads themselves need.
        while event is not None and not event.is_set():
            await asyncio.sleep(WAIT_POLL_S)
        job = await run_in_threadpool(service.store.job, job_id)
        return {"job": job_id, "reports": job["results"] if job else []}

    @api.get("/jobs/{job_id}", response_model=JobView)
    def job(request: Request, job_id: JobId) -> dict[str, Any]:
        """Progress and the results so far (in upload order)."""
        return _job_or_404(service, request, job_id)

    @api.get(
        "/jobs/{job_id}/events",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def job_events(request: Request, job_id: JobId, html: bool = False) -> StreamingResponse:
        """Server-sent events: ``progress`` whenever a file finishes, ``result`` for each report
        (with its rendered HTML when ``html=true``), then ``end``."""
        await run_in_threadpool(_job_or_404, service, request, job_id)
        stream = _events(service, request, job_id, html)
        headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
        return StreamingResponse(stream, media_type="text/event-stream", headers=headers)

    @api.get("/jobs/{job_id}/report.html", response_class=HTMLResponse)
    def job_report(request: Request, job_id: JobId) -> HTMLResponse:
        """The job's reports as one self-contained HTML page (pictures inline), to keep."""
        job = _job_or_404(service, request, job_id)
        records = [_inline_pictures(service, request, r) for r in job["results"]]
        headers = {"content-disposition": f'attachment; filename="fakescope-{job_id[:8]}.html"'}
        return HTMLResponse(render_document(records), headers=headers)

    @api.get("/scans", response_model=HistoryPage)
    def recent(
        request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 50
    ) -> dict[str, Any]:
        """The most recent history entries (only your own when the service uses API keys)."""
        return {"scans": service.store.recent(limit, owner=service.visible_to(request))}

    @api.get("/scans/{scan_id}", response_model=ScanDetail)
    def one(request: Request, scan_id: ScanId) -> dict[str, Any]:
        """One history entry with its full report."""
        found = service.store.get(scan_id, owner=service.visible_to(request))
        if found is None:
            raise HTTPException(404, f"no scan with id {scan_id}")
        return found

    @api.get("/scans/{scan_id}/html", response_class=HTMLResponse)
    def one_html(request: Request, scan_id: ScanId) -> str:
        """One report rendered by the same template as the HTML report."""
        return render_items([one(request, scan_id)["report"]])

    @api.get(
        "/pictures/{sha256}.png",
        response_class=Response,
        responses={200: {"content": {"image/png": {}}}},
    )
    def picture(request: Request, sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]):
        """An evidence picture (stored once, however many reports show it)."""
        png = service.store.picture(sha256, owner=service.visible_to(request))
        if png is None:
            raise HTTPException(404, "no such picture")
        headers = {"cache-control": "private, max-age=31536000, immutable"}
        return Response(png, media_type="image/png", headers=headers)

    return api


def _submit(
    service: Service,
    request: Request,
    files: list[UploadFile] | None,
    text: str | None,
    idempotency_key: str | None,
) -> tuple[str, bool, int]:
    settings = service.settings
    uploads = list(files or [])
    has_text = bool(text and text.strip())
    count = len(uploads) + has_text
    if not count:
        raise HTTPException(400, "send one or more files (field 'files') or a 'text' field")
    if count > settings.max_files:
        raise HTTPException(413, f"{count} files in one request; the limit is {settings.max_files}")
    owner = service.owner(request)
    if service.limiter is not None and count > 1:
        allowed, wait = service.limiter.take(owner or _client(request), cost=count - 1)
        if not allowed:
            raise HTTPException(
                429,
                f"rate limit reached ({count} files); retry in {wait:.0f} s",
                headers={"retry-after": str(max(1, round(wait)))},
            )
    job_id = uuid.uuid4().hex
    folder = service.staging.job_dir(job_id)
    staged: list[StagedFile] = []
    refusals: list[UploadRefused] = []
    try:
        for index, upload in enumerate(uploads):
            try:
                name = display_name(upload.filename, index)
                staged.append(save_upload(upload.file, name, folder, index, settings))
            except UploadRefused as exc:
                refusals.append(exc)
        if has_text:
            staged.append(save_text(text or "", folder, len(uploads)))
        if refusals:
            detail = "; ".join(str(r) for r in refusals)
            raise HTTPException(refusals[0].status, f"nothing was analysed: {detail}")
        request_sha = hashlib.sha256(
            json.dumps([(f.name, f.sha256) for f in staged]).encode()
        ).hexdigest()
        try:
            job_id_found, existing = service.store.create_job(
                owner,
                service.staging.instance,
                len(staged),
                idempotency_key,
                request_sha,
                job_id=job_id,
            )
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
    except BaseException:
        service.staging.discard(job_id)
        raise
    if existing:
        service.staging.discard(job_id)
        return job_id_found, True, len(staged)
    service.runner.run(job_id, owner, staged)
    return job_id, False, len(staged)


def _client(request: Request) -> str:
    return f"ip:{request.client.host}" if request.client else "ip:unknown"


def _job_or_404(service: Service, request: Request, job_id: str) -> dict[str, Any]:
    job = service.store.job(job_id, owner=service.visible_to(request))
    if job is None:
        raise HTTPException(404, f"no job with id {job_id}")
    return job


async def _events(
    service: Service, request: Request, job_id: str, html: bool
) -> AsyncIterator[str]:
    sent = 0
    last: tuple[int, str] | None = None
    owner = service.visible_to(request)
    while True:
        job = await run_in_threadpool(service.store.job, job_id, owner)
        if job is None:
            yield _sse("end", {"status": "gone"})
            return
        for record in job["results"][sent:]:
            payload: dict[str, Any] = {"record": record}
            if html:
                payload["html"] = render_items([record])
            yield _sse("result", payload)
        sent = len(job["results"])
        state = (job["done"], job["status"])
        if state != last:
            last = state
            progress = {k: job[k] for k in ("status", "total", "done", "failed")}
            yield _sse("progress", progress)
        if job["status"] in ("done", "interrupted"):
            yield _sse("end", {"status": job["status"], "error": job["error"]})
            return
        if await request.is_disconnected():
            return
        await asyncio.sleep(EVENT_POLL_S)


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n"


def _inline_pictures(service: Service, request: Request, record: dict[str, Any]) -> dict[str, Any]:
    import base64

    owner = service.visible_to(request)
    for evidence in record.get("evidence") or []:
        for artefact in evidence.get("artefacts") or []:
            digest = artefact.pop("png_url", None) and artefact.get("png_sha256")
            png = service.store.picture(digest, owner=owner) if digest else None
            if png:
                artefact["png_base64"] = base64.b64encode(png).decode("ascii")
    return record
