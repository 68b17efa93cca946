"""Cost of attacking an image against scanning it: PGD-10 per image as a ratio to one scan.

Makes N camera-like 256x256 PNGs in a temporary folder (crops of the shipped example photos, the
same maker as ``bench_image.py``), then measures, in the same run and on the same threads:

- baseline: ``fakescope scan`` of every file (the Scanner with the default image detectors:
  loading, every detector, fusion and the evidence pictures);
- PGD-10 (L-inf 2/255, random start) against the default attacked detector's ``torch_module()``
  (the first default image detector that has one), ``residual-cnn``'s and ``robust-cnn``'s (when
  its weights are installed), in batches of 16 as ``fakescope robustness`` runs it;
- FGSM and one Square-attack query (a forward pass) per image, for scale.

Prints seconds per image and ratios to one scan. Run:
``python benchmarks/bench_robustness.py [--n 64] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import time
from pathlib import Path

import numpy as np


def _make_pngs():
    spec = importlib.util.spec_from_file_location(
        "bench_image", Path(__file__).resolve().parent / "bench_image.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_pngs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    args = ap.parse_args()
    import torch

    from fakescope.core.pipeline import Scanner
    from fakescope.robustness.adapters import ImageAdapter
    from fakescope.robustness.attacks import FGSM, PGD

    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="fakescope-bench-robustness-") as tmp:
        folder = Path(tmp)
        _make_pngs()(folder, args.n)
        scanner = Scanner(batch_size=16)
        list(scanner.scan([str(next(folder.glob("*.png")))]))  # warm-up: imports, weights
        t = time.perf_counter()
        reports = list(scanner.scan([str(folder)]))
        scan_s = (time.perf_counter() - t) / args.n
        if sum(r.error is None for r in reports) != args.n:
            raise SystemExit("some benchmark images could not be scanned")

        from fakescope.core.loading import load

        medias = [m for p in sorted(folder.glob("*.png")) for m in load(p)]
        adapter = ImageAdapter()
        x = torch.stack([adapter.tensors(m)[0] for m in medias])
        y = torch.tensor([float(i % 2) for i in range(len(medias))])
        from fakescope.robustness.engine import RobustnessRun, Settings

        default = RobustnessRun(Settings()).default_target("image")
        rows = []
        from fakescope.core.registry import DetectorUnavailable

        for name in dict.fromkeys([default, "residual-cnn", "robust-cnn"]):
            try:
                module = scanner.detector(name).torch_module()
            except DetectorUnavailable as exc:  # robust-cnn without weights: not measured
                print(f"  ({name} not measured: {exc})")
                continue

            def per_image(make_attack) -> float:
                t = time.perf_counter()
                for i in range(0, len(x), 16):
                    make_attack()(x[i : i + 16], y[i : i + 16])
                return (time.perf_counter() - t) / len(x)

            pgd_s = per_image(lambda m=module: PGD(m, 2 / 255, steps=10, seed=0))
            fgsm_s = per_image(lambda m=module: FGSM(m, 2 / 255))
            t = time.perf_counter()
            with torch.no_grad():
                for i in range(0, len(x), 16):
                    module(x[i : i + 16])
            query_s = (time.perf_counter() - t) / len(x)
            rows += [(f"PGD-10 L-inf 2/255 ({name})", pgd_s), (f"FGSM ({name})", fgsm_s),
                     (f"one score query ({name})", query_s)]  # fmt: skip
    print(f"{args.n} PNGs of 256x256, torch threads {torch.get_num_threads()}")
    print(f"  scan (default image detectors)          : {scan_s * 1000:8.1f} ms/image   ratio 1")
    for label, s in rows:
        print(f"  {label:40s}: {s * 1000:8.1f} ms/image   ratio {s / scan_s:.2f}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
