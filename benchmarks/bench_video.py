"""Time ``scan`` on a 10-second 1280x720 30 fps clip against plain PyAV decoding of that clip.

Run: ``.venv/bin/python benchmarks/bench_video.py [--seconds 10] [--keep DIR]``. Prints seconds and
ratios; the issue's goal is a scan under 10 s on 2 cores. The clip is synthetic but textured
(moving shapes over film-grain noise, a drawn face), so H.264 decoding costs what a real one does.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import av
import numpy as np


def make_clip(
    path: Path,
    seconds: float = 10.0,
    w: int = 1280,
    h: int = 720,
    fps: int = 30,
    noise: float = 3.0,
) -> None:
    from PIL import Image

    rng = np.random.default_rng(0)
    pad = int(seconds * fps * 2) + 8
    yy, xx = np.mgrid[0:h, 0 : w + pad]
    base = np.stack(
        [
            100 + 60 * np.sin(xx / 97.0),
            110 + 50 * np.cos(yy / 71.0),
            120 + 40 * np.sin((xx + yy) / 150.0),
        ],
        axis=-1,
    )
    # Scene texture at several scales (like foliage or a wall), panned 2 px a frame, so the
    # encoder spends bits on motion and detail as it does on camera footage.
    for scale, amp in ((4, 25.0), (16, 25.0), (64, 20.0)):
        small = rng.normal(0, 1, (h // scale + 1, (w + pad) // scale + 1)).astype(np.float32)
        big = np.asarray(Image.fromarray(small).resize(((w + pad), h), Image.BICUBIC))
        base += amp * big[..., None]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=fps, options={"crf": "23", "preset": "veryfast"})
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        for i in range(int(seconds * fps)):
            img = base[:, 2 * i : 2 * i + w] + rng.normal(0, noise, (h, w, 1))
            x = int(200 + 400 * np.sin(i / 40.0))
            img[200:420, x : x + 180] = (205, 165, 140)  # a skin-coloured face block
            img[270:290, x + 40 : x + 70] = 40  # eyes
            img[270:290, x + 110 : x + 140] = 40
            img[350:365, x + 60 : x + 120] = (150, 60, 60)  # mouth
            cx = int(900 + 200 * np.cos(i / 25.0))
            img[500:620, cx : cx + 120] = (30, 30, 200)
            frame = av.VideoFrame.from_ndarray(
                np.clip(img, 0, 255).astype(np.uint8), format="rgb24"
            )
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def plain_decode(path: Path) -> float:
    start = time.perf_counter()
    with av.open(str(path)) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        n = sum(1 for _ in c.decode(s))
    elapsed = time.perf_counter() - start
    print(f"plain PyAV decode of all {n} frames: {elapsed:.2f} s")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument(
        "--noise",
        type=float,
        default=3.0,
        help="Grain strength: 3 gives a phone-like bit rate, 6 about twice that.",
    )
    ap.add_argument("--repeat", type=int, default=3, help="Warm scans (fastest reported).")
    ap.add_argument("--keep", type=Path, default=None, help="Write the clip and timeline here.")
    args = ap.parse_args()
    from fakescope.core.pipeline import Scanner

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        clip = folder / "bench_720p.mp4"
        t0 = time.perf_counter()
        make_clip(clip, args.seconds, noise=args.noise)
        mbit = clip.stat().st_size * 8 / 1e6 / args.seconds
        print(f"made {clip.name} ({mbit:.1f} Mbit/s) in {time.perf_counter() - t0:.1f} s")
        load = os.getloadavg()[0]
        print(f"cores: {os.cpu_count()}, load average (1 min) before timing: {load:.1f}")
        base = min(plain_decode(clip) for _ in range(args.repeat))

        scanner = Scanner()
        cpu0, start = time.process_time(), time.perf_counter()
        report = next(iter(scanner.scan([str(clip)])))
        cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu0
        # The machine is shared: repeat and keep the fastest run (least disturbed by others).
        warm_runs, warm_cpu = [], []
        for _ in range(args.repeat):
            cpu0, start = time.process_time(), time.perf_counter()
            report = next(iter(scanner.scan([str(clip)])))
            warm_runs.append(time.perf_counter() - start)
            warm_cpu.append(time.process_time() - cpu0)
        warm = min(warm_runs)

        ev = next((e for e in report.evidence if e.detector == "video-frames"), None)
        print(f"scan, cold (loads detectors): {cold:.2f} s  = {cold / base:.2f}x plain decode")
        print(f"scan, warm:                   {warm:.2f} s  = {warm / base:.2f}x plain decode")
        print(f"warm runs: {', '.join(f'{t:.2f}' for t in warm_runs)} s (min reported)")
        # CPU seconds (all threads) do not grow when other jobs share the cores: on 2 idle
        # cores the wall time is at most this, and about half of it where work runs in parallel.
        print(f"CPU time (all threads): cold {cold_cpu:.2f} s, warm {min(warm_cpu):.2f} s")
        print(f"goal < 10 s on 2 cores: cold {'met' if cold < 10 else 'NOT met'}, "
              f"warm {'met' if warm < 10 else 'NOT met'}")  # fmt: skip
        if ev is not None:
            print(f"verdict: {report.verdict}  score: {report.score}")
            print(f"reason: {ev.reason}")
            print(f"image detectors used: {ev.details.get('image_detectors')}")
            timeline = next(
                (
                    a
                    for a in ev.artefacts
                    if "timeline" in a.title.lower() or "over time" in a.title.lower()
                ),
                None,
            )
            png = timeline.picture() if timeline else None
            print(f"timeline plot: {'yes' if png else 'missing'}")
            if args.keep and png:
                (folder / "bench_timeline.png").write_bytes(png)
                print(f"timeline written to {folder / 'bench_timeline.png'}")


if __name__ == "__main__":
    main()
