"""How many saved fooling images still fool a detector (e.g. the hardened one).

Scans a ``--gallery`` folder of ``fakescope robustness`` (files ``<method>__<direction>__<k>.png``)
with one detector through the Scanner, and prints, per method and direction, how many score
>= 0.99 in the wanted direction. Weights come from ``FAKESCOPE_IMAGE_WEIGHTS`` as usual.

Usage::

    FAKESCOPE_IMAGE_WEIGHTS=/work/data/robustness/weights/image-adv \\
        .venv/bin/python scripts/robustness/score_gallery.py GALLERY_FOLDER
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from fakescope.core.pipeline import Scanner
from fakescope.robustness.fooling import FOOLING_CONFIDENCE


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gallery", type=Path)
    ap.add_argument("--detector", default="residual-cnn")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    files = sorted(args.gallery.glob("*__*__*.png"))
    if not files:
        raise SystemExit(f"{args.gallery}: no fooling images (<method>__<direction>__<k>.png)")
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    rows = []
    for report in Scanner(detectors=[args.detector]).scan([str(p) for p in files]):
        method, direction, _ = Path(report.path).stem.split("__")
        score = report.detector_scores.get(args.detector)
        conf = None if score is None else (score if direction == "synthetic" else 1 - score)
        counts[(method, direction)][1] += 1
        counts[(method, direction)][0] += conf is not None and conf >= FOOLING_CONFIDENCE
        rows.append({"path": report.path, "score": score})
    summary = [{"method": m, "direction": d, "fooling": c[0], "n": c[1]}
               for (m, d), c in sorted(counts.items())]  # fmt: skip
    if args.json:
        print(json.dumps({"detector": args.detector, "summary": summary, "files": rows}))
        return
    for s in summary:
        print(f"{s['method']:8s} -> {s['direction']:9s}: {s['fooling']}/{s['n']} still scored "
              f">= {FOOLING_CONFIDENCE} by {args.detector}")  # fmt: skip


if __name__ == "__main__":
    main()
