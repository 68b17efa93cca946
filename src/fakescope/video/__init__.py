"""Video plugin: MP4/MOV/MKV/WebM/AVI loader, the ``video-frames`` detector,
``fakescope generate faceswap`` and ``fakescope train video``.

``register()`` only fills the registry; PyAV, OpenCV and the image detectors load when used.
"""

from __future__ import annotations


def _video_frames():  # noqa: ANN202  (a Detector)
    from fakescope.video.detector import VideoFramesDetector

    return VideoFramesDetector()


def register() -> None:
    """Register the video loader, detector and commands."""
    from fakescope.core.registry import register_command, register_detector, register_loader
    from fakescope.video.clip import VIDEO_EXTENSIONS, sniff_video
    from fakescope.video.commands import generate_faceswap, train_video
    from fakescope.video.loader import load_video

    register_loader("video", VIDEO_EXTENSIONS, load_video, sniff=sniff_video)
    register_detector(
        "video-frames",
        "video",
        _video_frames,
        description="image detectors on sampled frames and faces, plus face flicker and "
        "blending-seam consistency, with a score timeline",
    )
    register_command("generate", "faceswap", generate_faceswap)
    register_command("train", "video", train_video)
