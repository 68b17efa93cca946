"""The data of ``fakescope train image --real``: real patches split by source, simulated fakes.

Sources are split into training and validation by SOURCE photo (file names
``<collection>__<source>__<k>.png`` from ``scripts/image/build_real_corpus.py`` share a source;
other files are their own source). The fakes are simulated (see :mod:`fakescope.image.simulate`):
a pool of up-sampling decoders fitted on the training photos, plus self-blends. Shared by the
spectrum and residual-cnn recipes and by robust-cnn's adversarial training, so all three see
the same split, fakes and validation set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fakescope.core.sample_size import require_samples

PATCH = 256
CROP = 128
_IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}


def source_key(path: Path) -> str:
    """Group key of a patch: the name without its trailing ``__NN`` crop index.

    Examples
    --------
    >>> source_key(Path("mate__Dune__03.png"))
    'mate__Dune'
    """
    return re.sub(r"__\d+$", "", path.stem)


def load_real_patches(folder: Path, size: int = PATCH) -> tuple[list[np.ndarray], list[str]]:
    """Read images under ``folder`` as RGB arrays, centre-cropped to ``size`` (smaller skipped)."""
    from PIL import Image

    files = sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in _IMAGE_EXTS)
    images, keys = [], []
    for p in files:
        try:
            with Image.open(p) as im:
                arr = np.asarray(im.convert("RGB"))
        except OSError:
            continue
        h, w = arr.shape[:2]
        if min(h, w) < size:
            continue
        y, x = (h - size) // 2, (w - size) // 2
        images.append(np.ascontiguousarray(arr[y : y + size, x : x + size]))
        keys.append(source_key(p))
    return images, keys


def split_by_source(
    keys: list[str], val_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of training and validation items, never splitting one source.

    Examples
    --------
    >>> tr, va = split_by_source(["a", "a", "b", "c"], 0.34, 0)
    >>> sorted(set(tr) | set(va)) == [0, 1, 2, 3] and not set(tr) & set(va)
    True
    """
    uniq = sorted(set(keys))
    rng = np.random.default_rng(seed)
    rng.shuffle(uniq)
    n_val = max(1, int(round(len(uniq) * val_fraction))) if len(uniq) > 1 else 0
    val_keys = set(uniq[:n_val])
    idx = np.arange(len(keys))
    is_val = np.array([k in val_keys for k in keys], dtype=bool)
    return idx[~is_val], idx[is_val]


def make_fake(bank, rgb: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """One simulated fake: a decoder rebuild (75 %) or a self-blend (25 %)."""
    from fakescope.image.simulate import self_blend

    if rng.random() < 0.25:
        return self_blend(rgb, rng), "self-blend"
    return bank.apply(rgb, rng), "decoder"


def random_crop(img: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """A random ``size`` x ``size`` crop, mirrored half of the time; a smaller image (laundering
    may shrink one) is padded by reflection first.

    Examples
    --------
    >>> random_crop(np.zeros((40, 50, 3), np.uint8), 32, np.random.default_rng(0)).shape
    (32, 32, 3)
    """
    h, w = img.shape[:2]
    if h < size or w < size:  # laundering shrank it below the crop: pad by reflection
        img = np.pad(img, ((0, max(0, size - h)), (0, max(0, size - w)), (0, 0)), mode="reflect")
        h, w = img.shape[:2]
    y = int(rng.integers(0, h - size + 1))
    x = int(rng.integers(0, w - size + 1))
    out = img[y : y + size, x : x + size]
    if rng.random() < 0.5:
        out = out[:, ::-1]
    return np.ascontiguousarray(out)


@dataclass
class RealSplit:
    """Real patches of a folder, split into training and validation by source."""

    train: list[np.ndarray]
    val: list[np.ndarray]
    n_images: int
    n_sources: int


def split_real(real: Path, val_fraction: float = 0.15, seed: int = 0) -> RealSplit:
    """Load the real patches under ``real`` and split them by source.

    Raises :class:`~fakescope.core.sample_size.TooLittleData` under 20 usable patches.
    """
    images, keys = load_real_patches(Path(real))
    require_samples({f"real images of {PATCH}x{PATCH} or more": len(images)}, 20, source=real)
    tr, va = split_by_source(keys, val_fraction, seed)
    return RealSplit([images[i] for i in tr], [images[i] for i in va], len(images), len(set(keys)))


@dataclass
class SimulatedData:
    """Training photos, the fitted decoder bank, and the validation set laundered once.

    ``val_set`` holds ``(image, label, kind)``: each validation photo (label 0, kind ``"real"``)
    followed by one simulated fake of it (label 1, kind ``"decoder"`` or ``"self-blend"``).
    """

    train: list[np.ndarray]
    bank: object
    val_set: list[tuple[np.ndarray, int, str]]

    @property
    def val_labels(self) -> np.ndarray:
        return np.array([v[1] for v in self.val_set])

    def fake(self, rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A simulated fake of ``rgb`` (see :func:`make_fake`)."""
        return make_fake(self.bank, rgb, rng)[0]


def simulate_fakes(
    split: RealSplit,
    *,
    seed: int = 0,
    n_decoders: int = 24,
    decoder_steps: int = 60,
    log: Callable[[str], None] = print,
) -> SimulatedData:
    """Fit the decoder bank on the training photos and build the validation set (seed + 1)."""
    from fakescope.image.simulate import DecoderBank, launder

    log(f"fitting {n_decoders} up-sampling decoders ...")
    bank = DecoderBank(n_decoders=n_decoders, train_steps=decoder_steps, seed=seed).fit(split.train)
    val_set = []
    vrng = np.random.default_rng(seed + 1)
    for img in split.val:
        val_set.append((launder(img, vrng, p=0.5), 0, "real"))
        fake, kind = make_fake(bank, img, vrng)
        val_set.append((launder(fake, vrng, p=0.5), 1, kind))
    return SimulatedData(split.train, bank, val_set)
