"""``fakescope train image --real``: train ``spectrum``, ``residual-cnn`` and the image fusion
model from real photos only; the fakes are simulated (see :mod:`fakescope.image.simulate`).

:func:`train_image` runs one step per model: the data (:mod:`~fakescope.image.training_data`:
split by source, decoder bank, validation set), :func:`~fakescope.image.spectrum_training.\
train_spectrum`, :func:`~fakescope.image.residual_cnn_training.train_residual_cnn`, then
:func:`fit_pixel_fusion` on the validation scores of both. The command itself
(``train_command``, also ``--genuine`` and ``--adversarial``) is in :mod:`fakescope.image.commands`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import typer

from fakescope.core.sample_size import TooLittleData

# the data helpers and the command moved out; importable from here too, as callers always have
from fakescope.image.commands import GENUINE_FILES, WEIGHTS_FILES, train_command
from fakescope.image.training_data import (
    CROP,
    PATCH,
    load_real_patches,
    make_fake,
    source_key,
    split_by_source,
)
from fakescope.image.training_data import random_crop as _random_crop

__all__ = [
    "CROP",
    "GENUINE_FILES",
    "PATCH",
    "WEIGHTS_FILES",
    "_random_crop",
    "fit_pixel_fusion",
    "load_real_patches",
    "make_fake",
    "source_key",
    "split_by_source",
    "train_command",
    "train_image",
]


def train_image(
    real: Path,
    out: Path,
    *,
    epochs: int = 12,
    seed: int = 0,
    n_decoders: int = 24,
    decoder_steps: int = 60,
    val_fraction: float = 0.15,
    threads: int = 1,
    log: Callable[[str], None] = print,
) -> dict:
    """Train all image models and write them to ``out``; returns a summary (also saved as
    ``training_report.json``).

    Examples
    --------
    >>> train_image(Path("/work/data/image/real/train"), Path("weights/"))  # doctest: +SKIP
    """
    import torch

    from fakescope.image.residual_cnn_training import train_residual_cnn
    from fakescope.image.spectrum_training import train_spectrum
    from fakescope.image.training_data import simulate_fakes, split_real

    t0 = time.time()
    torch.set_num_threads(max(1, threads))
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    try:
        split = split_real(Path(real), val_fraction, seed)
    except TooLittleData as exc:
        raise typer.BadParameter(str(exc)) from None
    log(f"{split.n_images} real patches from {split.n_sources} sources: "
        f"{len(split.train)} train, {len(split.val)} validation")  # fmt: skip
    data = simulate_fakes(
        split, seed=seed, n_decoders=n_decoders, decoder_steps=decoder_steps, log=log
    )
    spectrum = train_spectrum(data, out, rng, seed=seed, log=log)
    cnn_val, history = train_residual_cnn(data, out, rng, epochs=epochs, started=t0, log=log)
    val_auc = fit_pixel_fusion(spectrum.val_scores, cnn_val, data.val_labels, out)
    summary = {
        "real": str(real),
        "n_train": len(split.train),
        "n_val": len(split.val),
        "sources": split.n_sources,
        "epochs": epochs,
        "seed": seed,
        "n_decoders": n_decoders,
        "decoder_steps": decoder_steps,
        "spectrum_hidden": spectrum.hidden,
        "val_auc": val_auc,
        "history": history,
        "seconds": round(time.time() - t0, 1),
    }
    (out / "training_report.json").write_text(json.dumps(summary, indent=2) + "\n")
    log(f"validation AUC: {summary['val_auc']} ({summary['seconds']} s); weights in {out}")
    return summary


def fit_pixel_fusion(
    spectrum: np.ndarray, cnn: np.ndarray, labels: np.ndarray, out: Path
) -> dict[str, float]:
    """Fit the spectrum + residual-cnn fuser on validation scores, write ``out/fusion.json``;
    returns the validation AUC of each score and of the fused score (also in the fuser's info).
    """
    from fakescope.core.evidence import Evidence
    from fakescope.core.fusion import LogisticFuser
    from fakescope.core.metrics import roc_auc
    from fakescope.image.fusion import ImageFuser

    pixel = LogisticFuser.fit(
        {"spectrum": spectrum.tolist(), "residual-cnn": cnn.tolist()},
        labels.tolist(),
        target_fpr=0.05,
    )
    fused = np.array(
        [
            pixel.fuse([Evidence("spectrum", float(s), ""), Evidence("residual-cnn", float(c), "")])
            for s, c in zip(spectrum, cnn, strict=True)
        ],
        dtype=float,
    )
    val_auc = {
        "spectrum": float(roc_auc(labels, spectrum)),
        "residual-cnn": float(roc_auc(labels, cnn)),
        "fused": float(roc_auc(labels, fused)),
    }
    pixel.info = {"fitted_on": "validation split of simulated fakes", "val_auc": val_auc}
    ImageFuser(pixel, info={"trained_by": "fakescope train image"}).save(Path(out) / "fusion.json")
    return val_auc
