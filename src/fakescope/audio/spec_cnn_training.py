"""Train one ``spec-cnn`` network on front-end speech clips (a member of the shipped ensemble).

Random 96-frame crops of the log spectrogram, SpecAugment masks, mixup with soft labels, the
class weight of the rarer class, a one-cycle learning rate; with ``adversarial`` settings, PGD
copies of waveform crops join every batch (:mod:`fakescope.robustness.adversarial`).
:func:`fakescope.audio.training.train_all` trains several from consecutive seeds and calibrates
each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from fakescope.audio.training import Log, Prepared


def train_spec_cnn(
    train: list[Prepared],
    epochs: int,
    seed: int,
    width: int,
    log: Log,
    progress: Callable[[int, int], None] | None = None,
    adversarial=None,
):
    """A ``spec-cnn`` network of ``width`` trained ``epochs`` epochs on ``train`` (eval mode).

    ``progress(epoch, epochs)`` is called after each epoch; ``adversarial`` is an
    :class:`~fakescope.robustness.adversarial.AudioAdversarialTraining` or ``None``.
    """
    import torch

    from fakescope.audio.spec_cnn import build_model, log_spectrogram, repeat_pad

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    specs = [log_spectrogram(p.audio) for p in train]
    labels = np.array([p.item.label for p in train], dtype=np.float32)
    crop = 96
    model = build_model(width)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
    steps_per_epoch = int(np.ceil(len(specs) / 64))
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=3e-3, total_steps=epochs * steps_per_epoch
    )
    pos_weight = torch.tensor((labels == 0).sum() / max((labels == 1).sum(), 1))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(specs))
        total = 0.0
        for b in range(steps_per_epoch):
            idx = order[b * 64 : (b + 1) * 64]
            batch = []
            for i in idx:
                s = repeat_pad(specs[i], crop)
                start = int(rng.integers(0, s.shape[1] - crop + 1))
                s = s[:, start : start + crop].copy()  # a view of specs[i] otherwise
                batch.append(spec_augment(s, rng, max_f0=120, f_mask=16, crop=crop))
            xb = torch.from_numpy(np.stack(batch))[:, None]
            xb, yb = mixup(xb, torch.from_numpy(labels[idx]), rng)
            if adversarial is not None:  # PGD copies of waveform crops (fakescope.robustness)
                from fakescope.robustness.adversarial import audio_adversarial_batch

                waves = [train[i].audio for i in idx]
                xa, ya = audio_adversarial_batch(model, waves, labels[idx], rng, adversarial)
                xb, yb = torch.cat([xb, xa]), torch.cat([yb, ya])
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        log(f"spec-cnn: epoch {epoch + 1}/{epochs} loss {total / len(specs):.4f}")
        if progress is not None:
            progress(epoch + 1, epochs)
    model.eval()
    return model


def spec_augment(
    s: np.ndarray, rng: np.random.Generator, max_f0: int, f_mask: int, crop: int
) -> np.ndarray:
    """SpecAugment in place: two frequency masks (start below ``max_f0``, up to ``f_mask``
    rows) and two time masks (2-9 frames), each applied with probability 0.5.

    Examples
    --------
    >>> s = spec_augment(np.ones((40, 20)), np.random.default_rng(3), 30, 8, 20)
    >>> s.shape, bool((s == 0).any())
    ((40, 20), True)
    """
    for _ in range(2):
        if rng.random() < 0.5:
            f0 = int(rng.integers(0, max_f0))
            s[f0 : f0 + int(rng.integers(1, f_mask + 1))] = 0.0
    for _ in range(2):
        if rng.random() < 0.5:
            t0 = int(rng.integers(0, crop - 10))
            s[:, t0 : t0 + int(rng.integers(2, 10))] = 0.0
    return s


def mixup(xb, yb, rng: np.random.Generator):
    """Mixup (alpha 0.4) of a batch with a shuffled copy of itself, labels mixed alike (soft)."""
    import torch

    lam = float(rng.beta(0.4, 0.4))
    perm = torch.from_numpy(rng.permutation(len(xb)))
    return lam * xb + (1 - lam) * xb[perm], lam * yb + (1 - lam) * yb[perm]
