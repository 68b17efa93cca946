"""False positives of the shipped music verdict on real music of other genres.

Scores the 3 s clips that ``prepare_detection_data.py --parts other`` cut from real tracks that
no training or design decision used (Debian game-music packages, Sonic Pi's recorded loops), in
the clean and the laundered condition, with the shipped (or given) ``music.npz``, and prints the
share of clips at or above the decision (0.5) and "likely synthetic" (0.7) thresholds per source.

Usage::

    .venv/bin/python scripts/music/false_positives.py --data /work/data/music/det
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from fakescope.audio.music import MusicModel, kind_features
from fakescope.audio.weights_io import weights_path
from fakescope.core.fusion import sigmoid


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("/work/data/music/det"))
    ap.add_argument("--weights", type=Path, default=None)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    model = MusicModel(args.weights or weights_path("music.npz"))
    with np.load(args.data / "other.npz") as d:
        meta, clips = d["meta"], {k: d[k] for k in ("clean", "laundered")}
    out = {}
    for cond, audio in clips.items():
        feats = np.stack([kind_features(x, model.kinds, model.spec) for x in audio])
        p = np.array([sigmoid(float(z)) for z in model.logits(feats)])
        rows = {}
        for src in sorted(set(meta[:, 3])) + ["all"]:
            m = np.ones(len(p), bool) if src == "all" else meta[:, 3] == src
            rows[src] = {
                "n": int(m.sum()),
                "ge_0.5": float(np.mean(p[m] >= 0.5)),
                "ge_0.7": float(np.mean(p[m] >= 0.7)),
                "median": float(np.median(p[m])),
            }
            print(
                f"{cond:9s} {src:20s} n={m.sum():4d}  >=0.5 {rows[src]['ge_0.5']:.1%}"
                f"  >=0.7 {rows[src]['ge_0.7']:.1%}  median {rows[src]['median']:.2f}"
            )
        out[cond] = rows
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
