"""Small real videos made in tmp_path with PyAV: moving shapes, optionally a real face."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest


def _face_photo() -> np.ndarray | None:
    try:
        from skimage.data import astronaut
    except ImportError:
        return None
    # The astronaut's head and shoulders: a real frontal face Haar cascades find.
    return np.ascontiguousarray(astronaut()[0:300, 100:350])


def write_video(
    path: Path,
    *,
    frames: int = 30,
    size: tuple[int, int] = (160, 120),
    fps: int = 15,
    codec: str = "libx264",
    face: bool = False,
    cut_at: int | None = None,
    options: dict[str, str] | None = None,
) -> Path:
    """Encode ``frames`` synthetic RGB frames (a square moving over a gradient) to ``path``.

    ``face`` pastes a real face photo that drifts slowly; ``cut_at`` switches to a very different
    background at that frame (a scene change).
    """
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx * 255 // max(w - 1, 1), yy * 255 // max(h - 1, 1), 128 + 0 * xx], -1)
    photo = _face_photo() if face else None
    if face and photo is None:
        pytest.skip("scikit-image is needed for a real face")
    rng = np.random.default_rng(0)
    with av.open(str(path), "w", options=options or {}) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for i in range(frames):
            img = base.copy()
            if cut_at is not None and i >= cut_at:
                img = 255 - img[::-1]
            x = (i * 3) % max(1, w - 20)
            img[10:30, x : x + 20] = (250, 220, 0)
            if photo is not None:
                ph, pw = photo.shape[:2]
                ox = min(w - pw, max(0, (w - pw) // 2 + (i % 6) - 3))
                oy = max(0, (h - ph) // 2)
                img[oy : oy + ph, ox : ox + pw] = photo[: h - oy, : w - ox]
            img = np.clip(img + rng.normal(0, 2, img.shape), 0, 255).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.fixture
def make_video(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str = "clip.mp4", **kwargs) -> Path:
        return write_video(tmp_path / name, **kwargs)

    return make


def truncate(path: Path, fraction: float = 0.5) -> Path:
    """Write a copy of ``path`` cut to ``fraction`` of its bytes (as an interrupted download)."""
    data = path.read_bytes()
    out = path.with_name("cut_" + path.name)
    out.write_bytes(data[: int(len(data) * fraction)])
    return out
