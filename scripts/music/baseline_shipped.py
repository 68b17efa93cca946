"""Score the shared music clips with the previous release's ``music-artifacts`` (baseline).

Each file is scored as a user's scan would: at its own rate and channels, resampled to 44.1 kHz
(the old detector abstains under 32 kHz; here its model is applied anyway so that every family
gets a number). Prints ROC-AUC per family and the share of real clips called likely synthetic.

Usage::

    .venv/bin/python scripts/music/baseline_shipped.py --shared ../shared/datasets/music
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from fakescope.audio.loader import load_audio
from fakescope.audio.music import MusicModel, music_features, music_segments
from fakescope.audio.weights_io import weights_path
from fakescope.core.fusion import sigmoid


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path("/work/shared/datasets/music"))
    ap.add_argument("--weights", type=Path, default=None)
    args = ap.parse_args()
    model = MusicModel(args.weights or weights_path("music.npz"))
    rows = list(csv.DictReader(open(args.shared / "MANIFEST.tsv"), delimiter="\t"))
    scores, fams = [], []
    for row in rows:
        clip = load_audio(args.shared / row["file"])[0].data
        feats = np.stack([music_features(s) for _, _, s in music_segments(clip)])
        scores.append(float(sigmoid(float(model.logits(feats).mean()))))
        fams.append(row["family"] if row["label"] == "fake" else "real")
    scores, fams = np.array(scores), np.array(fams)
    real = scores[fams == "real"]
    for fam in sorted(set(fams) - {"real"}):
        f = scores[fams == fam]
        auc = roc_auc_score(np.r_[np.zeros(len(real)), np.ones(len(f))], np.r_[real, f])
        print(f"{fam:14s} n={len(f):3d} AUC {auc:.3f}")
    allf = scores[fams != "real"]
    auc = roc_auc_score(np.r_[np.zeros(len(real)), np.ones(len(allf))], np.r_[real, allf])
    print(
        f"all fakes AUC {auc:.3f}; real >= 0.5: {np.mean(real >= 0.5):.2f}, "
        f">= 0.7: {np.mean(real >= 0.7):.2f}; fake >= 0.5: {np.mean(allf >= 0.5):.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
