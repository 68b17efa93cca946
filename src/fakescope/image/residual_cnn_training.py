"""The ``residual-cnn`` recipe of ``fakescope train image --real``: AdamW with a one-cycle
learning rate on random laundered crops of real photos and fresh simulated fakes (a new fake
per photo each epoch), validation AUC after every epoch, then Platt scaling on the validation
set so the network's probabilities mean something."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from fakescope.image.training_data import CROP, SimulatedData, random_crop

BATCH = 32


def train_residual_cnn(
    data: SimulatedData,
    out: Path,
    rng: np.random.Generator,
    *,
    epochs: int = 12,
    started: float | None = None,
    log: Callable[[str], None] = print,
) -> tuple[np.ndarray, list[dict]]:
    """Train, calibrate and write ``out/residual_cnn.npz``.

    Returns the calibrated validation probabilities and one ``{epoch, loss, val_auc}`` per
    epoch; ``started`` (a ``time.time()``) is where the elapsed seconds in the log count from.
    """
    import torch

    from fakescope.core.metrics import roc_auc
    from fakescope.image.residual_cnn import build_model, save_model

    started = time.time() if started is None else started
    model = build_model().to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps_per_epoch = max(1, (2 * len(data.train)) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=3e-3, total_steps=epochs * steps_per_epoch
    )
    yv = data.val_labels
    log(f"residual-cnn: {epochs} epochs x {steps_per_epoch} steps ...")
    history = []
    for epoch in range(epochs):
        loss = _train_epoch(model, opt, sched, data, rng, steps_per_epoch)
        auc = float(roc_auc(yv, _val_logits(model, data)))
        history.append({"epoch": epoch + 1, "loss": loss, "val_auc": auc})
        log(f"  epoch {epoch + 1}/{epochs}: loss {loss:.4f}, val AUC {auc:.3f}"
            f" ({time.time() - started:.0f} s)")  # fmt: skip

    z = _val_logits(model, data)
    scale, bias = _platt(z, yv)
    save_model(model.eval(), Path(out) / "residual_cnn.npz", {"scale": scale, "bias": bias})
    return 1 / (1 + np.exp(-(scale * z + bias))), history


def _train_epoch(model, opt, sched, data: SimulatedData, rng, steps: int) -> float:
    """One epoch over every photo and a fresh fake of each; returns the mean loss per step."""
    import torch

    from fakescope.image.residual_cnn import pool_logits
    from fakescope.image.simulate import launder

    loss_fn = torch.nn.BCEWithLogitsLoss()
    samples = [(img, 0) for img in data.train]
    samples += [(data.fake(img, rng), 1) for img in data.train]
    order = rng.permutation(len(samples))
    total = 0.0
    for s in range(steps):
        idx = order[s * BATCH : (s + 1) * BATCH]
        if len(idx) == 0:
            continue
        batch = [random_crop(launder(samples[i][0], rng), CROP, rng) for i in idx]
        y = torch.tensor([samples[i][1] for i in idx], dtype=torch.float32)
        loss = loss_fn(pool_logits(model(_to_tensor(batch))), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        total += loss.item()
    return total / steps


def _to_tensor(batch: list[np.ndarray]):
    import torch

    t = torch.from_numpy(np.stack(batch)).permute(0, 3, 1, 2).float() / 255.0
    return t.contiguous(memory_format=torch.channels_last)


def _val_logits(model, data: SimulatedData) -> np.ndarray:
    """Logits of the validation set in batches; the model is left in training mode."""
    import torch

    from fakescope.image.residual_cnn import pool_logits

    model.eval()
    outs = []
    with torch.inference_mode():
        for i in range(0, len(data.val_set), BATCH):
            chunk = [v[0] for v in data.val_set[i : i + BATCH]]
            # Validation images may be smaller after laundering: score their centre crop.
            side = min(min(c.shape[:2]) for c in chunk)
            side = max(32, side - side % 16)
            crops = []
            for c in chunk:
                h, w = c.shape[:2]
                y, x = (h - side) // 2, (w - side) // 2
                crops.append(np.ascontiguousarray(c[y : y + side, x : x + side]))
            outs.append(pool_logits(model(_to_tensor(crops))).numpy())
    model.train()
    return np.concatenate(outs)


def _platt(logits: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt scaling: ``(scale, bias)`` of a logistic fit of the labels on the logits."""
    from sklearn.linear_model import LogisticRegression

    platt = LogisticRegression(C=10.0).fit(logits[:, None], labels)
    return float(platt.coef_[0, 0]), float(platt.intercept_[0])
