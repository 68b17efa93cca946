"""Fooling images: noise and patterns a detector calls "real" or "machine-made" with high
confidence (Nguyen, Yosinski and Clune 2015), by evolution (direct and CPPN encodings) and by
gradient ascent; :func:`fooling_gallery` makes the gallery of a robustness report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from fakescope.core.media import Media
from fakescope.robustness.fooling.encodings import ENCODINGS, CPPNEncoding, DirectEncoding
from fakescope.robustness.fooling.evolution import DIRECTIONS, Evolved, evolve
from fakescope.robustness.fooling.gradient import gradient_ascent

METHODS = ("direct", "cppn", "gradient")
#: confidence an image needs, in the wanted direction, to count as fooling
FOOLING_CONFIDENCE = 0.99


def fooling_images(
    module, method: str, direction: str, n: int, *, size: int = 256, generations: int = 300,
    seed: int = 0, tick: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """``n`` fooling images for ``module`` (independent runs, seeds ``seed*1000 + k``).

    Each item has ``image`` (HxWx3 uint8), ``model_logit`` and ``generations`` (gradient
    ascent: steps)."""
    out = []
    for k in range(n):
        run_seed = seed * 1000 + k
        if method == "gradient":
            img, logit = gradient_ascent(module, direction, size=size, seed=run_seed)
            steps = 100
        else:
            enc = ENCODINGS[method](size=size)
            found = evolve(enc, module, direction, generations=generations, seed=run_seed)
            img, logit, steps = found.image, found.logit, found.generations
        rgb = (img.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
        out.append({"image": rgb, "model_logit": logit, "generations": steps})
        if tick is not None:
            tick(f"fooling {method} {direction}")
    return out


def fooling_gallery(
    module, run, *, n: int, generations: int = 300, seed: int = 0,
    tick: Callable[[str], None] | None = None, size: int = 256,
    methods: list[str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Fooling images of every method and direction, re-scored by ``run``'s Scanner (the
    attacked detector and the judged column, from 8-bit pixels as a saved PNG holds them)."""
    target, col = run.target, run.column()
    items, summary = [], []
    unknown = set(methods or []) - set(METHODS)
    if unknown:
        raise KeyError(f"unknown fooling method {', '.join(sorted(unknown))} (known: "
                       f"{', '.join(METHODS)})")  # fmt: skip
    for method in methods or METHODS:
        for direction in DIRECTIONS:
            found = fooling_images(module, method, direction, n, size=size,
                                   generations=generations, seed=seed, tick=tick)  # fmt: skip
            medias = [Media(f"fooling/{method}-{direction}-{k}.png", "image", f["image"],
                            {"format": "PNG"}) for k, f in enumerate(found)]  # fmt: skip
            scores = run.score(medias, [target, col] if col != target else [target])
            fooled = fooled_col = 0
            for k, f in enumerate(found):
                t = scores[target][k]
                c = scores[col][k]
                conf_t = None if t is None else (t if direction == "synthetic" else 1 - t)
                conf_c = None if c is None else (c if direction == "synthetic" else 1 - c)
                fooled += conf_t is not None and conf_t >= FOOLING_CONFIDENCE
                fooled_col += conf_c is not None and conf_c >= FOOLING_CONFIDENCE
                items.append({"method": method, "direction": direction, "index": k,
                              "target_score": t, "score": c, "generations": f["generations"],
                              "image": f["image"]})  # fmt: skip
            summary.append({"method": method, "direction": direction, "n": n,
                            "fooling_target": fooled, "fooling_judged": fooled_col})  # fmt: skip
    return {"target": target, "column": col, "confidence": FOOLING_CONFIDENCE,
            "summary": summary, "items": items}  # fmt: skip


__all__ = [
    "DIRECTIONS", "METHODS", "CPPNEncoding", "DirectEncoding", "Evolved", "evolve",
    "fooling_gallery", "fooling_images", "gradient_ascent",
]  # fmt: skip
