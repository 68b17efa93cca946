"""Decode chosen frames from a :class:`~fakescope.video.clip.VideoClip`, surviving damaged files.

The reader walks the file once, in order, and converts to RGB only the frames it was asked for
(plus a short burst after each, for temporal checks). Frames far from the next wanted time are
decoded with ``skip_frame="NONREF"`` (frames no other frame depends on are dropped unseen), and a
far jump is made with a seek. A damaged packet is skipped and counted; a container that cannot
be read further ends the walk, and :class:`DecodeReport` says how far it got.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fakescope.core.media import MediaError
from fakescope.video.clip import VideoClip

# Jump with a seek rather than decode when the next wanted frame is this far ahead (seconds).
SEEK_AHEAD_S = 8.0
# The file is called cut short when decoding ends this long before the declared end (seconds),
# beyond one frame interval.
SHORTFALL_S = 0.5


@dataclass
class Frame:
    """One sampled picture and the frames right after it.

    Parameters
    ----------
    index : int
        Position among decoded frames (0-based, counted while walking the file).
    time : float
        Presentation time in seconds.
    rgb : np.ndarray
        HxWx3 uint8 RGB picture (possibly downscaled, see ``scale``).
    burst : list of np.ndarray
        The next consecutive frames, same size, for flicker measurements.
    scale : float
        ``rgb`` size divided by the stored video size (1.0 when not downscaled).
    """

    index: int
    time: float
    rgb: np.ndarray
    burst: list[np.ndarray] = field(default_factory=list)
    scale: float = 1.0


@dataclass
class DecodeReport:
    """How a walk through the file went.

    Examples
    --------
    >>> r = DecodeReport(frames_read=15, last_time=0.5, declared_duration=2.0)
    >>> r.stopped_early
    True
    >>> r.describe()
    'decoding stopped at 0.5 s of a declared 2.0 s (15 frames decoded); the file looks truncated'
    """

    frames_read: int = 0
    last_time: float | None = None
    declared_duration: float | None = None
    error: str | None = None
    bad_packets: int = 0
    fps: float = 25.0
    # True when the reader stopped on purpose (every wanted frame found): the rest was not read.
    satisfied: bool = False

    @property
    def stopped_early(self) -> bool:
        if self.error is not None:
            return True
        if self.satisfied:
            return False
        if self.declared_duration is None or self.last_time is None:
            return False
        slack = SHORTFALL_S + 2.0 / max(self.fps, 1.0)
        return self.last_time + slack < self.declared_duration

    @property
    def damaged(self) -> bool:
        return self.stopped_early or self.bad_packets > 0

    def describe(self) -> str:
        """One sentence for a person: where decoding stopped and why."""
        parts = []
        if self.stopped_early:
            where = "?" if self.last_time is None else f"{self.last_time:.1f} s"
            total = (
                f" of a declared {self.declared_duration:.1f} s"
                if self.declared_duration is not None
                else ""
            )
            text = f"decoding stopped at {where}{total} ({self.frames_read} frames decoded)"
            if self.error:
                text += f": {self.error}"
            elif self.bad_packets:
                text += "; the rest of the stream is damaged"
            else:
                text += "; the file looks truncated"
            parts.append(text)
        if self.bad_packets:
            parts.append(f"{self.bad_packets} damaged packet(s) were skipped")
        if not parts:
            return f"{self.frames_read} frames decoded"
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "frames_read": self.frames_read,
            "last_time": self.last_time,
            "declared_duration": self.declared_duration,
            "stopped_early": self.stopped_early,
            "bad_packets": self.bad_packets,
            "error": self.error,
        }


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "strerror", None) or exc)
    return text.split(";")[0].strip().rstrip(".").lower() or type(exc).__name__


def _frame_time(frame: Any, index: int, fps: float) -> float:
    t = frame.time
    return float(t) if t is not None else index / max(fps, 1e-6)


def analysis_size(width: int, height: int, max_side: int | None) -> tuple[int, int]:
    """Even-sized (w, h) no larger than ``max_side`` on the long side, keeping the aspect ratio.

    Examples
    --------
    >>> analysis_size(1920, 1080, 1280)
    (1280, 720)
    >>> analysis_size(640, 360, None)
    (640, 360)
    """
    if not max_side or max(width, height) <= max_side:
        return width, height
    s = max_side / max(width, height)
    return max(2, int(round(width * s / 2)) * 2), max(2, int(round(height * s / 2)) * 2)


class _Walk:
    """Packet-by-packet decoding that skips damaged packets and records where it stopped."""

    def __init__(self, clip: VideoClip, *, threads: bool = True) -> None:
        import av

        self.av = av
        self.clip = clip
        self.report = DecodeReport(declared_duration=clip.duration, fps=clip.fps)
        try:
            self.container = clip.open()
        except av.FFmpegError as exc:
            raise MediaError(clip.path, f"not a readable video file ({_reason(exc)})") from None
        self.stream = self.container.streams.video[0]
        if threads and av.logging.get_level() is None:
            # Frame + slice threads: decoding is most of the cost on a long clip. Not when a
            # Python log callback is installed (av.logging.set_level): an FFmpeg thread logging
            # while the decoder is freed waits for the GIL held by the freeing thread: deadlock.
            self.stream.thread_type = "AUTO"
        self.ctx = self.stream.codec_context
        self.index = 0

    def set_skip_nonref(self, skip: bool) -> None:
        want = "NONREF" if skip else "DEFAULT"
        if str(self.ctx.skip_frame) != want:
            self.ctx.skip_frame = want

    def seek(self, seconds: float) -> None:
        tb = self.stream.time_base
        if tb is None or not self.container.streams.video:
            return
        try:
            self.container.seek(int(seconds / tb), stream=self.stream, backward=True)
            self.ctx.flush_buffers()
        except self.av.FFmpegError:
            return  # not seekable: keep decoding in order

    def frames(self) -> Iterator[tuple[int, float, Any]]:
        av = self.av
        packets = self.container.demux(self.stream)
        while True:
            try:
                packet = next(packets)
            except StopIteration:
                break
            except (av.FFmpegError, OSError, EOFError) as exc:
                self.report.error = f"the container could not be read further ({_reason(exc)})"
                break
            try:
                decoded = self.ctx.decode(packet)
            except av.FFmpegError:
                # A damaged packet: drop it and carry on from the next one.
                self.report.bad_packets += 1
                continue
            for frame in decoded:
                yield from self._emit(frame)

    def _emit(self, frame: Any) -> Iterator[tuple[int, float, Any]]:
        t = _frame_time(frame, self.index, self.clip.fps)
        self.report.frames_read += 1
        last = self.report.last_time
        self.report.last_time = t if last is None else max(t, last)
        idx = self.index
        self.index += 1
        yield idx, t, frame

    def close(self) -> None:
        self.container.close()


def first_frame_time(clip: VideoClip) -> float:
    """Decode until the first picture and return its time; proves the file is readable.

    Raises
    ------
    MediaError
        When no frame at all can be decoded.
    """
    walk = _Walk(clip, threads=False)
    try:
        for _, t, _frame in walk.frames():
            return t
    finally:
        walk.close()
    why = walk.report.error or (
        f"{walk.report.bad_packets} damaged packet(s)" if walk.report.bad_packets else None
    )
    raise MediaError(
        clip.path,
        "no frame could be decoded from the video stream" + (f" ({why})" if why else ""),
    )


class FrameReader:
    """Iterate over the frames nearest to the wanted times, with a short burst after each.

    Parameters
    ----------
    clip : VideoClip
    times : sequence of float
        Wanted presentation times in seconds (sorted; each picks the first frame at or after it,
        within half a frame interval).
    burst : int
        Consecutive frames returned with each sampled frame (0 = none).
    max_side : int or None
        Downscale frames so the long side is at most this many pixels.
    progress : callable, optional
        Called with ``(sampled_so_far, total_wanted)``.

    Examples
    --------
    >>> reader = FrameReader(clip, [0.0, 0.5, 1.0], burst=2)  # doctest: +SKIP
    >>> [round(f.time, 2) for f in reader]  # doctest: +SKIP
    [0.0, 0.5, 1.0]
    >>> reader.report.frames_read  # doctest: +SKIP
    33
    """

    def __init__(
        self,
        clip: VideoClip,
        times: Sequence[float],
        *,
        burst: int = 2,
        max_side: int | None = 1280,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.clip = clip
        self.times = sorted(float(t) for t in times)
        self.burst = max(0, int(burst))
        self.max_side = max_side
        self.progress = progress
        self.report = DecodeReport(declared_duration=clip.duration, fps=clip.fps)
        self._served = 0

    def _rgb(self, frame: Any) -> tuple[np.ndarray, float]:
        w, h = analysis_size(frame.width, frame.height, self.max_side)
        if (w, h) != (frame.width, frame.height):
            return frame.reformat(width=w, height=h, format="rgb24").to_ndarray(), w / frame.width
        return frame.to_ndarray(format="rgb24"), 1.0

    def __iter__(self) -> Iterator[Frame]:
        if not self.times:
            return
        served: list[float] = []
        for frame in self._walk_targets(self.times, threads=True):
            served.append(frame.time)
            yield frame
        first = self.report
        if first.bad_packets == 0 or first.satisfied:
            return
        # Frame-threaded decoding drops whole runs of frames after a damaged packet; walk the
        # file again single-threaded for the times that got no frame, salvaging what it can.
        half = 0.5 / max(self.clip.fps, 1.0)
        last = served[-1] if served else -np.inf
        rest = [t for t in self.times if t > last + half]
        if rest:
            yield from self._walk_targets(rest, threads=False)
            second = self.report
            second.frames_read = max(second.frames_read, first.frames_read)
            second.bad_packets = max(second.bad_packets, first.bad_packets)

    def _walk_targets(self, times: list[float], *, threads: bool) -> Iterator[Frame]:
        walk = _Walk(self.clip, threads=threads)
        self.report = walk.report
        half = 0.5 / max(self.clip.fps, 1.0)
        near = 2.5 / max(self.clip.fps, 1.0)
        want = 0
        pending: Frame | None = None
        # A seek lands on the keyframe before its target; with keyframes further apart than
        # SEEK_AHEAD_S (libx264's default is 10 s) that can be the keyframe already passed, and
        # seeking again from there would repeat for ever. So each wanted time gets one seek at
        # most; after it, decoding runs forward (non-reference frames skipped) to the target.
        sought: int | None = None
        try:
            for idx, t, frame in walk.frames():
                if pending is not None:
                    pending.burst.append(self._rgb(frame)[0])
                    if len(pending.burst) >= self.burst:
                        yield pending
                        pending = None
                    continue
                # Frames skipped as non-reference (or missing) can leave wanted times behind:
                # this frame stands in for the latest of them.
                while want + 1 < len(times) and t + half >= times[want + 1]:
                    want += 1
                if want >= len(times):
                    walk.report.satisfied = True
                    break
                target = times[want]
                if t + half >= target:
                    rgb, scale = self._rgb(frame)
                    want += 1
                    self._served += 1
                    if self.progress is not None:
                        self.progress(self._served, len(self.times))
                    current = Frame(idx, t, rgb, scale=scale)
                    if self.burst:
                        pending = current
                        walk.set_skip_nonref(False)
                        continue
                    yield current
                    if want >= len(times):
                        walk.report.satisfied = True
                        break
                    target = times[want]
                ahead = target - t
                if ahead > SEEK_AHEAD_S and sought != want:
                    sought = want
                    walk.seek(target - 1.0)
                walk.set_skip_nonref(ahead > near)
            if pending is not None:
                yield pending  # the file ended inside the burst: keep what there is
        finally:
            walk.close()


def scan_thumbnails(
    clip: VideoClip, size: tuple[int, int] = (64, 36)
) -> tuple[np.ndarray, np.ndarray, DecodeReport]:
    """Decode every frame into a tiny grey thumbnail (for scene-change sampling).

    Returns
    -------
    times : np.ndarray
        (N,) presentation times.
    thumbs : np.ndarray
        (N, h, w) uint8 grey thumbnails.
    report : DecodeReport

    Examples
    --------
    >>> times, thumbs, report = scan_thumbnails(clip)  # doctest: +SKIP
    >>> thumbs.shape[1:]  # doctest: +SKIP
    (36, 64)
    """
    walk = _Walk(clip)
    times: list[float] = []
    thumbs: list[np.ndarray] = []
    try:
        for _, t, frame in walk.frames():
            times.append(t)
            small = frame.reformat(width=size[0], height=size[1], format="gray")
            thumbs.append(small.to_ndarray().reshape(size[1], -1)[:, : size[0]].copy())
    finally:
        walk.close()
    arr = np.stack(thumbs) if thumbs else np.zeros((0, size[1], size[0]), np.uint8)
    return np.asarray(times, dtype=float), arr, walk.report
