"""Write the small example images in examples/images/ (used by `make demo`).

Real photos are crops of public-domain / CC0 scikit-image data images; the fakes are made from them
with the project's own simulators, plus one Lanczos up-sampling and one file whose PNG text chunk
carries Stable Diffusion generation parameters (as AUTOMATIC1111 writes them).

Example
-------
    python scripts/image/make_examples.py --out examples/images
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import skimage.data as skd
import torch
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from fakescope.image.simulate import DecoderBank, self_blend


def crop(a: np.ndarray, s: int, y: int | None = None, x: int | None = None) -> np.ndarray:
    h, w = a.shape[:2]
    y = (h - s) // 2 if y is None else y
    x = (w - s) // 2 if x is None else x
    return np.ascontiguousarray(a[y : y + s, x : x + s])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("examples/images"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    astronaut, coffee = crop(skd.astronaut(), 320, 0, 100), crop(skd.coffee(), 320)
    chelsea, rocket = crop(skd.chelsea(), 288), crop(skd.rocket(), 320)
    for name, arr in [("astronaut", astronaut), ("coffee", coffee), ("chelsea", chelsea),
                      ("rocket", rocket)]:  # fmt: skip
        Image.fromarray(arr).save(out / f"real_{name}.png")
    r = Image.fromarray(crop(skd.rocket(), 320, 50, 300))
    r.resize((107, 107), Image.Resampling.BOX).resize((320, 320), Image.Resampling.LANCZOS).save(
        out / "fake_upsampled_lanczos.png"
    )
    rng = np.random.default_rng(7)
    bank = DecoderBank(n_decoders=4, train_steps=150, seed=7).fit([coffee, astronaut, chelsea])
    Image.fromarray(bank.apply(coffee, rng, index=0)).save(out / "fake_decoder_coffee.png")
    Image.fromarray(self_blend(chelsea, np.random.default_rng(3))).save(
        out / "fake_selfblend_chelsea.png"
    )
    info = PngInfo()
    info.add_text(
        "parameters",
        "an astronaut in a white suit, studio photo\nNegative prompt: blurry\nSteps: 30, "
        "Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 42, Size: 320x320, Model: sd_xl_base_1.0",
    )
    Image.fromarray(bank.apply(astronaut, rng, index=1)).save(
        out / "fake_sd_parameters_astronaut.png", pnginfo=info
    )


if __name__ == "__main__":
    main()
