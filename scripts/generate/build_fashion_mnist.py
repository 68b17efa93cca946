"""Write Fashion-MNIST (Debian ``dataset-fashion-mnist``, MIT licence) as class folders of PNGs.

    apt-get install dataset-fashion-mnist
    python scripts/generate/build_fashion_mnist.py --out /work/data/provenance/fashion

Writes ``OUT/train/<class>/NNNNN.png`` (60,000 images) and ``OUT/test/<class>/NNNNN.png``
(10,000), 28x28 grayscale, so that ``fakescope train generator --data OUT/train`` can read them.
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import numpy as np
from PIL import Image

SOURCE = Path("/usr/share/datasets/fashion-mnist")
CLASSES = ["tshirt", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle_boot"]  # fmt: skip


def read_idx(path: Path) -> np.ndarray:
    """An IDX file (the MNIST format, gzip-compressed) as a NumPy array."""
    raw = gzip.open(path).read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--source", type=Path, default=SOURCE)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    if not (args.source / "train-images-idx3-ubyte.gz").exists():
        raise SystemExit(
            f"{args.source}: Fashion-MNIST not found (apt-get install dataset-fashion-mnist)"
        )
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = read_idx(args.source / f"{prefix}-images-idx3-ubyte.gz")
        labels = read_idx(args.source / f"{prefix}-labels-idx1-ubyte.gz")
        for name in CLASSES:
            (args.out / split / name).mkdir(parents=True, exist_ok=True)
        for i, (img, label) in enumerate(zip(images, labels, strict=True)):
            Image.fromarray(img, "L").save(args.out / split / CLASSES[label] / f"{i:05d}.png")
        print(f"{split}: {len(images)} images -> {args.out / split}")


if __name__ == "__main__":
    main()
