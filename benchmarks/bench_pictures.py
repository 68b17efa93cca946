"""What evidence pictures cost per image, now that they are drawn only when a person looks.

Detectors hand over the data behind each picture plus a render function (``Artefact.render``);
``fakescope scan --json`` never draws it, the HTML report and the service do. Makes N photo-like
PNGs (crops of the shipped examples at several sizes) in a temporary folder, then measures, in
the same run and on the same images:

- per detector that makes pictures: CPU ms per image to score (what ``scan --json`` pays now)
  and to draw the pictures (what every scan paid before, when ``score`` drew them);
- whole ``scan --json`` runs (those detectors; the default image detectors; the example video,
  whose frames the image detectors score) now, and as before: every picture drawn as its
  ``Artefact`` is made, then thrown away. Rounds interleave the two, sharing the machine's noise.

Prints CPU ms per input and the ratio before / now. Run:
``python benchmarks/bench_pictures.py [--n 200] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np
from PIL import Image

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "images"
VIDEO = EXAMPLES.parent / "video" / "real_vtest_pedestrians.mp4"
SIDES = ((256, 256), (512, 384), (640, 480))


def photo_like_pngs(folder: Path, n: int, seed: int = 0) -> list[Path]:
    """``n`` PNGs: random crops of the example photos, flipped at random, in three sizes."""
    photos = [np.asarray(Image.open(p).convert("RGB")) for p in sorted(EXAMPLES.glob("*.png"))]
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        w, h = SIDES[i % len(SIDES)]
        photo = photos[i % len(photos)]
        if photo.shape[0] < h or photo.shape[1] < w:
            photo = np.asarray(Image.fromarray(photo).resize((max(w, 2 * h), max(h, 2 * h))))
        top = int(rng.integers(0, photo.shape[0] - h + 1))
        left = int(rng.integers(0, photo.shape[1] - w + 1))
        crop = photo[top : top + h, left : left + w]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        path = folder / f"photo_{i:04d}.png"
        Image.fromarray(np.ascontiguousarray(crop)).save(path)
        out.append(path)
    return out


def per_detector(name: str, medias: list) -> dict[str, float]:
    """CPU ms per image: scoring alone, and drawing every picture of that evidence."""
    from fakescope.core.registry import create_detector

    detector = create_detector(name)
    for artefact in detector.score(medias[0]).artefacts:  # warm-up: weights, first allocations
        artefact.picture()
    score_s = draw_s = 0.0
    pictures = 0
    for media in medias:
        c = time.process_time()
        evidence = detector.score(media)
        score_s += time.process_time() - c
        c = time.process_time()
        pictures += sum(a.picture() is not None for a in evidence.artefacts)
        draw_s += time.process_time() - c
    n = len(medias)
    return {
        "score_ms": 1000 * score_s / n,
        "draw_ms": 1000 * draw_s / n,
        "pictures_per_image": pictures / n,
        "ratio": (score_s + draw_s) / max(score_s, 1e-12),
    }


@contextmanager
def drawn_when_made():
    """Every picture drawn as its Artefact is made: how ``score`` worked before (benchmark only)."""
    from fakescope.core.evidence import Artefact

    made_lazily = Artefact.__init__

    def made_eagerly(self, *args, **kwargs):
        made_lazily(self, *args, **kwargs)
        self.picture()

    Artefact.__init__ = made_eagerly
    try:
        yield
    finally:
        Artefact.__init__ = made_lazily


def whole_scan(inputs: list[str], detectors: list[str] | None, rounds: int) -> dict[str, float]:
    """CPU ms per input of ``scan --json`` now (pictures never drawn) and as before (pictures
    drawn while scoring, then thrown away); medians over interleaved rounds."""
    from fakescope.core.pipeline import Scanner

    scanner = Scanner(detectors=detectors, batch_size=16)
    for report in scanner.scan(inputs[:1]):  # warm-up: weights, imports, first allocations
        with drawn_when_made():
            json.dumps(report.to_dict(include_png=True))
    now_ms, before_ms = [], []
    for _ in range(rounds):
        for mode, sink in ((nullcontext, now_ms), (drawn_when_made, before_ms)):
            c, count = time.process_time(), 0
            with mode():
                for report in scanner.scan(inputs):
                    json.dumps(report.to_dict())
                    count += 1
            sink.append(1000 * (time.process_time() - c) / max(count, 1))
    now, before = statistics.median(now_ms), statistics.median(before_ms)
    return {"now_ms": now, "before_ms": before, "ratio": before / now}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="images (default 200)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved whole-scan rounds")
    ap.add_argument(
        "--detectors",
        default="spectrum,residual-cnn,backbone-probe,anomaly",
        help="image detectors that make pictures (comma list)",
    )
    args = ap.parse_args()
    import torch

    from fakescope.core.loading import load

    torch.set_num_threads(1)  # CPU time per image, comparable between runs on a shared machine
    names = [n for n in args.detectors.split(",") if n]
    with tempfile.TemporaryDirectory(prefix="bench-pictures-") as tmp:
        folder = Path(tmp)
        paths = photo_like_pngs(folder, args.n)
        medias = [load(p)[0] for p in paths]
        print(f"{args.n} PNGs ({', '.join(f'{w}x{h}' for w, h in SIDES)}), 1 torch thread, CPU ms")
        print(f"{'detector':<16} {'score':>8} {'draw':>8} {'pictures':>9} {'before/now':>11}")
        for name in names:
            r = per_detector(name, medias)
            print(
                f"{name:<16} {r['score_ms']:8.2f} {r['draw_ms']:8.2f} "
                f"{r['pictures_per_image']:9.1f} {r['ratio']:10.2f}x"
            )
        print(f"scan --json, median of {args.rounds} interleaved rounds, CPU ms per input:")
        runs = [
            (f"{args.n} images, {'+'.join(names)}", [str(folder)], names),
            (f"{args.n} images, default detectors", [str(folder)], None),
            (f"{VIDEO.name}, default detectors", [str(VIDEO)], None),
        ]
        for label, inputs, detectors in runs:
            r = whole_scan(inputs, detectors, args.rounds)
            print(
                f"  {label}: now {r['now_ms']:.1f}, before (pictures drawn and thrown away) "
                f"{r['before_ms']:.1f}: {r['ratio']:.2f}x"
            )


if __name__ == "__main__":
    main()
