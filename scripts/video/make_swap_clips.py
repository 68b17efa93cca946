"""Make face-swap clips (a manipulation the temporal model is not trained on) for evaluation.

For every real clip ``<video>_<start>_none0.mp4`` made by ``fakescope train video --work DIR``,
cut the same 2 s from the source video and paste the face of a photo onto it with
``faceswap_video(mode="swap", frame_jitter=0)``: a consistent swap, colour-matched.

Usage: ``.venv/bin/python scripts/video/make_swap_clips.py REAL_DIR CLIPS_DIR OUT_DIR PHOTO...``
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from fakescope.core.media import MediaError
from fakescope.video.faceswap import faceswap_video

NAME = re.compile(r"^(?P<video>.+)_(?P<start>\d+\.\d)_none0\.mp4$")


def main(real_dir: Path, clips: Path, out: Path, photos: list[Path]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    faces = [np.asarray(Image.open(p).convert("RGB")) for p in photos]
    sources = {p.stem: p for p in real_dir.iterdir()}
    for i, clip in enumerate(sorted(clips.glob("*_none0.mp4"))):
        m = NAME.match(clip.name)
        if not m or m["video"] not in sources:
            continue
        dst = out / f"{m['video']}_{m['start']}_swap{i % len(faces)}.mp4"
        if dst.exists():
            continue
        try:
            r = faceswap_video(
                sources[m["video"]], dst, mode="swap", source_image=faces[i % len(faces)],
                seed=i, frame_jitter=0.0, start_seconds=float(m["start"]), max_seconds=2.0,
            )  # fmt: skip
            print(dst.name, r.frames, r.manipulated, flush=True)
        except MediaError as exc:
            print("skipped", exc)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), [Path(p) for p in sys.argv[4:]])
