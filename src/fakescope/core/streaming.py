"""Load inputs on a background thread, within a memory budget, and hand them over in batches.

The :class:`Feed` decodes inputs one after another while the detectors score what is already
decoded. Three limits keep a scan bounded whatever it is given:

- memory: the decoded data waiting or being scored (image pixels, audio samples) stays under a
  byte budget; a single input larger than the budget still goes through, alone;
- time: each loading step (opening a file, reading the next record) has the scanner's time limit;
- order: pieces come out in input order, so reports can be printed as soon as they are ready.
"""

from __future__ import annotations

import dataclasses
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from fakescope.core.inputs import open_input
from fakescope.core.loading import InputFile
from fakescope.core.media import Media, MediaError
from fakescope.core.watchdog import StepTimeout, TimeLimit

_POLL_S = 0.1


@dataclass
class Piece:
    """One loaded Media, or an input's error, or the marker that an input is finished."""

    index: int  # position of the input among all inputs
    name: str
    media: Media | None = None
    error: str | None = None
    done: bool = False
    cleanup: Callable[[], None] | None = None
    nbytes: int = 0


def media_nbytes(media: Media) -> int:
    """Bytes of decoded data a Media holds (arrays, text), for the memory budget.

    Examples
    --------
    >>> import numpy as np
    >>> media_nbytes(Media("a", "image", np.zeros((10, 10, 3), np.uint8)))
    300
    """
    data = media.data
    size = getattr(data, "nbytes", None)
    if isinstance(size, int):
        return size
    if isinstance(data, (str, bytes)):
        return sys.getsizeof(data)
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        sizes = (getattr(getattr(data, f.name), "nbytes", 0) for f in dataclasses.fields(data))
        return sum(s for s in sizes if isinstance(s, int))
    return 0


class _Budget:
    """Bytes of decoded data in flight; ``acquire`` waits until there is room (or nothing else
    is in flight, so one input larger than the whole budget still passes)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._cond = threading.Condition()

    def acquire(self, n: int, stop: threading.Event) -> None:
        with self._cond:
            while self.used > 0 and self.used + n > self.limit and not stop.is_set():
                self._cond.wait(_POLL_S)
            self.used += n

    def release(self, n: int) -> None:
        with self._cond:
            self.used = max(0, self.used - n)
            self._cond.notify_all()


_END = object()


class Feed:
    """Inputs loaded on a background thread, read as batches of at most ``batch_size`` Media.

    Examples
    --------
    >>> feed = Feed([], batch_size=4, memory_budget=1 << 20, timeout=None)
    >>> list(feed.batches())
    []
    >>> feed.close()
    """

    def __init__(
        self,
        items: Sequence[InputFile],
        *,
        batch_size: int,
        memory_budget: int,
        timeout: float | None,
    ) -> None:
        self.items = items
        self.batch_size = batch_size
        self.timeout = timeout
        self._budget = _Budget(memory_budget)
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(4, 4 * batch_size))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="fakescope-loader", daemon=True)
        self._thread.start()

    # -- consumer side -----------------------------------------------------------------------
    def batches(self) -> Iterator[list[Piece]]:
        """Pieces in input order, grouped as they become ready: never waits for a full batch
        when something is ready, so the first report comes as early as possible."""
        while True:
            first = self._queue.get()
            if first is _END:
                return
            batch = [first]
            count = first.media is not None
            ended = False
            while count < self.batch_size:
                try:
                    piece = self._queue.get_nowait()
                except queue.Empty:
                    break
                if piece is _END:
                    ended = True
                    break
                batch.append(piece)
                count += piece.media is not None
            yield batch
            if ended:
                return

    def release(self, batch: list[Piece]) -> None:
        """The batch's Media were scored: their memory may be used for the next ones."""
        self._budget.release(sum(p.nbytes for p in batch))

    def close(self) -> None:
        """Stop loading (the consumer stopped early or finished) and free what is pending.

        Does not wait for a loading step in progress (it may run up to the time limit): the
        loader thread sees the stop flag after that step and frees what it still holds.
        """
        self._stop.set()
        self._drain()
        self._thread.join(_POLL_S)
        self._drain()  # a piece put while the flag was being set

    def _drain(self) -> None:
        while True:
            try:
                piece = self._queue.get_nowait()
            except queue.Empty:
                return
            if piece is not _END and piece.cleanup is not None:
                piece.cleanup()

    # -- producer side (the loader thread) ---------------------------------------------------
    def _put(self, piece: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(piece, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        limit = TimeLimit(self.timeout, "fakescope-decode")
        try:
            for index, item in enumerate(self.items):
                if self._stop.is_set():
                    return
                cleanup = self._load_item(index, item, limit)
                done = Piece(index, item.name, done=True, cleanup=cleanup)
                if not self._put(done) and cleanup is not None:
                    cleanup()
        finally:
            limit.close()
            self._put(_END)

    def _load_item(
        self, index: int, item: InputFile, limit: TimeLimit
    ) -> Callable[[], None] | None:
        cleanup: Callable[[], None] | None = None
        try:
            medias, cleanup = limit.call(lambda: open_input(item))
            while not self._stop.is_set():
                media = limit.call(lambda: next(medias, _END))
                if media is _END:
                    break
                size = media_nbytes(media)
                self._budget.acquire(size, self._stop)
                if not self._put(Piece(index, item.name, media=media, nbytes=size)):
                    self._budget.release(size)
        except MediaError as exc:
            self._put(Piece(index, item.name, error=exc.reason))
        except StepTimeout as exc:
            why = (
                f"reading it took longer than {exc.seconds:g} s and was stopped (the time "
                "limit per file); the file may be damaged, or raise the limit with --timeout"
            )
            self._put(Piece(index, item.name, error=why))
        except MemoryError:
            self._put(Piece(index, item.name, error="too large to load into memory"))
        except Exception as exc:  # a converter or loader bug fails this input, with a reason
            self._put(Piece(index, item.name, error=f"could not be read ({exc})"))
        return cleanup
