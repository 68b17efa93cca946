"""Hostile-input benchmark: no hangs, no tracebacks, bounded memory, a clear error per bad file.

Builds the corpus of :mod:`hostile_corpus` (about 100 files) in a temporary folder, then:

1. scans every file on its own in a worker process with the default detectors (one worker per
   corpus folder), resetting the process's peak-memory mark (``/proc/self/clear_refs``) before
   each file, so the peak includes the loaded models, as a one-file scan pays it. The parent
   kills a worker that reports nothing for ``--hard-limit`` seconds (a hang) and restarts it on
   the remaining files;
2. runs ``fakescope scan --json`` over the whole corpus folder and ``fakescope scan --html`` over
   its names/, special/ and image/ folders, as a user would, and checks every line is JSON and
   the page is written;
3. checks that no input changed (SHA-256 before and after).

Prints the counts and exits 1 if any hang, traceback, changed input, memory over the limit or
unmet expectation was seen.

    python benchmarks/bench_hostile.py [--keep DIR] [--timeout 120] [--only image,text]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_corpus import Case, all_cases, build_corpus  # noqa: E402

LIMIT_MB = 1536
# Reasons that are catch-alls for a bug in a loader or a detector, not a reason a person can act on
UNCLEAR = ("could not be decoded as", "detector failed on this input", "could not be read (")


# -- worker: scan files one at a time, report per-file peak memory ---------------------------
def _peak_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def worker(timeout: float) -> None:
    from fakescope.core.pipeline import Scanner

    scanner = Scanner(timeout=timeout)
    for line in sys.stdin:
        path = bytes.fromhex(json.loads(line)["path_hex"])
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset the peak-RSS mark to the current RSS
        start = time.monotonic()
        out: dict = {"path_hex": path.hex()}
        try:
            out["records"] = [r.to_dict() for r in scanner.scan_one(os.fsdecode(path))]
        except Exception:  # what the bench counts: a traceback escaping the scanner
            out["traceback"] = traceback.format_exc()
        out["seconds"] = round(time.monotonic() - start, 2)
        out["peak_mb"] = round(_peak_kb() / 1024, 1)
        print(json.dumps(out), flush=True)


# -- parent ----------------------------------------------------------------------------------
def _start_worker(timeout: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, "--worker", "--timeout", str(timeout)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def scan_each(built: list[tuple[Case, bytes]], timeout: float, hard_limit: float) -> list[dict]:
    """Per-file results, in corpus order; a killed worker is restarted on the rest."""
    results: list[dict] = []
    todo = list(built)
    proc = _start_worker(timeout)
    folder = todo[0][0].name.split(b"/")[0] if todo else b""
    while todo:
        case, path = todo.pop(0)
        if case.name.split(b"/")[0] != folder:
            # A fresh worker per corpus folder: a file's peak then holds the models its own
            # modality loads, not every model loaded before it.
            folder = case.name.split(b"/")[0]
            proc.stdin.close()
            proc.wait(timeout=60)
            proc = _start_worker(timeout)
        print(f"  {os.fsdecode(case.name)!r:60s}", end=" ", flush=True)
        proc.stdin.write(json.dumps({"path_hex": path.hex()}) + "\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], hard_limit)
        line = proc.stdout.readline() if ready else ""
        if not line:
            hung = not ready
            proc.kill()
            stderr = proc.stderr.read()
            results.append(
                {"case": case, "hang": hung, "crash": stderr[-2000:] if not hung else "",
                 "records": [], "seconds": hard_limit if hung else None, "peak_mb": None}
            )  # fmt: skip
            print("HANG" if hung else "WORKER DIED")
            proc = _start_worker(timeout)
            continue
        result = json.loads(line)
        result["case"] = case
        results.append(result)
        print(f"{result['seconds']:7.1f} s {result['peak_mb']:7.0f} MB  {_summary(result)}")
    proc.stdin.close()
    proc.wait(timeout=60)
    return results


def _summary(result: dict) -> str:
    if result.get("traceback"):
        return "TRACEBACK"
    recs = result["records"]
    if not recs:
        return "no record"
    first = recs[0]
    text = first["error"] or f"{first['verdict']} {first['score']}"
    more = f" (+{len(recs) - 1} records)" if len(recs) > 1 else ""
    return text[:90] + more


def judge(result: dict) -> list[str]:
    """What is wrong with one file's result, in words (empty: as expected)."""
    case: Case = result["case"]
    if result.get("hang"):
        return ["hang"]
    if "crash" in result:
        return [f"traceback (the worker process died): {result['crash'][-300:]}"]
    if result.get("traceback"):
        return ["traceback"]
    problems = []
    recs = result["records"]
    if not recs:
        problems.append("no record")
    if result["peak_mb"] is not None and result["peak_mb"] > LIMIT_MB:
        problems.append(f"peak memory {result['peak_mb']:.0f} MB")
    for rec in recs:
        error = rec["error"]
        if error is not None and (not error.strip() or any(u in error for u in UNCLEAR)):
            problems.append(f"unclear error: {error[:80]}")
    first = recs[0] if recs else None
    if first is not None:
        has_error, has_score = first["error"] is not None, first["score"] is not None
        wanted = {
            "error": has_error,
            "verdict": has_score and not has_error,
            "abstain": not has_score and not has_error,
            "judged": not has_error,
            "any": True,
        }[case.expect]
        if not wanted:
            got = first["error"] or f"{first['verdict']} ({first['score']})"
            problems.append(f"expected {case.expect}, got: {got[:80]}")
    return problems


