"""``scan --engine dask`` on a local 2-worker cluster against the single-process scan.

Makes N small files (distinct 96x96 PNG crops of the example photos, plus a few broken files),
then runs, in the same run:

- baseline: ``fakescope scan --json`` in one process, with its default threads (all cores) and
  with ``--threads 1`` (the thread count of each Dask worker);
- Dask: ``fakescope scan --engine dask --workers 2 --out results.jsonl`` (a local cluster).

Checks that the Dask output holds exactly the lines of the single-process scan at the same thread
count (order aside: the cluster writes each chunk as it finishes), reports how the default-thread
scan differs (PyTorch's CPU kernels sum in a thread-dependent order: last digits of unrounded
evidence scores), checks that a rerun resumes with nothing left to do, and prints files/s and the
ratios. Run: ``python benchmarks/bench_batch.py [--n 1000]``.
"""

from __future__ import annotations

import argparse
import json
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
        one_s, one = timed([*FAKESCOPE, "scan", "--json", "--threads", "1", str(folder)])
        cmd = [*FAKESCOPE, "scan", "--engine", "dask", "--workers", str(args.workers)]
        dask_s, dask = timed([*cmd, "--out", str(out), str(folder)])
        assert dask.returncode in (0, 1), dask.stderr[-2000:]
        again_s, again = timed([*cmd, "--out", str(out), str(folder)])
        default = _lines(single.stdout)
        same_threads = _lines(one.stdout)
        cluster = _lines(out.read_text())
    print(
        f"{args.n} files ({args.n - BROKEN} 96x96 PNGs, {BROKEN} truncated), "
        f"{os.cpu_count()} CPU(s)"
    )
    print(f"single process  {args.n / single_s:7.2f} files/s ({single_s:.1f} s, default threads)")
    print(f"single, 1 thr   {args.n / one_s:7.2f} files/s ({one_s:.1f} s)")
    print(
        f"dask x{args.workers}         {args.n / dask_s:7.2f} files/s ({dask_s:.1f} s, "
        f"local cluster start-up included)"
    )
    print(
        f"ratio           dask / single: {single_s / dask_s:.2f} (default threads), "
        f"{one_s / dask_s:.2f} (1 thread)"
    )
    identical = cluster == same_threads
    print(
        f"identical JSONL to scan --json --threads 1: {'yes' if identical else 'NO'} "
        f"({len(cluster)} lines, {len(set(cluster) ^ set(same_threads))} differ)"
    )
    print(f"vs scan --json (default threads): {_float_drift(default, cluster)}")
    print(f"resume          rerun took {again_s:.1f} s: {again.stderr.strip().splitlines()[-1]}")
    if not identical:
        raise SystemExit(1)


def _lines(text: str) -> list[str]:
    return sorted(x for x in text.splitlines() if x.strip())


def _float_drift(a: list[str], b: list[str]) -> str:
    """How two sets of records differ: count of records and the largest number difference."""
    by_path = {json.loads(x)["path"]: json.loads(x) for x in b}
    records, largest, fields = 0, 0.0, set()
    for line in a:
        rec = json.loads(line)
        diffs = list(_walk(rec, by_path.get(rec["path"]), ""))
        records += bool(diffs)
        for where, x, y in diffs:
            fields.add(where.split("[")[0] + ("[].score" if where.endswith(".score") else ""))
            if isinstance(x, float) and isinstance(y, float):
                largest = max(largest, abs(x - y))
            else:
                largest = float("inf")
    if not records:
        return "identical"
    return (
        f"{records} of {len(a)} records differ, largest difference {largest:.1e} "
        f"(in {', '.join(sorted(fields))})"
    )


def _walk(x, y, where):
    if isinstance(x, dict) and isinstance(y, dict):
        for key in x.keys() | y.keys():
            yield from _walk(x.get(key), y.get(key), f"{where}.{key}")
    elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
        for i, (u, v) in enumerate(zip(x, y, strict=True)):
            yield from _walk(u, v, f"{where}[{i}]")
    elif x != y:
        yield where, x, y


if __name__ == "__main__":
    main()
