"""Open a video file lazily: sniffing, stream facts and container tags, without decoding it all.

A :class:`VideoClip` is what ``Media.data`` holds for a video: the path plus the facts of its
video stream. Frames are decoded later, on demand, by :mod:`fakescope.video.decoding`, so a long
video never sits in memory at once. This module decodes nothing: the registry's loader
(:mod:`fakescope.video.loader`) joins it with the first decoded frame.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakescope.core.media import MediaError

VIDEO_EXTENSIONS = (
    ".mp4",
    ".m4v",
    ".mov",
    ".mkv",
    ".webm",
    ".avi",
    ".mpg",
    ".mpeg",
    ".ts",
    ".flv",
    ".3gp",
)

# ISO-BMFF brands that are pictures or sound, not video: leave them to the image/audio loaders.
_NON_VIDEO_BRANDS = {
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis",
    b"M4A ", b"M4B ", b"M4P ", b"F4A ", b"F4B ",
}  # fmt: skip

# Container tags that name the software that wrote the file (generators often leave one).
_ENCODER_TAGS = ("encoder", "ENCODER", "software", "Software", "encoded_by", "writing_application")


def sniff_video(head: bytes) -> bool:
    """Recognise a video container from the first bytes of a file.

    Parameters
    ----------
    head : bytes
        The first (up to 64) bytes of the file.

    Returns
    -------
    bool
        True for MP4/MOV (``ftyp`` box, not an image/audio brand), Matroska/WebM (EBML),
        AVI (``RIFF....AVI ``) and FLV.

    Examples
    --------
    >>> sniff_video(b"\\x00\\x00\\x00\\x20ftypisom\\x00\\x00\\x02\\x00")
    True
    >>> sniff_video(b"\\x89PNG\\r\\n\\x1a\\n")
    False
    """
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return head[8:12] not in _NON_VIDEO_BRANDS
    if len(head) >= 8 and head[4:8] in (b"moov", b"mdat", b"wide", b"free") and head[:4] != b"RIFF":
        # QuickTime files from old cameras start without an ftyp box.
        return struct.unpack(">I", head[:4])[0] >= 8
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return True
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return True
    return head[:3] == b"FLV"


@dataclass
class VideoClip:
    """A video file and the facts of its first video stream; frames are decoded on demand.

    Parameters
    ----------
    path : str
        File on disk.
    duration : float or None
        Seconds, as declared by the container (``None`` when it does not say).
    fps : float
        Average frame rate.
    width, height : int
        Frame size in pixels.
    codec : str
        Decoder name (``h264``, ``vp9``, ...).
    container : str
        Demuxer name (``mov,mp4,...``, ``matroska,webm``, ``avi``).
    frame_count : int or None
        Declared number of frames (many containers do not store it).
    tags : dict
        Container and stream metadata tags.

    Examples
    --------
    >>> clip = VideoClip("a.mp4", 10.0, 30.0, 1280, 720, "h264", "mp4")
    >>> clip.expected_frames
    300
    """

    path: str
    duration: float | None
    fps: float
    width: int
    height: int
    codec: str
    container: str
    frame_count: int | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def expected_frames(self) -> int | None:
        """Frames the container promises (declared count, else duration x fps)."""
        if self.frame_count:
            return self.frame_count
        if self.duration:
            return int(round(self.duration * self.fps))
        return None

    def open(self) -> Any:
        """Open the file with PyAV; the caller closes the container."""
        import av

        return av.open(self.path, metadata_errors="ignore")


def _mp4_missing_index(path: Path) -> bool:
    """True for an MP4/MOV whose top-level boxes hold media data but no index (``moov``).

    That is the signature of a recording cut off before the muxer wrote its index.
    """
    seen: set[bytes] = set()
    size_total = path.stat().st_size
    with path.open("rb") as fh:
        offset = 0
        while offset + 8 <= size_total and len(seen) < 64:
            fh.seek(offset)
            header = fh.read(16)
            if len(header) < 8:
                break
            size, kind = struct.unpack(">I4s", header[:8])
            if size == 1 and len(header) >= 16:
                size = struct.unpack(">Q", header[8:16])[0]
            elif size == 0:
                size = size_total - offset
            if size < 8:
                break
            seen.add(kind)
            offset += size
    return b"moov" not in seen and (b"mdat" in seen or b"ftyp" in seen)


def _fraction(value: Any) -> float:
    try:
        return float(value) if value is not None else 0.0
    except (TypeError, ZeroDivisionError, ValueError):
        return 0.0


def probe(path: str | Path) -> VideoClip:
    """Read the container header and describe the first video stream.

    Parameters
    ----------
    path : str or Path
        A video file.

    Returns
    -------
    VideoClip

    Raises
    ------
    MediaError
        Empty file, not a video container, no video stream, or a cut-off MP4 without its index.

    Examples
    --------
    >>> probe("clip.mp4").fps  # doctest: +SKIP
    30.0
    """
    import av

    path = Path(path)
    shown = str(path)
    if not path.exists():
        raise MediaError(shown, "no such file")
    if path.stat().st_size == 0:
        raise MediaError(shown, "the file is empty")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.FFmpegError as exc:
        with path.open("rb") as fh:
            head = fh.read(12)
        if head[4:8] == b"ftyp" and _mp4_missing_index(path):
            raise MediaError(
                shown,
                "the video's index (MP4 'moov' box) is missing, which happens when a recording "
                "or download is cut off before it finished; no frames can be located",
            ) from None
        raise MediaError(shown, f"not a readable video file ({_ffmpeg_reason(exc)})") from None
    try:
        if not container.streams.video:
            kinds = sorted({s.type for s in container.streams}) or ["nothing"]
            raise MediaError(shown, f"has no video stream (it holds {', '.join(kinds)})")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        fps = _fraction(stream.average_rate) or _fraction(stream.guessed_rate) or 25.0
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        tags = {str(k): str(v) for k, v in dict(container.metadata).items()}
        tags.update({f"stream.{k}": str(v) for k, v in dict(stream.metadata).items()})
        return VideoClip(
            path=shown,
            duration=duration if duration and duration > 0 else None,
            fps=fps,
            width=int(ctx.width or stream.width or 0),
            height=int(ctx.height or stream.height or 0),
            codec=str(ctx.name),
            container=str(container.format.name),
            frame_count=int(stream.frames) or None,
            tags=tags,
        )
    finally:
        container.close()


def _ffmpeg_reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).split(":")[0].strip().rstrip(".").lower() or type(exc).__name__


def clip_metadata(clip: VideoClip) -> dict[str, Any]:
    """JSON-friendly facts about a clip, including the software named in its tags.

    Examples
    --------
    >>> meta = clip_metadata(VideoClip("a.mp4", 2.0, 30.0, 64, 48, "h264", "mp4",
    ...                                tags={"encoder": "Lavf62.12.102"}))
    >>> meta["encoder"]
    'Lavf62.12.102'
    """
    encoder = next((clip.tags[k] for k in _ENCODER_TAGS if k in clip.tags), None)
    if encoder is None:
        encoder = next(
            (clip.tags[f"stream.{k}"] for k in _ENCODER_TAGS if f"stream.{k}" in clip.tags), None
        )
    return {
        "format": clip.container,
        "codec": clip.codec,
        "width": clip.width,
        "height": clip.height,
        "size": [clip.width, clip.height],
        "fps": round(clip.fps, 3),
        "duration": None if clip.duration is None else round(clip.duration, 3),
        "frame_count": clip.expected_frames,
        "encoder": encoder,
        "tags": dict(clip.tags),
    }
