"""Generator weights as a pickle-free ``.npz``: float16 arrays plus the config and training info.

Examples
--------
>>> import tempfile, pathlib
>>> from fakescope.generate_image.biggan import Generator, GeneratorConfig
>>> cfg = GeneratorConfig(n_classes=2, resolution=16, channels=1, width=8, z_dim=12)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "g.npz"
>>> save_generator(path, Generator(cfg), cfg, {"steps": 0})
>>> g, cfg2, info = load_generator(path)
>>> cfg2.n_classes, info["steps"]
(2, 0)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from fakescope.generate_image.biggan import GeneratorConfig

SHIPPED_DIR = Path(__file__).resolve().parent / "weights"
SHIPPED_MODEL = SHIPPED_DIR / "fashion32.npz"
WEIGHTS_ENV = "FAKESCOPE_GENERATOR_WEIGHTS"


class WeightsError(ValueError):
    """A generator weights file is missing or not one written by ``fakescope train generator``."""


def default_model_path() -> Path:
    """``$FAKESCOPE_GENERATOR_WEIGHTS`` if set, else the shipped Fashion-MNIST model."""
    user = os.environ.get(WEIGHTS_ENV)
    return Path(user).expanduser() if user else SHIPPED_MODEL


def save_generator(path: str | Path, generator, cfg: GeneratorConfig, info: dict[str, Any]) -> None:
    """Fold spectral norm, store weights as float16 and write atomically (tmp file + rename)."""
    from fakescope.generate_image.biggan import fold_spectral_norm

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {
        f"w:{k}": v.numpy().astype(np.float16)
        for k, v in fold_spectral_norm(generator).items()
        if v.dtype.is_floating_point
    }
    meta = {"format": "fakescope-generator-1", "config": cfg.to_dict(), "info": info}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, path)


def load_generator(path: str | Path | None = None):
    """(Generator in eval mode, config, info) from a weights file; ``None`` = default model."""
    import torch

    from fakescope.generate_image.biggan import Generator

    path = Path(path) if path is not None else default_model_path()
    if not path.is_file():
        raise WeightsError(
            f"{path}: no generator weights there (train one with `fakescope train generator`)"
        )
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            state = {
                k[2:]: torch.from_numpy(z[k].astype(np.float32))
                for k in z.files
                if k.startswith("w:")
            }
    except (OSError, ValueError, KeyError) as exc:
        raise WeightsError(f"{path}: not a fakescope generator weights file ({exc})") from None
    if meta.get("format") != "fakescope-generator-1":
        raise WeightsError(f"{path}: unknown weights format {meta.get('format')!r}")
    cfg = GeneratorConfig(**meta["config"])
    g = Generator(cfg, spectral=False)
    missing, unexpected = g.load_state_dict(state, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise WeightsError(f"{path}: weights do not match the architecture (missing {missing[:3]})")
    return g.eval(), cfg, meta.get("info", {})
