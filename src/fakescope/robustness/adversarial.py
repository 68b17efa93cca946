"""Adversarial training: PGD examples mixed into training, laundering in the augmentation.

``fakescope train image --adversarial`` trains the residual CNN as usual, then hands it to
:func:`harden_image_cnn`, which fine-tunes it for a few more epochs on batches of which a share
is replaced by PGD examples (Madry et al. 2018) made against the network being trained, with
extra laundering (WebP, screenshot re-render, gamma, resize, from
:mod:`fakescope.robustness.transforms`) on top of the training's own. The robustness of the
network on the validation split (clean AUC, AUC and success rate under PGD) is measured before
and after, and returned for the training report.

Examples
--------
>>> import torch
>>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 1), torch.nn.Flatten(0))
>>> x, y = torch.rand(4, 3, 2, 2), torch.tensor([0.0, 1.0, 0.0, 1.0])
>>> mixed = AdversarialTraining(fraction=0.5).perturb(model, x, y)
>>> bool((mixed[:2] - x[:2]).abs().max() > 0), bool((mixed[2:] == x[2:]).all())
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import torch

from fakescope.robustness.attacks import PGD
from fakescope.robustness.engine import success_rate, summarise


@dataclass
class AdversarialTraining:
    """Settings of adversarial fine-tuning.

    Parameters
    ----------
    eps : float
        L-inf budget of the training PGD examples (pixels in [0, 1]).
    steps : int
        PGD steps per training example (fewer than the evaluation's 10: cost).
    fraction : float
        Share of each batch replaced by its PGD version.
    launder_p : float
        Probability that a training image gets one extra laundering transform.
    epochs : int
        Fine-tuning epochs after the normal training.
    lr : float
        Peak learning rate of the fine-tuning (cosine decay).
    eval_eps, eval_steps : float, int
        The attack of the before/after validation table.
    """

    eps: float = 2 / 255
    steps: int = 3
    fraction: float = 0.5
    launder_p: float = 0.3
    epochs: int = 6
    lr: float = 1e-3
    eval_eps: float = 2 / 255
    eval_steps: int = 10

    def launder(self, rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """With probability ``launder_p``, one random extra laundering of the image."""
        from fakescope.robustness.transforms import image as t

        if rng.random() >= self.launder_p:
            return rgb
        choices = [
            t.WebP(int(rng.integers(50, 95))),
            t.Screenshot(float(rng.uniform(0.6, 1.0))),
            t.Gamma(float(rng.uniform(0.7, 1.4))),
            t.Resize(float(rng.uniform(0.5, 0.9))),
            t.Sharpen(float(rng.uniform(0.3, 1.0))),
        ]
        return choices[int(rng.integers(len(choices)))](rgb, rng)

    def perturb(self, model: Callable, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The batch with its first ``fraction`` replaced by PGD examples against ``model``."""
        k = int(round(self.fraction * len(x)))
        if k == 0 or self.eps == 0:
            return x
        adv = PGD(model, self.eps, steps=self.steps)(x[:k], y[:k])
        return torch.cat([adv, x[k:]]).contiguous(memory_format=torch.channels_last)


def validation_robustness(
    model: Callable, batches: list[tuple[torch.Tensor, torch.Tensor]], eps: float, steps: int
) -> dict:
    """Clean AUC and AUC / success rate under PGD(eps, steps) of ``model`` (log-odds) on
    labelled batches."""
    labels, clean, attacked = [], [], []
    for x, y in batches:
        with torch.no_grad():
            clean += torch.sigmoid(model(x)).tolist()
        adv = PGD(model, eps, steps=steps, seed=0)(x, y) if eps > 0 else x
        with torch.no_grad():
            attacked += torch.sigmoid(model(adv)).tolist()
        labels += [int(v) for v in y.tolist()]
    c, a = summarise(labels, clean, 0.5), summarise(labels, attacked, 0.5)
    return {
        "clean_roc_auc": c["roc_auc"],
        "pgd_roc_auc": a["roc_auc"],
        "pgd_success_rate": success_rate(labels, clean, attacked, 0.5),
        "eps": eps,
        "steps": steps,
    }


def centre_batches(
    items: list[tuple[np.ndarray, int]], side: int = 128, size: int = 32
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Labelled HxWx3 uint8 images as ``(x, y)`` batches of centre crops (at most ``side``
    pixels, a multiple of 16; images of one batch share the smallest side).

    Examples
    --------
    >>> imgs = [(np.zeros((40, 50, 3), np.uint8), 0), (np.zeros((64, 64, 3), np.uint8), 1)]
    >>> [tuple(x.shape) for x, _ in centre_batches(imgs)]
    [(2, 3, 32, 32)]
    """
    out = []
    for i in range(0, len(items), size):
        chunk = items[i : i + size]
        s = min(side, *(min(img.shape[:2]) for img, _ in chunk))
        s = max(16, s - s % 16)
        crops = []
        for img, _ in chunk:
            h, w = img.shape[:2]
            y, x = max(0, (h - s) // 2), max(0, (w - s) // 2)
            crops.append(img[y : y + s, x : x + s])
        x = torch.from_numpy(np.stack(crops)).permute(0, 3, 1, 2).float() / 255
        out.append((x.contiguous(), torch.tensor([float(lab) for _, lab in chunk])))
    return out


def harden_image_cnn(
    net: torch.nn.Module,
    forward: Callable[[torch.Tensor], torch.Tensor],
    draw_batch: Callable[[], tuple[torch.Tensor, torch.Tensor]],
    val_items: list[tuple[np.ndarray, int]],
    steps_per_epoch: int,
    settings: AdversarialTraining | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Fine-tune ``net`` adversarially; returns the validation table before and after.

    ``forward`` maps a batch to image log-odds through ``net``; ``draw_batch()`` returns a
    fresh augmented training batch ``(x, y)`` (it should apply
    :meth:`AdversarialTraining.launder`); ``val_items`` are labelled validation images.
    """
    s = settings or AdversarialTraining()
    val_batches = centre_batches(val_items)
    net.eval()
    before = validation_robustness(forward, val_batches, s.eval_eps, s.eval_steps)
    log(f"adversarial: before {before}")
    opt = torch.optim.AdamW(net.parameters(), lr=s.lr, weight_decay=1e-4)
    total = max(1, s.epochs * steps_per_epoch)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, total)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    history = []
    for epoch in range(s.epochs):
        net.train()
        running = 0.0
        for _ in range(steps_per_epoch):
            x, y = draw_batch()
            x = s.perturb(forward, x, y)
            loss = loss_fn(forward(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            running += float(loss.detach())
        net.eval()
        history.append({"epoch": epoch + 1, "loss": running / steps_per_epoch})
        log(f"  adversarial epoch {epoch + 1}/{s.epochs}: loss {running / steps_per_epoch:.4f}")
    after = validation_robustness(forward, val_batches, s.eval_eps, s.eval_steps)
    log(f"adversarial: after {after}")
    return {"settings": asdict(s), "before": before, "after": after, "history": history}


@dataclass
class AudioAdversarialTraining:
    """Settings of spec-cnn adversarial training (waveform-domain PGD on training crops).

    ``eps`` is in waveform units of the peak-normalised 8 kHz front end (peak 0.9): 0.002 is
    about 53 dB below the peak. ``fraction`` of each batch gets a PGD copy added.
    """

    eps: float = 0.002
    steps: int = 3
    fraction: float = 0.5
    crop_samples: int = 7800  # 96 spectrogram frames, the training crop


def audio_adversarial_batch(
    model: torch.nn.Module,
    waves: list[np.ndarray],
    labels: np.ndarray,
    rng: np.random.Generator,
    settings: AudioAdversarialTraining,
) -> tuple[torch.Tensor, torch.Tensor]:
    """PGD copies of random crops of ``fraction`` of ``waves`` against ``model`` (spec-cnn's
    network), returned as network inputs ``(k, 1, 128, frames)`` with their labels.

    Examples
    --------
    >>> from fakescope.audio.spec_cnn import build_model
    >>> rng = np.random.default_rng(0)
    >>> waves = [rng.standard_normal(9000).astype(np.float32) * 0.1 for _ in range(4)]
    >>> x, y = audio_adversarial_batch(build_model(), waves, np.array([0, 1, 0, 1.0]), rng,
    ...                                AudioAdversarialTraining())
    >>> tuple(x.shape), y.tolist()
    ((2, 1, 128, 96), [0.0, 1.0])
    """
    from fakescope.audio.spec_cnn import WaveformSpecCnn, log_spectrogram, repeat_pad

    k = max(1, int(round(settings.fraction * len(waves))))
    n = settings.crop_samples
    crops = []
    for w in waves[:k]:
        w = np.tile(w, -(-n // max(len(w), 1)))  # repeat-pad short clips
        start = int(rng.integers(0, len(w) - n + 1))
        crops.append(w[start : start + n])
    x = torch.from_numpy(np.stack(crops).astype(np.float32))
    y = torch.as_tensor(np.asarray(labels[:k], dtype=np.float32))
    was_training = model.training
    # the network being trained, as spec-cnn's own differentiable waveform module (uncalibrated)
    forward = WaveformSpecCnn.build([model], [(1.0, 0.0)], 8000)
    adv = PGD(forward, settings.eps, steps=settings.steps, bounds=(-1.0, 1.0))(x, y)
    model.train(was_training)
    specs = [repeat_pad(log_spectrogram(a.numpy()), 96) for a in adv]
    return torch.from_numpy(np.stack(specs))[:, None], y
