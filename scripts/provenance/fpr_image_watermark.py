"""False-positive stress test of the image watermark detector on unmarked images.

    python scripts/provenance/fpr_image_watermark.py --variants 10 \
        --out /work/data/provenance/eval/image_wm_fpr.json

Every unmarked evaluation image of eval_image_watermark.py is checked as is and in ``--variants``
altered versions (crops, flips, quarter turns, JPEG q60-95, down-scaling), giving more than 10,000
independent looks. Beside the count of false detections it compares the observed sync-bit
agreement with Binomial(16, 1/2) and the CRC match rate with 2^-16, the two assumptions behind the
theoretical false-alarm rate of about 3e-8.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import time
from pathlib import Path

import numpy as np
from eval_image_watermark import images
from PIL import Image


def variant(a: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    h, w = a.shape[:2]
    kind = k % 5
    if kind == 0:
        y, x = rng.integers(0, max(1, h // 4)), rng.integers(0, max(1, w // 4))
        return a[y : y + 3 * h // 4, x : x + 3 * w // 4]
    if kind == 1:
        return a[:, ::-1] if rng.random() < 0.5 else a[::-1]
    if kind == 2:
        return np.rot90(a, int(rng.integers(1, 4)))
    if kind == 3:
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, "JPEG", quality=int(rng.integers(60, 96)))
        return np.asarray(Image.open(buf).convert("RGB"))
    s = rng.uniform(0.5, 0.9)
    return np.asarray(Image.fromarray(a).resize((max(16, round(w * s)), max(16, round(h * s)))))


def main() -> None:
    from fakescope.provenance.image_watermark import N_SYNC, detect

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--variants", type=int, default=10)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    agree = np.zeros(N_SYNC + 1, int)
    crc_hits = found = looks = 0
    t0 = time.perf_counter()
    for f in images(None):
        img = np.ascontiguousarray(np.asarray(Image.open(f).convert("RGB")))
        for k in range(args.variants + 1):
            a = img if k == 0 else np.ascontiguousarray(variant(img, k, rng))
            d = detect(a)
            looks += 1
            found += d.found
            crc_hits += d.crc_ok
            agree[d.sync_agree] += 1
    expected = [looks * math.comb(N_SYNC, i) / 2**N_SYNC for i in range(N_SYNC + 1)]
    result = {
        "looks": looks,
        "false_detections": found,
        "false_positive_rate": found / looks,
        "upper_95_rule_of_three": 3 / looks if found == 0 else None,
        "crc_matches": crc_hits,
        "crc_matches_expected": looks / 2**16,
        "sync_agreement_observed": agree.tolist(),
        "sync_agreement_binomial": [round(e, 1) for e in expected],
        "seconds": round(time.perf_counter() - t0, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
