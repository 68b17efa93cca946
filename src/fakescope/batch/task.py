"""The unit of work sent to a cluster worker: scan a chunk of files with a worker-local Scanner."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from fakescope.core.pipeline import DEFAULT_MEMORY_BUDGET, DEFAULT_TIMEOUT

_SCANNERS: dict[Any, Any] = {}


@dataclass(frozen=True)
class ScanConfig:
    """How workers build their Scanner (pickled to every worker).

    ``timeout`` (seconds per loading step and scoring batch, ``None``: no limit) and
    ``memory_budget`` (bytes of decoded data) are the Scanner's own limits, so a cluster scan
    stops a stuck file as ``fakescope scan --timeout`` does on one machine.
    """

    detectors: tuple[str, ...] | None = None
    extra: tuple[str, ...] = ()
    batch_size: int = 16
    threads: int | None = None
    plugin_files: tuple[str, ...] = ()
    timeout: float | None = DEFAULT_TIMEOUT
    memory_budget: int = DEFAULT_MEMORY_BUDGET


def scanner_for(config: ScanConfig) -> Any:
    """One Scanner per worker process and config (models load once, on the first chunk)."""
    scanner = _SCANNERS.get(config)
    if scanner is None:
        from fakescope.core.pipeline import Scanner

        for path in config.plugin_files:
            from fakescope.service.worker import run_plugin_file

            run_plugin_file(path)
        if config.threads:
            os.environ.setdefault("OMP_NUM_THREADS", str(config.threads))
            import torch

            torch.set_num_threads(config.threads)
        scanner = Scanner(
            config.detectors,
            extra=config.extra,
            batch_size=config.batch_size,
            timeout=config.timeout,
            memory_budget=config.memory_budget,
        )
        _SCANNERS[config] = scanner
    return scanner


def scan_chunk(chunk: list[tuple[str, str]], config: ScanConfig) -> list[tuple[str, list[dict]]]:
    """Scan ``[(path on the worker, path as shown), ...]``; records per input, in order.

    The chunk goes to the Scanner in one call, as a single-process scan would batch it, so the
    records are the same as ``fakescope scan --json`` prints.
    """
    scanner = scanner_for(config)
    shown = dict(chunk)
    out: dict[str, list[dict]] = {real: [] for real, _ in chunk}
    for report in scanner.scan([real for real, _ in chunk]):
        real = _owner(report.path, out)
        record = report.to_dict()
        suffix = report.path[len(real) :] if real is not None else ""
        if real is None:  # a path the scanner rewrote: keep it, never lose a record
            out.setdefault(report.path, []).append(record)
            continue
        record["path"] = shown[real] + suffix
        if isinstance(record.get("error"), str) and real != shown[real]:
            record["error"] = record["error"].replace(real, shown[real])
        out[real].append(record)
    return [(shown.get(real, real), records) for real, records in out.items()]


def _owner(path: str, inputs: dict[str, list[dict]]) -> str | None:
    if path in inputs:
        return path
    base = path.rsplit("#", 1)[0]
    return base if base in inputs else None
