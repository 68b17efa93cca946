"""Rebuild examples/video/real_vtest_pedestrians.mp4 from OpenCV's sample video (Debian opencv-doc).

    python scripts/examples/make_video_example.py [--source /usr/share/doc/.../vtest.avi]

The first 5 s (50 frames at 10 fps) of ``vtest.avi`` (real surveillance-camera footage of people
walking; OpenCV sample data, BSD-3-Clause per Debian's copyright file for opencv ``data/*``), scaled
to 384x288 and encoded with libx264 (CRF 26), about 100 KB.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import av

SOURCE = Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi")
TARGET = Path(__file__).resolve().parents[2] / "examples" / "video" / "real_vtest_pedestrians.mp4"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=TARGET)
    parser.add_argument("--frames", type=int, default=50)
    args = parser.parse_args()
    if not args.source.is_file():
        raise SystemExit(f"{args.source}: not found (apt-get install opencv-doc)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with (
        av.open(str(args.source)) as src,
        av.open(str(args.out), "w", options={"movflags": "+faststart"}) as out,
    ):
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 384, 288, "yuv420p"
        stream.options = {"crf": "26", "preset": "slow", "g": "20"}
        for n, frame in enumerate(src.decode(video=0)):
            if n >= args.frames:
                break
            picture = frame.reformat(width=384, height=288, format="yuv420p")
            picture.pts = None
            out.mux(stream.encode(picture))
        out.mux(stream.encode())
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
