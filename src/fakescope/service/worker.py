"""What runs inside an analysis process: one Scanner, one file at a time.

The parent (``pool.WorkerPool``) owns the clock and the kill switch; this side only caps its own
address space, so that a decoder asking for too much memory fails with ``MemoryError`` (reported
as "too large to load into memory") instead of taking the machine down.
"""

from __future__ import annotations

import hashlib
import os
import signal
from dataclasses import dataclass, field
from typing import Any

from fakescope.core.fusion import Report
from fakescope.service.outcome import FILE_TOKEN, Outcome


@dataclass(frozen=True)
class WorkerConfig:
    """How to build the Scanner in each analysis process (must pickle: sent to spawned children)."""

    detectors: tuple[str, ...] | None = None
    extra: tuple[str, ...] = ()
    plugin_files: tuple[str, ...] = ()
    threads: int = 1
    memory_limit_mb: int = 4096
    preload: bool = True
    env: dict[str, str] = field(default_factory=dict)


def run_plugin_file(path: str) -> None:
    """Execute a Python file that registers detectors/loaders (``serve --plugin FILE``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"fakescope_plugin_{abs(hash(path))}", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def make_scanner(config: WorkerConfig) -> Any:
    from fakescope.core.pipeline import Scanner

    for path in config.plugin_files:
        run_plugin_file(path)
    # One file per analysis: batch size 1 (a batch would let one bad file delay others).
    return Scanner(detectors=config.detectors, extra=config.extra, batch_size=1)


def preload(scanner: Any) -> None:
    """Start every detector this scanner would run, so the first upload is not slow."""
    from fakescope.core.registry import detector_specs

    for modality in sorted({s.modality for s in detector_specs()}):
        for name in scanner.detector_names_for(modality):
            try:
                scanner.detector(name)
            except Exception:  # reported per file as "could not start", like the CLI does
                pass


def analyse(scanner: Any, path: str) -> Outcome:
    """Scan one staged file into an :class:`Outcome` (pictures pulled out of the records)."""
    return outcome_from_reports(list(scanner.scan([path])), path)


def outcome_from_reports(reports: list[Report], path: str) -> Outcome:
    records: list[dict[str, Any]] = []
    pictures: dict[str, tuple[bytes, int | None, int | None]] = {}
    for report in reports:
        record = report.to_dict(include_png=False)
        record["path"] = report.path[len(path) :] if report.path.startswith(path) else ""
        if isinstance(record.get("error"), str):
            record["error"] = record["error"].replace(path, FILE_TOKEN)
        for evidence, stored in zip(report.evidence, record["evidence"], strict=True):
            stored["reason"] = str(stored.get("reason") or "").replace(path, FILE_TOKEN)
            for artefact, out in zip(evidence.artefacts, stored["artefacts"], strict=True):
                png = artefact.picture()  # drawn here: a person will look at it
                if png:
                    digest = hashlib.sha256(png).hexdigest()
                    width, height = _png_size(png)
                    pictures[digest] = (png, width, height)
                    out.update(png_sha256=digest, width=width, height=height)
        records.append(record)
    return Outcome(records, pictures)


MEMORY_SIGNS = (
    "Unable to allocate",
    "MemoryError",
    "too large to load into memory",
    "out of memory",
)


def mark_memory_trouble(outcome: Outcome, limit_mb: int) -> bool:
    """Say where a detector or decoder ran into the memory cap; such outcomes are not cached."""
    note = f" (over the {limit_mb} MB memory limit per analysis process)"
    hit = False
    for record in outcome.records:
        error = record.get("error")
        if isinstance(error, str) and any(sign in error for sign in MEMORY_SIGNS):
            record["error"] = error + note
            hit = True
        for evidence in record.get("evidence") or []:
            reason = evidence.get("reason")
            if isinstance(reason, str) and any(sign in reason for sign in MEMORY_SIGNS):
                evidence["reason"] = reason + note
                hit = True
        if hit and isinstance(record.get("verdict"), str) and record.get("score") is None:
            if any(sign in record["verdict"] for sign in MEMORY_SIGNS):
                record["verdict"] = record["verdict"] + note
    if hit:
        outcome.cacheable = False
    return hit


def _png_size(png: bytes) -> tuple[int | None, int | None]:
    if len(png) >= 24 and png[12:16] == b"IHDR":
        return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    return None, None


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def cap_memory(limit_mb: int) -> None:
    """Allow this process ``limit_mb`` more address space than it uses now (Linux)."""
    import resource

    if limit_mb <= 0:
        return
    current = _address_space()
    if current:
        cap = current + limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def main(argv: list[str] | None = None) -> None:
    """``python -m fakescope.service.worker FD``: the pool's end of a socket pair is FD."""
    import sys
    from multiprocessing.connection import Connection

    argv = sys.argv[1:] if argv is None else argv
    _die_with_parent()
    conn = Connection(int(argv[0]))
    try:
        config = conn.recv()
    except (EOFError, OSError):
        return
    worker_main(conn, config)


def _die_with_parent() -> None:
    """Linux: get SIGKILL when the server dies, even by kill -9 (no orphaned analyses)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def worker_main(conn: Any, config: WorkerConfig) -> None:
    """Build the scanner, say ready, then answer tasks until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(config.threads)
    os.environ.update(config.env)
    try:
        scanner = make_scanner(config)
        if config.preload:
            preload(scanner)
        _torch_threads(config.threads)
        cap_memory(config.memory_limit_mb)
    except BaseException as exc:  # noqa: BLE001 - tell the parent why, then stop
        conn.send(("failed", None, f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid(), None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        task_id, path = message
        try:
            outcome = analyse(scanner, path)
        except MemoryError:
            outcome = Outcome([], {}, cacheable=False)
            conn.send(("memory", task_id, outcome))
            return  # a process that ran out of memory is not trusted with the next file
        except Exception as exc:  # noqa: BLE001 - any bug still gives a per-file answer
            conn.send(("error", task_id, f"analysis failed: {type(exc).__name__}: {exc}"))
            continue
        if mark_memory_trouble(outcome, config.memory_limit_mb):
            conn.send(("done-exit", task_id, outcome))
            return  # start afresh: memory may be fragmented or half-released
        conn.send(("done", task_id, outcome))


def _torch_threads(threads: int) -> None:
    import sys

    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(max(1, threads))


if __name__ == "__main__":
    main()
