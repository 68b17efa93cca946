"""Train robust-cnn (standard or adversarial) on the residual-cnn data and write a weights folder.

The same data pipeline as ``fakescope train image --real DIR`` (patches split by source, seed 0;
24 simulated decoders; self-blends; laundering) and the same function as
``fakescope train image --real DIR --adversarial --adversarial-only``
(:func:`fakescope.robustness.robust_training.train_robust`); in addition the output folder gets
the shipped image weights copied next to ``robust_cnn.npz``, so that it is a complete weights
folder (``FAKESCOPE_IMAGE_WEIGHTS=OUT fakescope scan --extra robust-cnn ...``). Training views
are cached (``--cache``), so the candidates of a comparison see exactly the same data.

Usage::

    .venv/bin/python scripts/robustness/train_robust_cnn.py --real /work/data/image/real/train \\
        --out /work/data/robustness/r2/weights/robust-M --eps 0.00784 --fraction 0.5 \\
        --cache /work/data/robustness/r2/cache
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import torch


def main() -> None:
    from fakescope.image import SHIPPED_WEIGHTS
    from fakescope.robustness.robust_training import RobustTraining, train_robust

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", type=Path, required=True, help="real training patches")
    ap.add_argument("--out", type=Path, required=True, help="weights folder to write")
    ap.add_argument("--cache", type=Path, default=None, help="folder caching training views")
    ap.add_argument("--eps", type=float, default=2 / 255, help="0: standard training")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--fraction", type=float, default=0.5)
    ap.add_argument("--trades-beta", type=float, default=0.0)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--front", default="highpass", help="rgb, highpass or srm")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    settings = RobustTraining(
        eps=args.eps, steps=args.steps, fraction=args.fraction, trades_beta=args.trades_beta,
        epochs=args.epochs, seed=args.seed, front=args.front,
    )  # fmt: skip
    train_robust(args.real, args.out, settings, args.cache, lambda m: print(m, flush=True))
    for f in SHIPPED_WEIGHTS.iterdir():
        if f.is_file() and not (args.out / f.name).exists():
            shutil.copyfile(f, args.out / f.name)
    print(f"wrote {args.out} ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