def scan_folder(root: Path, timeout: float) -> dict:
    """``fakescope scan --json`` and ``--html`` over the corpus, as a user runs them."""
    exe = [sys.executable, "-m", "fakescope.cli", "scan", "--timeout", str(timeout)]
    start = time.monotonic()
    run = subprocess.run([*exe, "--json", str(root)], capture_output=True, text=True,
                         timeout=3600, errors="replace")  # fmt: skip
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    bad_json = 0
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            bad_json += 1
    html = root.parent / "report.html"
    # The page over the folders whose names and files stress the renderer (a second pass over
    # the slow text and video files would only repeat what --json showed).
    parts = [str(root / d) for d in ("names", "special", "image") if (root / d).is_dir()]
    page = subprocess.run([*exe, "--html", str(html), *parts], capture_output=True, text=True,
                          timeout=3600, errors="replace")  # fmt: skip
    return {
        "seconds": round(time.monotonic() - start, 1),
        "json_exit": run.returncode,
        "json_lines": len(lines),
        "bad_json": bad_json,
        "tracebacks": sum("Traceback" in s for s in (run.stderr, page.stderr, page.stdout)),
        "html_exit": page.returncode,
        "html_bytes": html.stat().st_size if html.exists() else 0,
    }


def _digest(path: bytes) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, default=120.0, help="scanner limit per file")
    parser.add_argument("--hard-limit", type=float, default=600.0, help="a hang after this")
    parser.add_argument("--keep", type=Path, help="build the corpus here and keep it")
    parser.add_argument("--only", help="comma list of corpus folders (image,audio,...)")
    parser.add_argument("--no-folder-scan", action="store_true")
    args = parser.parse_args()
    if args.worker:
        worker(args.timeout)
        return 0
    root = args.keep or Path(tempfile.mkdtemp(prefix="fakescope-hostile-")) / "corpus"
    cases = all_cases()
    if args.only:
        keep = {k.strip().encode() for k in args.only.split(",")}
        cases = [c for c in cases if c.name.split(b"/")[0] in keep]
    t0 = time.monotonic()
    built = build_corpus(root, cases)
    print(f"corpus: {len(built)} files under {root} ({time.monotonic() - t0:.0f} s to build)")
    before = {p: _digest(p) for c, p in built if not c.special}
    results = scan_each(built, args.timeout, args.hard_limit)
    folder = None if args.no_folder_scan else scan_folder(root, args.timeout)
    changed = sum(_digest(p) != d for p, d in before.items())
    problems = {os.fsdecode(r["case"].name): judge(r) for r in results}
    peaks = sorted(r["peak_mb"] for r in results if r.get("peak_mb") is not None)
    count = lambda word: sum(any(word in p for p in ps) for ps in problems.values())  # noqa: E731
    bad = {k: v for k, v in problems.items() if v}
    expected_errors = sum(r["case"].expect == "error" for r in results)
    clear_errors = sum(
        r["case"].expect == "error" and not problems[os.fsdecode(r["case"].name)] for r in results
    )
    print("\n== hostile-input results")
    print(f"files                       {len(results)}")
    print(f"hangs                       {count('hang')}")
    stopped = sum(
        any("took longer than" in (rec["error"] or "") for rec in r.get("records", []))
        for r in results
    )
    print(f"tracebacks                  {count('traceback')}")
    print(f"stopped by the watchdog     {stopped} (a clear error, not a hang)")
    over = count("peak memory")
    median, top = peaks[len(peaks) // 2], peaks[-1]
    print(f"peak memory per file        median {median:.0f} MB, max {top:.0f} MB, over {over}")
    print(f"bad files with a clear error {clear_errors} / {expected_errors}")
    print(f"unclear errors              {count('unclear')}")
    print(f"unmet expectations          {count('expected')}")
    print(f"changed inputs              {changed}")
    slowest = sorted(results, key=lambda r: -(r.get("seconds") or 0))[:3]
    print("slowest files               " + ", ".join(
        f"{os.fsdecode(r['case'].name)} {r['seconds']} s" for r in slowest))  # fmt: skip
    if folder is not None:
        print(f"folder scan (--json, --html) {folder}")
    for name, issues in bad.items():
        print(f"  PROBLEM {name!r}: {'; '.join(issues)}")
    failed = bool(bad) or changed
    if folder is not None:
        failed = failed or folder["bad_json"] or folder["tracebacks"] or not folder["html_bytes"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
