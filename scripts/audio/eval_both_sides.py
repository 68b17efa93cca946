"""Measure how the audio verdict changes when both sides (speech and music) vote.

When the content router finds a voice AND routes music, both the speech detectors and the music
detector vote; ``AudioFuser`` then lets the side of the content label decide (label "speech" ->
speech fusion, "music"/"vocals" -> music fusion). This script scans, with the real ``Scanner``
and the shipped weights, every held-out file the shipped router sends to both sides (from the
cached router probabilities of ``eval_router.py probs``), plus a random sample of the other
files, and from the SAME evidence of one scan computes:

- C0: the verdict as shipped (``report.score``; re-derived here and checked),
- C1: max(speech fusion, music fusion) whenever both sides voted,
- C2: as C1 only when the label is not "speech".

Only both-side files can change verdict, so a change in the "likely synthetic" share over a set
= files that changed / all files of the set. Rule: /work/data/notes/router_protocol.md (round 2).

Usage::

    P=".venv/bin/python scripts/audio/eval_both_sides.py"
    OMP_NUM_THREADS=1 nice -n 10 $P scan --out /work/data/router2/scan.jsonl --sample 100000
    $P report --scan /work/data/router2/scan.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from fakescope.audio.content import route
from fakescope.audio.fusion import ADDITIVE_DETECTORS, SPEECH_DETECTORS, AudioFuser
from fakescope.core.fusion import DEFAULT_THRESHOLDS, LogitMeanFuser, logit, sigmoid

PROBS = Path("/work/data/router/probs_shipped.npz")
OTHER = Path("/work/data/music/det/other.npz")
HIGH = DEFAULT_THRESHOLDS[1]  # "likely synthetic" at or above


def _group(split: str, kind: str, source: str) -> str | None:
    """Rule groups: held-out synthetic / real speech, held-out real music (other.npz cuts), and
    the shared music clips (reported, not deciding: the music detector was fitted on them)."""
    if kind == "speech":
        if split != "heldout":
            return None
        return "speech-synthetic" if source.startswith("tts:") else "speech-real"
    if source.startswith("music-other:"):
        return "music-real-heldout"
    if source == "music-real":
        return "shared-music-real"
    return "shared-music-generated"


def candidates(evidence, fuser: AudioFuser) -> dict:
    """C0 / C1 / C2 content probabilities (with the additive watermark evidence) of one file."""
    fuser._load()
    voting = [e for e in evidence if e.score is not None and e.weight > 0]
    extra = [e for e in voting if e.detector in ADDITIVE_DETECTORS]
    content = [e for e in voting if e.detector not in ADDITIVE_DETECTORS]
    speech = [e for e in content if e.detector in SPEECH_DETECTORS]
    other = [e for e in content if e.detector not in SPEECH_DETECTORS]
    ps = fuser._speech_fuser(speech).fuse(speech) if speech else None
    pm = (fuser._music or LogitMeanFuser()).fuse(other) if other else None
    label = next(
        (
            e.details["content"].get("label")
            for e in evidence
            if isinstance(e.details.get("content"), dict)
        ),
        None,
    )

    def add(p):
        if not extra:
            return p
        z = (0.0 if p is None else logit(p)) + sum(e.weight * logit(e.score) for e in extra)
        return sigmoid(z)

    if ps is not None and pm is not None:
        c0 = ps if label == "speech" else pm
        c1 = max(ps, pm)
        c2 = ps if label == "speech" else max(ps, pm)
    else:
        c0 = c1 = c2 = ps if ps is not None else pm
    return {
        "label": label,
        "p_speech": ps,
        "p_music": pm,
        "C0": add(c0),
        "C1": add(c1),
        "C2": add(c2),
    }


def _select(n_sample: dict[str, int], seed: int) -> list[tuple[str, int, bool]]:
    """(group, index into the cached probs, routed to both sides) to scan: every both-side file
    of every group, plus a random sample of the rest."""
    data = np.load(PROBS)
    meta, probs = data["meta"], data["probs"]
    both, rest = defaultdict(list), defaultdict(list)
    for i, (m, p) in enumerate(zip(meta, probs, strict=True)):
        g = _group(*m[:3])
        if g is None:
            continue
        r = route(p[None, :])
        (both if r["has_voice"] and r["has_music"] else rest)[g].append(i)
    rng = random.Random(seed)
    order = [
        "speech-synthetic",
        "speech-real",
        "music-real-heldout",
        "shared-music-real",
        "shared-music-generated",
    ]
    out = [(g, i, True) for g in order for i in both[g]]
    for g in order:
        k = min(n_sample.get(g, 0), len(rest[g]))
        out += [(g, i, False) for i in sorted(rng.sample(rest[g], k))]
    return out


def cmd_scan(args: argparse.Namespace) -> None:
    from fakescope.core.pipeline import Scanner

    data = np.load(PROBS)
    meta = data["meta"]
    other = np.load(OTHER)["clean"]
    n_other = {}
    for i, m in enumerate(meta):  # cached order = other.npz order for the FIT music cuts
        if m[2].startswith("music-other:"):
            n_other[i] = len(n_other)
    done = set()
    if args.out.exists():
        done = {json.loads(line)["index"] for line in args.out.read_text().splitlines() if line}
    sample = {
        "speech-synthetic": args.sample,
        "speech-real": args.sample,
        "music-real-heldout": args.sample,
        "shared-music-real": args.sample // 2,
        "shared-music-generated": args.sample // 2,
    }
    todo = [t for t in _select(sample, args.seed) if t[1] not in done]
    scanner = Scanner(batch_size=1)
    fuser = AudioFuser()
    print(f"{len(todo)} files to scan", file=sys.stderr, flush=True)
    with open(args.out, "a") as f:
        for k, (group, i, both) in enumerate(todo):
            split, kind, source, name = (str(v) for v in meta[i])
            if i in n_other:
                item = {"raw": np.asarray(other[n_other[i]], np.float32), "sampling_rate": 16000}
            else:
                item = name
            t0 = time.time()
            report = scanner.scan_one(item)[0]
            row = {
                "index": int(i),
                "group": group,
                "source": source,
                "name": name,
                "cached_both": both,
                "score": report.score,
                "verdict": report.verdict,
                "error": report.error,
                "seconds": round(time.time() - t0, 2),
            }
            if report.error is None:
                content = next(
                    (
                        e.details["content"]
                        for e in report.evidence
                        if isinstance(e.details.get("content"), dict)
                    ),
                    {},
                )
                row["scan_both"] = bool(content.get("has_voice")) and bool(content.get("has_music"))
                row.update(candidates(report.evidence, fuser))
            f.write(json.dumps(row) + "\n")
            f.flush()
            if k % 10 == 0:
                print(f"{k}/{len(todo)} {row['seconds']} s", file=sys.stderr, flush=True)


def cmd_report(args: argparse.Namespace) -> None:
    rows = [json.loads(line) for line in args.scan.read_text().splitlines() if line]
    data = np.load(PROBS)
    totals = defaultdict(int)
    for m in data["meta"]:
        g = _group(*(str(v) for v in m[:3]))
        if g is not None:
            totals[g] += 1
    bad = [r for r in rows if r["error"] is None and r["C0"] is not None]
    mism = [r for r in bad if r["score"] is not None and abs(r["C0"] - r["score"]) > 1e-6]
    route_mism = [r for r in bad if r["scan_both"] != r["cached_both"]]
    print(
        f"scanned {len(rows)} files ({sum(r['error'] is not None for r in rows)} errors); "
        f"C0 re-derived != report score: {len(mism)}; scan routing != cached routing: "
        f"{len(route_mism)}"
    )
    for r in route_mism[:10]:
        print("  routing differs:", r["name"], "cached both", r["cached_both"])
    print(
        f"\n{'group':24s} {'N all':>6s} {'both-side (scanned)':>20s} "
        f"{'C0 likely':>10s} {'C1 likely':>10s} {'C2 likely':>10s}  change C1 / C2 (points)"
    )
    for g in sorted(totals):
        rb = [r for r in bad if r["group"] == g and r["scan_both"] and r["cached_both"]]
        n_all = totals[g]
        nb = len([r for r in rows if r["group"] == g and r["cached_both"]])
        c = {k: sum((r[k] or 0) >= HIGH for r in rb) for k in ("C0", "C1", "C2")}
        d1, d2 = (c["C1"] - c["C0"]) / n_all * 100, (c["C2"] - c["C0"]) / n_all * 100
        print(
            f"{g:24s} {n_all:6d} {nb:20d} {c['C0']:10d} {c['C1']:10d} {c['C2']:10d}  "
            f"{d1:+.2f} / {d2:+.2f}"
        )
        rs = [r for r in bad if r["group"] == g and not r["cached_both"]]
        if rs:
            ls = sum((r["C0"] or 0) >= HIGH for r in rs)
            print(f"{'':24s} one-side files scanned: {ls}/{len(rs)} likely synthetic (unchanged)")
        by = defaultdict(lambda: [0, 0, 0, 0])
        for r in rb:
            s = by[r["source"]]
            s[0] += 1
            s[1] += (r["C0"] or 0) >= HIGH
            s[2] += (r["C1"] or 0) >= HIGH
            s[3] += (r["C2"] or 0) >= HIGH
        if args.sources:
            for s, (n, a, b, c2) in sorted(by.items(), key=lambda kv: -(kv[1][2] - kv[1][1])):
                print(f"    {s:40s} both {n:4d}  C0 {a:3d}  C1 {b:3d}  C2 {c2:3d}")
    secs = [r["seconds"] for r in rows]
    if secs:
        print(f"\nscan time: {sum(secs):.0f} s for {len(secs)} files")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("scan")
    p.add_argument("--out", type=Path, required=True, help="JSON Lines, appended (resumable)")
    p.add_argument(
        "--sample",
        type=int,
        default=20,
        help="one-side files per group drawn at random (a large number scans them all)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_scan)
    r = sub.add_parser("report")
    r.add_argument("--scan", type=Path, required=True)
    r.add_argument("--sources", action="store_true", help="per-source lines")
    r.set_defaults(func=cmd_report)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
