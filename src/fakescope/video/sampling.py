"""Choose which frames of a video to analyse: a fixed rate, or the moments the picture changes.

The choice is made on timestamps (and, for scene changes, on tiny grey thumbnails), as pure
functions; :func:`sample_frames` ties them to the decoder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from fakescope.video.clip import VideoClip
from fakescope.video.decoding import DecodeReport, Frame, FrameReader, scan_thumbnails

METHODS = ("fixed", "scene")


def fixed_rate_times(duration: float | None, rate: float = 2.0, max_frames: int = 32) -> np.ndarray:
    """Evenly spaced sample times: ``rate`` per second, at most ``max_frames`` over the clip.

    Parameters
    ----------
    duration : float or None
        Clip length in seconds; ``None`` (unknown) samples the first ``max_frames / rate`` seconds.
    rate : float
        Frames per second wanted.
    max_frames : int
        Upper bound; a long clip is covered evenly by this many frames instead.

    Examples
    --------
    >>> fixed_rate_times(2.0, rate=2.0).tolist()
    [0.0, 0.5, 1.0, 1.5]
    >>> len(fixed_rate_times(600.0, rate=2.0, max_frames=10))
    10
    """
    if rate <= 0 or max_frames <= 0:
        raise ValueError("rate and max_frames must be positive")
    if duration is None or duration <= 0:
        return np.arange(max_frames, dtype=float) / rate
    n = int(np.floor(duration * rate - 1e-9)) + 1
    if n <= max_frames:
        return np.arange(n, dtype=float) / rate
    # Spread over the clip, leaving the last frame interval so the final time still has a frame.
    return np.linspace(0.0, duration, max_frames, endpoint=False)


def frame_differences(thumbs: np.ndarray) -> np.ndarray:
    """Mean absolute grey-level change between consecutive thumbnails (first entry is 0).

    Examples
    --------
    >>> t = np.zeros((3, 4, 4), np.uint8); t[2] = 100
    >>> frame_differences(t).tolist()
    [0.0, 0.0, 100.0]
    """
    if len(thumbs) == 0:
        return np.zeros(0)
    x = thumbs.astype(np.float32)
    d = np.abs(np.diff(x, axis=0)).mean(axis=(1, 2))
    return np.concatenate([[0.0], d]).astype(float)


def scene_change_times(
    times: np.ndarray,
    thumbs: np.ndarray,
    *,
    threshold: float | None = None,
    min_gap: float = 0.5,
    max_gap: float = 5.0,
    max_frames: int = 32,
) -> np.ndarray:
    """Times where the picture changes (cuts, big motion), plus one frame per ``max_gap`` seconds.

    Parameters
    ----------
    times : np.ndarray
        (N,) frame times.
    thumbs : np.ndarray
        (N, h, w) grey thumbnails.
    threshold : float, optional
        Grey-level change counted as a scene change; default adapts to the clip
        (median + 4 median absolute deviations, at least 6 levels).
    min_gap, max_gap : float
        Seconds between chosen frames: never closer than ``min_gap``; never further than
        ``max_gap`` (so a still scene is still looked at).
    max_frames : int
        Keep at most this many; the strongest changes win, the first frame is always kept.

    Examples
    --------
    >>> thumbs = np.zeros((20, 8, 8), np.uint8); thumbs[10:] = 200
    >>> scene_change_times(np.arange(20) / 10, thumbs).tolist()
    [0.0, 1.0]
    """
    if len(times) == 0:
        return np.zeros(0)
    diffs = frame_differences(thumbs)
    if threshold is None:
        rest = diffs[1:] if len(diffs) > 1 else diffs
        med = float(np.median(rest))
        mad = float(np.median(np.abs(rest - med)))
        threshold = max(6.0, med + 4.0 * 1.4826 * mad)
    chosen: list[int] = [0]
    strength: list[float] = [np.inf]
    for i in range(1, len(times)):
        gap = times[i] - times[chosen[-1]]
        if diffs[i] >= threshold and gap >= min_gap:
            chosen.append(i)
            strength.append(float(diffs[i]))
        elif gap >= max_gap:
            chosen.append(i)
            strength.append(0.0)
    if len(chosen) > max_frames:
        keep = np.argsort(-np.asarray(strength), kind="stable")[:max_frames]
        chosen = [chosen[k] for k in sorted(keep)]
    return np.asarray([times[i] for i in chosen], dtype=float)


def plan_times(
    clip: VideoClip, *, method: str = "fixed", rate: float = 2.0, max_frames: int = 32
) -> tuple[np.ndarray, DecodeReport | None]:
    """Times to sample, and the thumbnail pass's decode report for ``method="scene"``.

    Examples
    --------
    >>> clip = VideoClip("a.mp4", 3.0, 30.0, 64, 48, "h264", "mp4")
    >>> plan_times(clip, rate=1.0)[0].tolist()
    [0.0, 1.0, 2.0]
    """
    if method not in METHODS:
        raise ValueError(f"unknown sampling method {method!r}; use one of {METHODS}")
    if method == "scene":
        times, thumbs, first_pass = scan_thumbnails(clip)
        return scene_change_times(times, thumbs, max_frames=max_frames), first_pass
    return fixed_rate_times(clip.duration, rate=rate, max_frames=max_frames), None


@dataclass
class SampledFrames:
    """Frames chosen from a clip and how decoding went."""

    frames: list[Frame]
    report: DecodeReport
    method: str


def sample_frames(
    clip: VideoClip,
    *,
    method: str = "fixed",
    rate: float = 2.0,
    max_frames: int = 32,
    burst: int = 2,
    max_side: int | None = 1280,
    progress: Callable[[int, int], None] | None = None,
) -> SampledFrames:
    """Decode the frames to analyse.

    Parameters
    ----------
    clip : VideoClip
    method : {"fixed", "scene"}
        ``fixed``: ``rate`` frames per second; ``scene``: where the picture changes (costs one
        extra decoding pass over tiny thumbnails).
    rate, max_frames : see :func:`fixed_rate_times`
    burst : int
        Consecutive frames kept after each sample (for flicker checks).
    max_side : int or None
        Downscale so the long side is at most this many pixels.

    Examples
    --------
    >>> sampled = sample_frames(clip, rate=1.0)  # doctest: +SKIP
    >>> [round(f.time) for f in sampled.frames]  # doctest: +SKIP
    [0, 1, 2]
    """
    wanted, first_pass = plan_times(clip, method=method, rate=rate, max_frames=max_frames)
    reader = FrameReader(clip, wanted.tolist(), burst=burst, max_side=max_side, progress=progress)
    frames = list(reader)
    report = reader.report
    if first_pass is not None and first_pass.damaged and not report.damaged:
        report = first_pass
    return SampledFrames(frames, report, method)
