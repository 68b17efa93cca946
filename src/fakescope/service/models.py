"""Response models of the web API (they give /docs real schemas)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from fakescope.report.records import ScanRecord

JobStatus = Literal["queued", "running", "done", "interrupted"]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    workers: int = Field(..., description="analysis processes")
    workers_alive: int
    queued_files: int


class DetectorInfo(BaseModel):
    name: str
    modality: str
    default: bool
    runs: bool = Field(..., description="whether this service runs it")
    description: str


class DetectorList(BaseModel):
    detectors: list[DetectorInfo]


class HistoryItem(BaseModel):
    id: int
    created: dt.datetime = Field(..., description="UTC, with time zone")
    filename: str
    sha256: str
    modality: str | None
    score: float | None
    verdict: str
    error: str | None
    job: str | None = Field(None, description="the job that produced it")


class HistoryPage(BaseModel):
    scans: list[HistoryItem]


class ScanDetail(HistoryItem):
    report: ScanRecord


class ScanResponse(BaseModel):
    """Synchronous scan (``POST /api/scan``): every report, in upload order."""

    job: str
    reports: list[ScanRecord]


class JobView(BaseModel):
    id: str
    status: JobStatus
    created: dt.datetime
    finished: dt.datetime | None
    total: int = Field(..., description="files in the job")
    done: int = Field(..., description="files analysed so far")
    failed: int = Field(..., description="files that could not be analysed (counted in done)")
    results: list[ScanRecord] = Field(
        default_factory=list, description="reports so far, in upload order"
    )
    error: str | None = None


class JobCreated(BaseModel):
    id: str
    status: JobStatus
    total: int
    url: str = Field(..., description="poll this for progress and results")
    events: str = Field(..., description="server-sent events: progress and each result")


class ErrorBody(BaseModel):
    detail: str


ERRORS = {
    400: {"model": ErrorBody, "description": "bad request"},
    401: {"model": ErrorBody, "description": "missing or wrong API key"},
    403: {"model": ErrorBody, "description": "cross-site request or host not allowed"},
    408: {"model": ErrorBody, "description": "the upload was too slow"},
    413: {"model": ErrorBody, "description": "too large or too many files"},
    415: {"model": ErrorBody, "description": "not a file type fakescope reads"},
    429: {"model": ErrorBody, "description": "rate limit reached"},
}
