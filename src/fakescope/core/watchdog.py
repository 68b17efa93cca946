"""A per-step time limit, so that no single input can hold a scan for ever.

Decoders and detectors are third-party code walking untrusted data; one bug (a seek that lands
on the same keyframe for ever, a quadratic parser) must cost one file, not the whole batch or
the service. :class:`TimeLimit` runs each step on a worker thread and waits at most ``seconds``.
When a step overruns, the waiting thread gets :class:`StepTimeout`, the worker is abandoned
(it is never given work again) and is asked to stop: an exception is raised inside it at its next
Python instruction, which ends pure-Python loops at once and C calls (a long FFmpeg decode)
when they return.
"""

from __future__ import annotations

import ctypes
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds an abandoned worker gets to stop before the next step starts beside it.
GRACE_SECONDS = 5.0


class StepTimeout(Exception):
    """A step ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took longer than {seconds:g} s")
        self.seconds = seconds


class Interrupted(BaseException):
    """Raised inside an abandoned worker to stop it. A ``BaseException``, so that the broad
    ``except Exception`` of a detector's fallback path does not swallow it."""


class _Worker(threading.Thread):
    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.tasks: queue.SimpleQueue[tuple[Callable[[], Any], _Result] | None] = (
            queue.SimpleQueue()
        )
        self.abandoned = False

    def run(self) -> None:
        try:
            while not self.abandoned:
                task = self.tasks.get()
                if task is None:
                    return
                fn, result = task
                try:
                    result.value = fn()
                except BaseException as exc:  # handed to the waiting thread as it is
                    result.error = exc
                finally:
                    result.done.set()
        except Interrupted:  # arrived after the step it was meant for: just end
            return


class _Result:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


def _interrupt(thread: threading.Thread) -> None:
    if thread.ident is None:
        return
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread.ident), ctypes.py_object(Interrupted)
    )


class TimeLimit:
    """Run steps with at most ``seconds`` each (``None``: no limit, run in the calling thread).

    Examples
    --------
    >>> limit = TimeLimit(5.0)
    >>> limit.call(lambda: 6 * 7)
    42
    >>> import time
    >>> TimeLimit(0.1).call(lambda: time.sleep(2))  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    StepTimeout: took longer than 0.1 s
    """

    def __init__(self, seconds: float | None, name: str = "fakescope-step") -> None:
        if seconds is not None and seconds <= 0:
            raise ValueError("the time limit must be positive (or None for no limit)")
        self.seconds = seconds
        self.name = name
        self._worker: _Worker | None = None

    def call(self, fn: Callable[[], T]) -> T:
        """Return ``fn()``, or raise :class:`StepTimeout` once the limit has passed."""
        if self.seconds is None:
            return fn()
        worker = self._worker
        if worker is None or not worker.is_alive():
            worker = self._worker = _Worker(self.name)
            worker.start()
        result = _Result()
        worker.tasks.put((fn, result))
        if not result.done.wait(self.seconds):
            self._abandon(worker, result)
            raise StepTimeout(self.seconds)
        if result.error is not None:
            raise result.error
        return result.value

    def _abandon(self, worker: _Worker, result: _Result) -> None:
        worker.abandoned = True
        self._worker = None
        _interrupt(worker)
        if not result.done.wait(GRACE_SECONDS):
            log.warning(
                "a step that ran past %g s is still running in native code; carrying on beside it",
                self.seconds,
            )

    def close(self) -> None:
        """Let the idle worker thread end."""
        if self._worker is not None:
            self._worker.tasks.put(None)
            self._worker = None
