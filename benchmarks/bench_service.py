"""The web service under 200 concurrent uploads over loopback, against the single-process CLI.

Makes N distinct small PNGs (crops of the shipped example photos), then measures in one run:

- baseline: ``fakescope scan --json`` over the same files in one process (wall time, start-up
  included, and without start-up: the time of a 1-file scan subtracted);
- service: ``fakescope serve --workers W`` started as a real server; N uploads sent at once
  (``POST /api/scan``, one file each) from an asyncio client over loopback.

Checks that no result is lost or duplicated (every upload answered once with its own file, one
history row per upload, all ids distinct) and prints p50/p95/p99 latency, throughput and the
ratio to the CLI. Run: ``python benchmarks/bench_service.py [--n 200] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "images"
FAKESCOPE = [sys.executable, "-m", "fakescope.cli"]


def make_pngs(folder: Path, n: int, size: int = 128, seed: int = 0) -> list[Path]:
    photos = [np.asarray(Image.open(p).convert("RGB")) for p in sorted(EXAMPLES.glob("*.png"))]
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        src = photos[i % len(photos)]
        y = int(rng.integers(0, src.shape[0] - size + 1))
        x = int(rng.integers(0, src.shape[1] - size + 1))
        path = folder / f"upload_{i:04d}.png"
        Image.fromarray(np.ascontiguousarray(src[y : y + size, x : x + size])).save(path)
        paths.append(path)
    return paths


def cli_seconds(paths: list[Path]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [*FAKESCOPE, "scan", "--json", *map(str, paths)], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    lines = [json.loads(x) for x in done.stdout.splitlines() if x.strip()]
    assert len(lines) == len(paths), done.stderr[-500:]
    return elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [
            *FAKESCOPE,
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data),
            "--workers",
            str(workers),
            "--max-files",
            "4",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server did not start: {server.stderr.read()[-1000:]}")
        try:
            if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not answer within 600 s")


async def upload_all(url: str, paths: list[Path]) -> tuple[list[float], list[dict], float]:
    import httpx

    limits = httpx.Limits(max_connections=len(paths), max_keepalive_connections=len(paths))
    async with httpx.AsyncClient(base_url=url, timeout=900, limits=limits) as client:

        async def one(path: Path) -> tuple[float, dict]:
            start = time.perf_counter()
            res = await client.post(
                "/api/scan", files={"files": (path.name, path.read_bytes(), "image/png")}
            )
            res.raise_for_status()
            return time.perf_counter() - start, res.json()

        start = time.perf_counter()
        answers = await asyncio.gather(*(one(p) for p in paths))
        wall = time.perf_counter() - start
    return [a[0] for a in answers], [a[1] for a in answers], wall


def check(paths: list[Path], answers: list[dict], url: str) -> None:
    import httpx

    reports = [r for a in answers for r in a["reports"]]
    names = [r["path"] for r in reports]
    assert len(reports) == len(paths), f"{len(reports)} reports for {len(paths)} uploads"
    assert names == [p.name for p in paths], "an upload got another file's report"
    errors = [r for r in reports if r["error"]]
    assert not errors, f"{len(errors)} uploads failed, first: {errors[0]['error']}"
    ids = {r["id"] for r in reports}
    assert len(ids) == len(paths), "duplicated history ids"
    history = httpx.get(url + "/api/scans", params={"limit": 1000}, timeout=60).json()["scans"]
    assert sorted(h["filename"] for h in history) == sorted(names), "history rows lost or doubled"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fakescope-bench-") as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        paths = make_pngs(folder, args.n)
        size_kb = paths[0].stat().st_size // 1024
        one = cli_seconds(paths[:1])
        cli = cli_seconds(paths)
        cli_rate, cli_steady = args.n / cli, (args.n - 1) / max(1e-9, cli - one)
        server, url = start_server(Path(tmp) / "data", args.workers)
        try:
            latencies, answers, wall = asyncio.run(upload_all(url, paths))
            check(paths, answers, url)
        finally:
            server.terminate()
            server.wait(30)
    rate = args.n / wall
    print(
        f"{args.n} concurrent uploads of {size_kb} KB PNGs, "
        f"{args.workers} analysis process(es), {os.cpu_count()} CPU(s)"
    )
    print("results: none lost, none duplicated (one report and one history row per upload)")
    print(
        f"latency  p50 {percentile(latencies, 50):6.2f} s   p95 {percentile(latencies, 95):6.2f}"
        f" s   p99 {percentile(latencies, 99):6.2f} s   max {max(latencies):6.2f} s"
    )
    print(f"service  {rate:6.2f} files/s ({wall:.1f} s for all)")
    print(
        f"CLI      {cli_rate:6.2f} files/s with start-up ({cli:.1f} s), "
        f"{cli_steady:6.2f} files/s without ({one:.1f} s start-up)"
    )
    print(
        f"ratio    service / CLI: {rate / cli_rate:.2f} (with start-up), "
        f"{rate / cli_steady:.2f} (steady state)"
    )


if __name__ == "__main__":
    main()
