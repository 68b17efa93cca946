"""Where chunks run: in this process, on a Dask cluster or on a Ray cluster.

Each engine takes chunks of ``(path on the workers, path as shown)`` and yields every chunk's
records as soon as that chunk is done (completion order, not input order).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from fakescope.batch.task import ScanConfig, scan_chunk

Chunk = list[tuple[str, str]]
Results = list[tuple[str, list[dict]]]
ENGINES = ("local", "dask", "ray")


class EngineUnavailable(RuntimeError):
    """The engine's package is not installed or its cluster cannot be reached."""


class LocalEngine:
    """This process, one chunk after the other (what ``fakescope scan`` does without --engine)."""

    name = "local"

    def __init__(self, config: ScanConfig) -> None:
        self.config = config

    def run(self, chunks: list[Chunk]) -> Iterator[Results]:
        for chunk in chunks:
            yield scan_chunk(chunk, self.config)

    def describe(self) -> str:
        return "this process"

    def close(self) -> None:
        pass


class DaskEngine:
    """A Dask distributed cluster: ``address`` of a running scheduler, or a local cluster.

    Examples
    --------
    >>> engine = DaskEngine(ScanConfig(), workers=2)  # doctest: +SKIP
    >>> for results in engine.run(chunks): ...  # doctest: +SKIP
    """

    name = "dask"

    def __init__(self, config: ScanConfig, address: str | None = None, workers: int = 2) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EngineUnavailable(
                "the dask engine needs: pip install 'fakescope[dask]'"
            ) from None
        self.config = config
        self._cluster = None
        logging.getLogger("distributed").setLevel(logging.ERROR)
        try:
            if address:
                self.client = Client(address, timeout=30)
            else:
                self._cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self._cluster)
        except OSError as exc:
            raise EngineUnavailable(
                f"cannot reach the Dask scheduler at {address}: {exc}"
            ) from None

    def run(self, chunks: list[Chunk]) -> Iterator[Results]:
        from distributed import as_completed

        # Bounded in flight: a million files must not become a million tasks at once.
        limit = max(4, 4 * self._worker_count())
        pending = iter(chunks)
        futures = as_completed()
        for chunk in _take(pending, limit):
            futures.add(self.client.submit(scan_chunk, chunk, self.config, pure=False))
        for future in futures:
            results = future.result()
            future.release()
            for chunk in _take(pending, 1):
                futures.add(self.client.submit(scan_chunk, chunk, self.config, pure=False))
            yield results

    def _worker_count(self) -> int:
        try:
            return len(self.client.scheduler_info().get("workers", {})) or 1
        except Exception:  # noqa: BLE001 - only a sizing hint
            return 1

    def describe(self) -> str:
        where = self.client.scheduler.address if self._cluster is None else "a local cluster"
        return f"Dask at {where} ({self._worker_count()} workers)"

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


class RayEngine:
    """A Ray cluster (``address`` such as ``ray://head:10001`` or ``auto``), or a local one."""

    name = "ray"

    def __init__(self, config: ScanConfig, address: str | None = None, workers: int = 2) -> None:
        try:
            import ray
        except ImportError:
            raise EngineUnavailable("the ray engine needs: pip install ray") from None
        self.ray = ray
        self.config = config
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"address": address} if address else {"num_cpus": workers}
            ray.init(log_to_driver=False, include_dashboard=False, **kwargs)
        self._task = ray.remote(num_cpus=1)(scan_chunk)

    def run(self, chunks: list[Chunk]) -> Iterator[Results]:
        limit = max(4, 4 * int(self.ray.cluster_resources().get("CPU", 1)))
        pending = iter(chunks)
        in_flight = [self._task.remote(c, self.config) for c in _take(pending, limit)]
        while in_flight:
            ready, in_flight = self.ray.wait(in_flight, num_returns=1)
            in_flight += [self._task.remote(c, self.config) for c in _take(pending, 1)]
            yield self.ray.get(ready[0])

    def describe(self) -> str:
        return f"Ray ({int(self.ray.cluster_resources().get('CPU', 0))} CPUs)"

    def close(self) -> None:
        self.ray.shutdown()


def make_engine(
    name: str, config: ScanConfig, address: str | None = None, workers: int | None = None
) -> LocalEngine | DaskEngine | RayEngine:
    """The engine called ``name`` (``local``, ``dask`` or ``ray``)."""
    workers = workers or min(2, os.cpu_count() or 1)
    if name == "local":
        return LocalEngine(config)
    if name == "dask":
        return DaskEngine(config, address, workers)
    if name == "ray":
        return RayEngine(config, address, workers)
    raise ValueError(f"unknown engine {name!r}; use one of {', '.join(ENGINES)}")


def _take(iterator: Iterator[Chunk], n: int) -> list[Chunk]:
    out = []
    for _ in range(n):
        try:
            out.append(next(iterator))
        except StopIteration:
            break
    return out
