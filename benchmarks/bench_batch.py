"""``scan --engine dask`` on a local 2-worker cluster against the single-process scan.

Makes N small files (distinct 96x96 PNG crops of the example photos, plus a few broken files),
then runs, in the same run:

- baseline: ``fakescope scan --json`` in one process;
- Dask: ``fakescope scan --engine dask --workers 2 --out results.jsonl`` (a local cluster).

Checks that the two JSON Lines outputs hold exactly the same lines (order aside: the cluster
writes each chunk as it finishes), that a rerun resumes with nothing left to do, and prints
files/s of both and the ratio. Run: ``python benchmarks/bench_batch.py [--n 1000]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "images"
FAKESCOPE = [sys.executable, "-m", "fakescope.cli"]
BROKEN = 5


def make_files(folder: Path, n: int, size: int = 96, seed: int = 1) -> None:
    photos = [np.asarray(Image.open(p).convert("RGB")) for p in sorted(EXAMPLES.glob("*.png"))]
    rng = np.random.default_rng(seed)
    for i in range(n - BROKEN):
        src = photos[i % len(photos)]
        y = int(rng.integers(0, src.shape[0] - size + 1))
        x = int(rng.integers(0, src.shape[1] - size + 1))
        crop = np.ascontiguousarray(src[y : y + size, x : x + size])
        Image.fromarray(crop).save(folder / f"img_{i:05d}.png")
    for i in range(BROKEN):  # truncated PNGs: the error records must match too
        good = (folder / f"img_{i:05d}.png").read_bytes()
        (folder / f"broken_{i}.png").write_bytes(good[: 40 + i * 10])


def timed(cmd: list[str], stdout=None) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - start, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fakescope-batch-") as tmp:
        folder, out = Path(tmp) / "in", Path(tmp) / "dask.jsonl"
        folder.mkdir()
        make_files(folder, args.n)
        single_s, single = timed([*FAKESCOPE, "scan", "--json", str(folder)])
        dask_s, dask = timed(
            [
                *FAKESCOPE,
                "scan",
                "--engine",
                "dask",
                "--workers",
                str(args.workers),
                "--out",
                str(out),
                str(folder),
            ]
        )
        assert dask.returncode in (0, 1), dask.stderr[-2000:]
        again_s, again = timed(
            [
                *FAKESCOPE,
                "scan",
                "--engine",
                "dask",
                "--workers",
                str(args.workers),
                "--out",
                str(out),
                str(folder),
            ]
        )
        a = sorted(x for x in single.stdout.splitlines() if x.strip())
        b = sorted(x for x in out.read_text().splitlines() if x.strip())
    differ = len(set(a) ^ set(b))
    print(
        f"{args.n} files ({args.n - BROKEN} 96x96 PNGs, {BROKEN} truncated), "
        f"{os.cpu_count()} CPU(s)"
    )
    print(f"single process  {args.n / single_s:7.2f} files/s ({single_s:.1f} s)")
    print(
        f"dask x{args.workers}         {args.n / dask_s:7.2f} files/s ({dask_s:.1f} s, "
        f"local cluster start-up included)"
    )
    print(f"ratio           dask / single: {single_s / dask_s:.2f}")
    print(
        f"identical JSONL: {'yes' if a == b else 'NO'} ({len(a)} vs {len(b)} lines, "
        f"{differ} lines differ)"
    )
    print(f"resume          rerun took {again_s:.1f} s: {again.stderr.strip().splitlines()[-1]}")
    if a != b:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
