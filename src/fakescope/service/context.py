"""The running service's parts, shared by the routes."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field

from starlette.requests import Request

from fakescope.service.jobs import JobRunner, detectors_key
from fakescope.service.pool import WorkerPool
from fakescope.service.security import RateLimiter
from fakescope.service.settings import ServiceSettings
from fakescope.service.store import ScanStore
from fakescope.service.uploads import Staging, reap_legacy_temp_folders
from fakescope.service.worker import WorkerConfig

log = logging.getLogger(__name__)
PURGE_EVERY_S = 3600.0


@dataclass
class Service:
    settings: ServiceSettings
    store: ScanStore
    pool: WorkerPool
    staging: Staging
    runner: JobRunner
    limiter: RateLimiter | None
    _stop: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def start(cls, settings: ServiceSettings) -> Service:
        """Open the store, clean up after dead servers, start the analysis processes."""
        import os

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = ScanStore(settings.database_url())
        staging = Staging(settings.data_dir / "uploads")
        dead = staging.reap()
        interrupted = store.interrupt_jobs(dead)
        legacy = reap_legacy_temp_folders()
        if dead or legacy:
            log.warning(
                "cleaned up after %d stopped server(s): %d job(s) interrupted, %d old temp "
                "folder(s) removed",
                len(dead),
                interrupted,
                legacy,
            )
        cpus = os.cpu_count() or 1
        config = WorkerConfig(
            detectors=tuple(settings.detectors) if settings.detectors else None,
            extra=tuple(settings.extra or ()),
            plugin_files=tuple(settings.plugin_files),
            threads=max(1, cpus // max(1, settings.workers)),
            memory_limit_mb=settings.memory_limit_mb,
            preload=settings.preload,
        )
        pool = WorkerPool(config, settings.workers, settings.time_limit_s)
        try:
            pool.start()
        except Exception:
            staging.close()
            raise
        key = detectors_key(settings.detectors, settings.extra)
        limiter = RateLimiter(*settings.rate_limit) if settings.rate_limit else None
        service = cls(settings, store, pool, staging, JobRunner(store, pool, staging, key), limiter)
        if settings.keep_days is not None:
            purge = threading.Thread(
                target=service._purge_loop, name="fakescope-purge", daemon=True
            )
            purge.start()
        return service

    def owner(self, request: Request) -> str:
        """Who sent the request: the API key's name, or "" when the service has no keys."""
        return getattr(request.state, "principal", None) or ""

    def visible_to(self, request: Request) -> str | None:
        """The owner whose history a request may see (``None``: all, when there are no keys)."""
        return self.owner(request) if self.settings.api_keys else None

    def purge_now(self) -> dict[str, int]:
        days = self.settings.keep_days
        if days is None:
            return {}
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        return self.store.purge(cutoff)

    def _purge_loop(self) -> None:
        while not self._stop.is_set():
            try:
                removed = self.purge_now()
                if any(removed.values()):
                    log.info("retention: removed %s", removed)
            except Exception:
                log.exception("retention purge failed")
            self._stop.wait(PURGE_EVERY_S)

    def close(self) -> None:
        """Stop the analysis processes and remove this server's upload folder (idempotent)."""
        if self._stop.is_set():
            return
        self._stop.set()
        self.pool.close()
        self.staging.close()
        self.store.engine.dispose()
