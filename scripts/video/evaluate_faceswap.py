"""Real vs self-blended clips: ROC-AUC of the video detector, leave-one-video-out.

Reads the clips that ``fakescope train video --work DIR`` made (``<video>_<start>_none0.mp4`` real
re-encodes, ``..._self-blend<k>.mp4`` fakes; odd k wobble per frame, even k are consistent), then:

- temporal (face-consistency) model: for each source video, fit on the other videos' clips and
  score the held-out video's clips, so no clip is scored by a model that saw its video;
- frames (image detectors on frames and face crops, no temporal model);
- both joined as the detector joins them.

A second folder of ``<video>_<start>_swap<k>.mp4`` clips (``make_swap_clips.py``) adds face swaps,
a manipulation the temporal model never trains on, scored by the held-out video's model.

Usage: ``.venv/bin/python scripts/video/evaluate_faceswap.py CLIPS_DIR [SWAP_DIR]``
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from fakescope.core.metrics import equal_error_rate, roc_auc
from fakescope.video.aggregate import logit, sigmoid
from fakescope.video.clip import probe
from fakescope.video.consistency import TemporalModel, measure_clip
from fakescope.video.detector import VideoFramesDetector
from fakescope.video.faces import FaceFinder
from fakescope.video.loader import load_video
from fakescope.video.sampling import fixed_rate_times

NAME = re.compile(
    r"^(?P<video>.+)_(?P<start>\d+\.\d)_(?P<mode>none|self-blend|swap)(?P<k>\d+)\.mp4$"
)


def main(folder: Path, swap_folder: Path | None = None) -> None:
    clips = []
    for p in sorted(folder.glob("*.mp4")) + sorted(
        swap_folder.glob("*.mp4") if swap_folder else []
    ):
        m = NAME.match(p.name)
        if m:
            clips.append((p, m["video"], m["mode"], int(m["k"])))
    finder = FaceFinder()
    frames_det = VideoFramesDetector(temporal_model=None)
    rows = []
    for i, (p, video, mode, k) in enumerate(clips):
        label = int(mode != "none")
        clip = probe(p)
        feats, with_face = measure_clip(clip, fixed_rate_times(clip.duration, 2.0, 20), finder)
        ev = frames_det.score(load_video(p)[0])
        rows.append(
            {"path": p.name, "video": video, "label": label, "mode": mode, "k": k, "feats": feats,
             "with_face": with_face, "frames_score": ev.details["frames_score"]}
        )  # fmt: skip
        print(f"[{i + 1}/{len(clips)}] {p.name} face frames {with_face} "
              f"frames_score {ev.details['frames_score']}", flush=True)  # fmt: skip
    rows = [r for r in rows if r["with_face"]]
    by_video = defaultdict(list)
    for r in rows:
        by_video[r["video"]].append(r)
    for video, held in by_video.items():
        # Swap clips are never trained on: they test a manipulation the model has not seen.
        train = [r for r in rows if r["video"] != video and r["mode"] != "swap"]
        try:
            model = TemporalModel.fit([r["feats"] for r in train], [r["label"] for r in train])
        except ValueError:
            model = None
        for r in held:
            r["temporal_score"] = model.predict(r["feats"]) if model else None

    def report(name: str, key, subset) -> dict:
        use = [r for r in subset if key(r) is not None]
        y = np.asarray([r["label"] for r in use])
        s = np.asarray([key(r) for r in use])
        if len(set(y.tolist())) < 2:
            return {"name": name, "n": len(use), "auc": None}
        eer, _ = equal_error_rate(y, s)
        out = {"name": name, "n_real": int((y == 0).sum()), "n_fake": int((y == 1).sum()),
               "auc": round(roc_auc(y, s), 3), "eer": round(eer, 3)}  # fmt: skip
        print(json.dumps(out))
        return out

    def joined(r):
        parts = [p for p in (r["frames_score"], r.get("temporal_score")) if p is not None]
        return sigmoid(np.mean([logit(p) for p in parts])) if parts else None

    results = []
    for subset_name, keep in [
        ("all self-blend fakes", lambda r: r["mode"] != "swap"),
        (
            "wobbling self-blends (jitter 0.5)",
            lambda r: r["label"] == 0 or r["mode"] == "self-blend" and r["k"] % 2 == 1,
        ),
        (
            "consistent self-blends (jitter 0)",
            lambda r: r["label"] == 0 or r["mode"] == "self-blend" and r["k"] % 2 == 0,
        ),
        ("face swaps, unseen in training (jitter 0)", lambda r: r["mode"] != "self-blend"),
    ]:
        subset = [r for r in rows if keep(r)]
        print(f"-- {subset_name}")
        results.append(
            report(f"{subset_name}: temporal (LOVO)", lambda r: r.get("temporal_score"), subset)
        )
        results.append(report(f"{subset_name}: frames only", lambda r: r["frames_score"], subset))
        results.append(report(f"{subset_name}: joined", joined, subset))
    out = folder / "evaluation.json"
    out.write_text(json.dumps({"results": results, "rows": rows}, indent=1, default=float))
    print(f"wrote {out}")


if __name__ == "__main__":
    main(
        Path(sys.argv[1] if len(sys.argv) > 1 else "/work/data/video/train_clips"),
        Path(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
