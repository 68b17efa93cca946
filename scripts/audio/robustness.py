"""Speech detection before and after laundering, side by side (clean / MP3 / Opus / telephone).

Runs the same Scanner as ``fakescope evaluate`` over the folders written by
``make_eval_sets.py`` and prints, per condition, ROC-AUC and EER of the fused verdict and of each
speech detector, plus how many files abstained (routed away from the speech detectors).

Usage::

    FAKESCOPE_AUDIO_WEIGHTS=/work/data/audio/weights/holdout-festival \\
    .venv/bin/python scripts/audio/robustness.py --real real_fsdd_theo --fake fake_festival
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from fakescope.core import metrics
from fakescope.core.pipeline import Scanner

CONDITIONS = ("clean", "mp3", "opus", "telephone")
COLUMNS = ("fused", "lfcc-gmm", "spec-cnn")


def score_folder(scanner: Scanner, folder: Path) -> list[dict]:
    rows = []
    for report in scanner.scan([str(folder)]):
        rows.append(
            {
                "path": report.path,
                "fused": report.score,
                "error": report.error,
                **{k: v for k, v in report.detector_scores.items()},
            }
        )
    return rows


def summarise(real: list[dict], fake: list[dict], columns=COLUMNS) -> dict:
    out = {}
    for col in columns:
        r = [x[col] for x in real if x.get(col) is not None]
        f = [x[col] for x in fake if x.get(col) is not None]
        y = np.r_[np.zeros(len(r)), np.ones(len(f))]
        s = np.r_[r, f]
        ok = len(r) and len(f)
        out[col] = {
            "roc_auc": metrics.roc_auc(y, s) if ok else None,
            "eer": metrics.equal_error_rate(y, s)[0] if ok else None,
            "n_real": len(r),
            "n_fake": len(f),
            "abstained": (len(real) - len(r)) + (len(fake) - len(f)),
        }
    return out


def _w(column: str) -> int:
    """Cell width: room for the header ("<column> AUC") plus two spaces."""
    return max(14, len(column) + 6)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", type=Path, default=Path("/work/data/audio/eval"))
    ap.add_argument("--real", default="real_fsdd_theo")
    ap.add_argument("--fake", action="append", default=None)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument(
        "--extra", action="append", default=[], help="opt-in detector to add (e.g. whisper-embed)"
    )
    args = ap.parse_args(argv)
    fakes = args.fake or ["fake_festival"]
    scanner = Scanner(batch_size=32, extra=args.extra)
    columns = (*COLUMNS, *args.extra)
    results: dict = {}
    for cond in CONDITIONS:
        real = score_folder(scanner, args.eval / cond / args.real)
        for fk in fakes:
            fake = score_folder(scanner, args.eval / cond / fk)
            results[f"{cond}/{fk}"] = summarise(real, fake, columns)
            print(f"done {cond}/{fk}", file=sys.stderr, flush=True)
    header = (
        f"{'condition / fake set':34s}"
        + "".join(f"{c + ' AUC':>{_w(c)}s}{c + ' EER':>{_w(c)}s}" for c in columns)
        + f"{'abstained':>11s}"
    )
    print(f"real: {args.real}")
    print(header)
    for key, res in results.items():
        cells = "".join(
            f"{res[c]['roc_auc']:{_w(c)}.4f}{res[c]['eer'] * 100:{_w(c) - 1}.2f}%"
            if res[c]["roc_auc"] is not None
            else f"{'n/a':>{_w(c)}s}{'n/a':>{_w(c)}s}"
            for c in columns
        )
        print(f"{key:34s}{cells}{res['fused']['abstained']:11d}")
    if args.json:
        args.json.write_text(json.dumps({"real": args.real, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
