"""Robustness and false-positive rate of the image watermark (issue 14 must-show).

    python scripts/provenance/eval_image_watermark.py --out /work/data/provenance/eval/image_wm.json
    # maintained baseline on the same images (needs: pip install invisible-watermark):
    python scripts/provenance/eval_image_watermark.py --baseline dwtDct --limit 200 ...

Images: every file of /work/shared/datasets/images (real and fake, 256x256 WebP; evaluation only)
except the 40 used to choose the strength, plus the photos of Debian opencv-doc. Each image is
checked unmarked (false positives), then marked with a random 32-bit payload and checked clean,
after JPEG q75, after a bicubic resize to 0.75, and after both. A detection counts only when the
decoded payload is the one embedded.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SHARED = next(
    (
        p
        for p in (REPO.parent / "shared/datasets/images", Path("/work/shared/datasets/images"))
        if p.is_dir()
    ),
    REPO.parent / "shared/datasets/images",
)
OPENCV = Path("/usr/share/doc/opencv-doc/examples/data")
DEV = 40  # the first 40 sorted files of real/ chose the strength (see docs/provenance.md)


def images(limit: int | None) -> list[Path]:
    real = sorted((SHARED / "real").glob("*"))[DEV:]
    fake = sorted((SHARED / "fake").glob("*"))
    photos = sorted(p for p in OPENCV.glob("*.jpg"))
    files = real + fake + photos
    return files[:limit] if limit else files


def jpeg(a: np.ndarray, q: int = 75) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "JPEG", quality=q)
    return np.asarray(Image.open(buf).convert("RGB"))


def resize(a: np.ndarray, s: float = 0.75) -> np.ndarray:
    h, w = a.shape[:2]
    return np.asarray(
        Image.fromarray(a).resize((round(w * s), round(h * s)), Image.Resampling.BICUBIC)
    )


ATTACKS = {
    "clean": lambda a: a,
    "jpeg75": jpeg,
    "resize0.75": resize,
    "resize0.75+jpeg75": lambda a: jpeg(resize(a)),
    "jpeg50": lambda a: jpeg(a, 50),
    "resize0.5": lambda a: resize(a, 0.5),
}


class Own:
    name = "fakescope-stdm-dct"

    def embed(self, a, payload):
        from fakescope.provenance.image_watermark import embed

        return embed(a, payload)

    def detect(self, a):
        from fakescope.provenance.image_watermark import detect

        d = detect(a)
        return d.payload if d.found else None


class InvisibleWatermark:
    """imwatermark with a 32-bit payload + CRC-16 check (the same decision rule as ours)."""

    def __init__(self, method: str) -> None:
        from imwatermark import WatermarkDecoder, WatermarkEncoder

        self.method, self.name = method, f"invisible-watermark {method}"
        self.enc, self.dec = WatermarkEncoder(), WatermarkDecoder("bits", 48)
        self._encoder_cls = WatermarkEncoder

    def embed(self, a, payload):
        from fakescope.provenance.image_watermark import crc16

        bits = [(payload >> (31 - i)) & 1 for i in range(32)]
        bits += [(crc16(payload) >> (15 - i)) & 1 for i in range(16)]
        enc = self._encoder_cls()
        enc.set_watermark("bits", bits)
        return enc.encode(a[..., ::-1].copy(), self.method)[..., ::-1].copy()

    def detect(self, a):
        from fakescope.provenance.image_watermark import crc16

        try:
            bits = self.dec.decode(a[..., ::-1].copy(), self.method)
        except Exception:
            return None
        value = int("".join(str(int(b)) for b in bits), 2)
        payload, crc = value >> 16, value & 0xFFFF
        return payload if crc16(payload) == crc else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--baseline", choices=["dwtDct", "dwtDctSvd"], default=None)
    args = ap.parse_args()
    scheme = InvisibleWatermark(args.baseline) if args.baseline else Own()
    files = images(args.limit)
    rng = np.random.default_rng(0)
    hits = dict.fromkeys(ATTACKS, 0)
    false_pos, psnrs, failures, skipped = 0, [], {k: [] for k in ATTACKS}, 0
    t0 = time.perf_counter()
    for i, f in enumerate(files):
        img = np.asarray(Image.open(f).convert("RGB"))
        if min(img.shape[:2]) < 64:
            skipped += 1
            continue
        payload = int(rng.integers(0, 2**32))
        if scheme.detect(img) is not None:
            false_pos += 1
        marked = scheme.embed(img, payload)
        mse = np.mean((marked.astype(float) - img) ** 2)
        psnrs.append(10 * np.log10(255**2 / max(mse, 1e-12)))
        for name, attack in ATTACKS.items():
            ok = scheme.detect(attack(marked)) == payload
            hits[name] += ok
            if not ok:
                failures[name].append(f.name)
        if (i + 1) % 100 == 0:
            print(f"{i + 1}/{len(files)} {time.perf_counter() - t0:.0f}s", flush=True)
    n = len(files) - skipped
    groups = {
        "shared": [f for f in files if OPENCV not in f.parents],
        "opencv": [f for f in files if OPENCV in f.parents],
    }
    result = {
        "scheme": scheme.name,
        "n_by_source": {k: len(v) for k, v in groups.items()},
        "n_images": n,
        "detection_rate": {k: v / n for k, v in hits.items()},
        "false_positives": false_pos,
        "false_positive_rate": false_pos / n,
        "psnr_db": {"min": float(np.min(psnrs)), "mean": float(np.mean(psnrs))},
        "failures": {k: v[:20] for k, v in failures.items()},
        "seconds": round(time.perf_counter() - t0, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "failures"}, indent=2))


if __name__ == "__main__":
    main()
