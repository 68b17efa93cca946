"""A pool of analysis processes with a time and a memory cap per file.

A hostile file can hang a decoder, crash it or make it allocate without end; in a worker process
that costs only that process: the pool kills it when the file's time is up, restarts it, and the
file gets a clear error. The server itself never decodes an upload.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from fakescope.service.outcome import Outcome, failure
from fakescope.service.worker import WorkerConfig

log = logging.getLogger(__name__)
STARTUP_TIMEOUT_S = 900.0  # loading every model on a busy machine
Callback = Callable[[Outcome], None]


class PoolStartError(RuntimeError):
    """The analysis processes could not start (the message says why)."""


@dataclass
class _Task:
    id: int
    path: str
    on_done: Callback


class _Slot:
    """One analysis process and the thread that feeds it."""

    def __init__(self, pool: WorkerPool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.process: Any = None
        self.conn: Any = None
        self.thread = threading.Thread(target=self.run, name=f"fakescope-slot-{index}", daemon=True)
        self.ready = threading.Event()
        self.start_error: BaseException | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start_process(self) -> None:
        """Start a fresh interpreter (never a fork of the server) and wait until it is ready."""
        parent, child = socket.socketpair()
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        process = subprocess.Popen(
            [sys.executable, "-m", "fakescope.service.worker", str(child.fileno())],
            pass_fds=(child.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
        )
        child.close()
        conn = Connection(parent.detach())
        try:
            conn.send(self.pool.config)
            if not conn.poll(STARTUP_TIMEOUT_S):
                raise PoolStartError("an analysis process did not start in time")
            kind, _pid, why = conn.recv()
        except (EOFError, OSError):
            process.wait(10)
            conn.close()
            raise PoolStartError(
                f"an analysis process died while starting (exit code {process.returncode})"
            ) from None
        except PoolStartError:
            process.kill()
            process.wait(10)
            conn.close()
            raise
        if kind != "ready":
            process.wait(10)
            conn.close()
            raise PoolStartError(f"an analysis process could not start: {why}")
        self.process, self.conn = process, conn

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            self.conn.send(None)
            self.process.wait(2)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
        self.conn.close()
        self.process = self.conn = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.conn.close()
            self.process = self.conn = None
            self.pool.restarts += 1

    def run(self) -> None:
        # The process is started from this long-lived thread: Linux delivers the "parent died"
        # signal (PR_SET_PDEATHSIG) when the thread that started a child exits.
        try:
            self.start_process()
        except BaseException as exc:  # noqa: BLE001 - reported by WorkerPool.start
            self.start_error = exc
            return
        finally:
            self.ready.set()
        while True:
            task = self.pool.tasks.get()
            if task is None:
                self.stop()
                return
            try:
                outcome = self.analyse(task)
            except Exception as exc:  # never lose a file: every task gets an answer
                log.exception("analysis slot %d failed", self.index)
                outcome = failure(f"the analysis could not run ({exc})")
            try:
                task.on_done(outcome)
            except Exception:
                log.exception("storing the result of %s failed", task.path)
            finally:
                self.pool.finished()

    def analyse(self, task: _Task) -> Outcome:
        if not self.alive:
            self.start_process()
        limit = self.pool.time_limit_s
        self.conn.send((task.id, task.path))
        deadline = time.monotonic() + limit
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                return failure(
                    f"the analysis took longer than the {limit:g} s limit per file and was stopped"
                )
            if self.conn.poll(min(remaining, 0.25)):
                try:
                    kind, _task_id, payload = self.conn.recv()
                except (EOFError, OSError):
                    return self._died()
                if kind == "done":
                    return payload
                if kind == "done-exit":  # the worker stops after memory trouble: start afresh
                    self.kill()
                    return payload
                if kind == "memory":
                    self.kill()
                    return failure(self._memory_message())
                return failure(str(payload))
            if self.process.poll() is not None:
                return self._died()

    def _memory_message(self) -> str:
        return (
            f"the analysis needed more than the {self.pool.config.memory_limit_mb} MB memory "
            "limit per analysis process and was stopped"
        )

    def _died(self) -> Outcome:
        self.process.wait(5)
        code = self.process.returncode
        self.conn.close()
        self.process = self.conn = None
        self.pool.restarts += 1
        if code is not None and code < 0 and -code == signal.SIGKILL:
            return failure(f"the analysis process was killed ({self._memory_message()}?)")
        return failure(f"the analysis process crashed on this file (exit code {code})")


class WorkerPool:
    """``workers`` analysis processes fed from one queue.

    Examples
    --------
    >>> pool = WorkerPool(WorkerConfig(), workers=1)  # doctest: +SKIP
    >>> pool.start()  # doctest: +SKIP
    >>> pool.submit("photo.png", print)  # doctest: +SKIP
    """

    def __init__(self, config: WorkerConfig, workers: int = 1, time_limit_s: float = 300.0):
        self.config = config
        self.time_limit_s = time_limit_s
        self.tasks: queue.Queue[_Task | None] = queue.Queue()
        self.slots = [_Slot(self, i) for i in range(max(1, workers))]
        self.restarts = 0
        self._ids = itertools.count(1)
        self._pending = 0
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        """Start every process (loading the models) and the threads that feed them."""
        for slot in self.slots:
            slot.thread.start()
        for slot in self.slots:
            slot.ready.wait()
        errors = [slot.start_error for slot in self.slots if slot.start_error is not None]
        self._started = True
        if errors:
            self.close()
            raise errors[0]

    def submit(self, path: str, on_done: Callback) -> None:
        """Queue one file; ``on_done(outcome)`` is called from a pool thread when it is done."""
        if not self._started:
            raise RuntimeError("start the pool first")
        with self._lock:
            self._pending += 1
        self.tasks.put(_Task(next(self._ids), path, on_done))

    def finished(self) -> None:
        with self._lock:
            self._pending -= 1

    @property
    def pending(self) -> int:
        return self._pending

    @property
    def alive(self) -> int:
        return sum(slot.alive for slot in self.slots)

    def close(self) -> None:
        """Stop the processes (files still queued are dropped)."""
        while True:
            try:
                self.tasks.get_nowait()
            except queue.Empty:
                break
        if self._started:
            for _ in self.slots:
                self.tasks.put(None)
            for slot in self.slots:
                slot.thread.join(10)
        for slot in self.slots:
            slot.stop()
        self._started = False
