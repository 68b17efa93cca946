"""FastAPI application: upload files, get calibrated verdicts with evidence, browse the history.

Run it with ``fakescope serve`` (or ``uvicorn --factory fakescope.service.app:create_app``).
Uploads are analysed in separate processes (``pool``), as jobs (``POST /api/jobs``) whose
progress streams to the page; history, analyses and pictures live in the store (``store``).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import replace
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, Response

from fakescope import __version__
from fakescope.core.registry import detector_specs
from fakescope.report.render import stylesheet
from fakescope.service import api
from fakescope.service.context import Service
from fakescope.service.models import DetectorList, Health
from fakescope.service.security import GuardMiddleware
from fakescope.service.settings import MB, ServiceSettings
from fakescope.service.worker import run_plugin_file

STATIC = {"page.js": "text/javascript", "page.css": "text/css"}


def create_app(
    db_url: str | None = None,
    detectors: list[str] | None = None,
    max_upload_bytes: int | None = None,
    extra: list[str] | None = None,
    *,
    settings: ServiceSettings | None = None,
) -> FastAPI:
    """Build the service (starts its analysis processes; ``app.state.service.close()`` stops them).

    Parameters
    ----------
    db_url : str, optional
        SQLAlchemy URL for the store (default: SQLite in the data folder;
        ``postgresql+psycopg://user:pw@host/db`` for a shared team database).
    detectors, extra : list of str, optional
        Detectors to run instead of the defaults / opt-in detectors to add.
    max_upload_bytes : int, optional
        Per-file upload limit (overrides ``settings.max_upload_mb``).
    settings : ServiceSettings, optional
        Everything else (workers, limits, API keys, hosts, retention, data folder).

    Examples
    --------
    >>> from fastapi.testclient import TestClient  # doctest: +SKIP
    >>> client = TestClient(create_app("sqlite://"), base_url="http://localhost")  # doctest: +SKIP
    >>> client.get("/api/health").json()["status"]  # doctest: +SKIP
    'ok'
    """
    settings = replace(settings) if settings is not None else ServiceSettings.from_env()
    if db_url is not None:
        settings.db_url = db_url
    if detectors is not None:
        settings.detectors = list(detectors)
    if extra is not None:
        settings.extra = list(extra)
    if max_upload_bytes is not None:
        settings.max_upload_mb = max_upload_bytes / MB
    for path in settings.plugin_files:
        run_plugin_file(path)
    _check_detector_names(settings)
    service = Service.start(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        service.close()

    app = FastAPI(
        title="fakescope",
        version=__version__,
        description="Synthetic-media forensics: calibrated verdicts with evidence.",
        lifespan=lifespan,
    )
    app.state.service = service
    app.include_router(api.router(service))
    _pages(app, service)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Authorization", "Idempotency-Key"],
        )
    app.add_middleware(GuardMiddleware, settings=settings, limiter=service.limiter)
    return app


def _check_detector_names(settings: ServiceSettings) -> None:
    from fakescope.core.registry import get_detector_spec

    for name in (settings.detectors or []) + (settings.extra or []):
        get_detector_spec(name)  # KeyError with the installed names


def _pages(app: FastAPI, service: Service) -> None:
    settings = service.settings
    template = _page_template()

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def index() -> str:
        return template.render(
            version=__version__,
            needs_key=bool(settings.api_keys),
            max_files=settings.max_files,
            max_upload_mb=settings.max_upload_mb,
        )

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name == "report.css":
            return Response(stylesheet(), media_type="text/css")
        if name not in STATIC:
            raise HTTPException(404, "no such file")
        body = files("fakescope.service").joinpath("static", name).read_text(encoding="utf-8")
        return Response(body, media_type=STATIC[name], headers={"cache-control": "no-cache"})

    @app.get("/api/health", response_model=Health)
    async def health() -> dict[str, Any]:  # async: answers even when every thread is busy
        pool = service.pool
        return {
            "status": "ok",
            "version": __version__,
            "workers": len(pool.slots),
            "workers_alive": pool.alive,
            "queued_files": pool.pending,
        }

    @app.get("/api/detectors", response_model=DetectorList)
    def list_detectors() -> dict[str, Any]:
        from fakescope.core.pipeline import Scanner

        scanner = Scanner(detectors=settings.detectors, extra=settings.extra)
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


def _page_template() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("fakescope.service", "templates"), autoescape=True
    )
    return env.get_template("page.html.j2")
