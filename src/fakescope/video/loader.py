"""The registry's video loader: one lazy :class:`~fakescope.core.media.Media` per video file.

It joins the container facts (:mod:`fakescope.video.clip`) with one decoded frame
(:mod:`fakescope.video.decoding`); those two modules do not import each other.
"""

from __future__ import annotations

from pathlib import Path

from fakescope.core.media import Media, MediaError
from fakescope.video.clip import clip_metadata, probe
from fakescope.video.decoding import first_frame_time


def load_video(path: Path) -> list[Media]:
    """Loader for the registry: one lazy :class:`Media` per video file.

    The first frame is decoded to prove the file holds at least one readable picture; the rest
    stays on disk until a detector asks for it.

    Raises
    ------
    MediaError
        When the file is not a video or not a single frame can be decoded.

    Examples
    --------
    >>> media = load_video(Path("clip.mp4"))[0]  # doctest: +SKIP
    >>> media.metadata["fps"]  # doctest: +SKIP
    30.0
    """
    clip = probe(path)
    if clip.width <= 0 or clip.height <= 0:
        raise MediaError(clip.path, "the video stream declares no picture size")
    first = first_frame_time(clip)
    metadata = clip_metadata(clip)
    metadata["first_frame_time"] = round(first, 3)
    metadata["bytes"] = Path(path).stat().st_size
    return [Media(path=clip.path, modality="video", data=clip, metadata=metadata)]
