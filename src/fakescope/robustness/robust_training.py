"""Adversarial training of the ``robust-cnn`` image detector from scratch (Madry et al. 2018).

Every batch is a mix of clean training crops and PGD examples (L-inf ``eps``, ``steps`` steps,
random start) made against the network being trained, on the same data as ``residual-cnn``
(real photos, simulated decoder and self-blend fakes, the training laundering) plus the extra
laundering of :class:`~fakescope.robustness.adversarial.AdversarialTraining` (WebP, screenshot,
gamma, resize, sharpen). ``eps = 0`` trains the same network the standard way, the "before" of
a before/after comparison. Optionally TRADES (Zhang et al. 2019): clean loss plus ``beta`` times
the KL divergence between the clean and the adversarial prediction.

Used by ``fakescope train image --real DIR --adversarial`` and
``scripts/robustness/train_robust_cnn.py``.

Examples
--------
>>> RobustTraining().describe()
'PGD-3 eps 2/255, 50% of each batch, 12 epochs'
>>> RobustTraining(eps=0).describe()
'standard (no adversarial examples), 12 epochs'
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from fakescope.robustness.adversarial import (
    AdversarialTraining,
    centre_batches,
    validation_robustness,
)
from fakescope.robustness.attacks import PGD


@dataclass
class RobustTraining:
    """Settings of robust-cnn training.

    Parameters
    ----------
    eps : float
        L-inf budget of the training PGD examples (pixels in [0, 1]); 0 = standard training.
    steps : int
        PGD steps per training example.
    fraction : float
        Share of each batch replaced by its PGD version (1.0: Madry's all-adversarial batches).
    trades_beta : float
        If > 0, TRADES: the adversarial examples maximise the KL divergence from the clean
        prediction, and the loss is clean BCE + beta * KL on the whole batch (``fraction`` unused).
    epochs, batch, crop, width, lr : training schedule (AdamW, one-cycle) and network size.
    front : str
        The network's fixed front end (:data:`fakescope.image.robust_cnn.FRONTS`).
    launder_p : float
        Probability of one extra laundering transform per training view.
    views : int
        Distinct augmented passes over the data generated (and cached); epochs cycle through them.
    eval_eps, eval_steps : the attack of the validation table (PGD, random start, seed 0).
    """

    eps: float = 2 / 255
    steps: int = 3
    fraction: float = 0.5
    trades_beta: float = 0.0
    epochs: int = 12
    batch: int = 32
    crop: int = 128
    width: int = 16
    front: str = "highpass"
    lr: float = 3e-3
    launder_p: float = 0.3
    views: int = 12
    eval_eps: float = 2 / 255
    eval_steps: int = 10
    seed: int = 0

    def describe(self) -> str:
        if self.eps == 0:
            return f"standard (no adversarial examples), {self.epochs} epochs"
        budget = f"eps {round(self.eps * 255, 2):g}/255"
        if self.trades_beta > 0:
            beta = f"TRADES beta {self.trades_beta:g}"
            return f"{beta}, PGD-{self.steps} {budget}, {self.epochs} epochs"
        return (
            f"PGD-{self.steps} {budget}, {round(100 * self.fraction)}% of each batch, "
            f"{self.epochs} epochs"
        )


class PooledLogit(torch.nn.Module):
    """A cell-map network as an image-level log-odds module (for attacks and the loss)."""

    def __init__(self, net: torch.nn.Module, scale: float = 1.0, bias: float = 0.0) -> None:
        super().__init__()
        self.net, self.scale, self.bias = net, scale, bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        from fakescope.image.residual_cnn import pool_logits

        return self.scale * pool_logits(self.net(x)) + self.bias


def make_views(
    train_imgs: list[np.ndarray],
    make_fake: Callable[[np.ndarray, np.random.Generator], np.ndarray],
    settings: RobustTraining,
    cache: Path | None = None,
    log: Callable[[str], None] = print,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``settings.views`` augmented passes over the data: per pass, one laundered random crop of
    every real image and one of a fresh simulated fake made from it, as (uint8 NxHxWx3, labels).

    With ``cache``, passes are stored as ``.npz`` files keyed by the data and the settings that
    shape them, so a second training run (another candidate) reuses them.
    """
    from fakescope.image.simulate import launder
    from fakescope.image.training_data import random_crop

    extra = AdversarialTraining(launder_p=settings.launder_p)
    key = hashlib.sha1()
    for img in train_imgs:
        key.update(img[::16, ::16].tobytes())
    key.update(f"{settings.crop} {settings.launder_p} {settings.seed} {len(train_imgs)}".encode())
    tag = key.hexdigest()[:12]
    views = []
    for v in range(settings.views):
        path = cache / f"views-{tag}-{v}.npz" if cache is not None else None
        if path is not None and path.exists():
            with np.load(path) as f:
                views.append((f["x"], f["y"]))
            continue
        rng = np.random.default_rng([settings.seed, v])
        xs, ys = [], []
        for img in train_imgs:
            for label, src in ((0, img), (1, make_fake(img, rng))):
                view = extra.launder(launder(src, rng), rng)
                xs.append(random_crop(view, settings.crop, rng))
                ys.append(label)
        views.append((np.stack(xs), np.array(ys, dtype=np.uint8)))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, x=views[-1][0], y=views[-1][1])
        log(f"  training views {v + 1}/{settings.views} ready")
    return views


def _tensor(x: np.ndarray) -> torch.Tensor:
    t = torch.from_numpy(np.ascontiguousarray(x)).permute(0, 3, 1, 2).float() / 255.0
    return t.contiguous(memory_format=torch.channels_last)


def robustness_table(
    module: torch.nn.Module, batches: list[tuple[torch.Tensor, torch.Tensor]], eps: float,
    steps: int,
) -> dict:  # fmt: skip
    """Clean and PGD(eps, steps) ROC-AUC and success rate of ``module`` (put in eval mode) on
    labelled batches (see :func:`~fakescope.robustness.adversarial.validation_robustness`)."""
    module.eval()
    return validation_robustness(module, batches, eps, steps)


def _trades_examples(module, x, eps, steps):
    """PGD examples maximising KL(clean prediction || adversarial prediction) (TRADES)."""
    with torch.no_grad():
        p = torch.sigmoid(module(x))
    adv = (x + 0.001 * torch.randn_like(x)).clamp(0, 1)
    alpha = 2.5 * eps / steps
    for _ in range(steps):
        adv = adv.detach().requires_grad_(True)
        with torch.enable_grad():
            kl = _kl(p, module(adv)).sum()
            (grad,) = torch.autograd.grad(kl, adv)
        adv = x + (adv + alpha * grad.sign() - x).clamp(-eps, eps)
        adv = adv.clamp(0, 1)
    return adv.detach()


def _kl(p: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """KL(Bernoulli(p) || Bernoulli(sigmoid(logits))), per sample."""
    logq1 = torch.nn.functional.logsigmoid(logits)
    logq0 = torch.nn.functional.logsigmoid(-logits)
    p = p.clamp(1e-6, 1 - 1e-6)
    return p * (p.log() - logq1) + (1 - p) * ((1 - p).log() - logq0)


def fit_robust_cnn(
    views: list[tuple[np.ndarray, np.ndarray]],
    val_items: list[tuple[np.ndarray, int]],
    settings: RobustTraining,
    log: Callable[[str], None] = print,
):
    """Train robust-cnn on the views; calibrate on ``val_items``. Returns ``(model, report)``:
    the network in eval mode and a JSON-able report (settings, history, validation table with
    clean AUC and AUC / success rate under PGD, Platt calibration)."""
    from sklearn.linear_model import LogisticRegression

    from fakescope.core.metrics import roc_auc
    from fakescope.image.robust_cnn import build_model

    s = settings
    t0 = time.time()
    torch.manual_seed(s.seed)
    rng = np.random.default_rng(s.seed)
    net = build_model(s.width, s.front).to(memory_format=torch.channels_last)
    module = PooledLogit(net)
    steps_per_epoch = max(1, len(views[0][1]) // s.batch)
    opt = torch.optim.AdamW(net.parameters(), lr=s.lr / 1.5, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=s.lr, total_steps=s.epochs * steps_per_epoch
    )
    bce = torch.nn.BCEWithLogitsLoss()
    val_batches = centre_batches(val_items)
    y_val = np.concatenate([y.numpy() for _, y in val_batches]).astype(int)

    def val_logits() -> np.ndarray:
        module.eval()
        with torch.no_grad():
            return torch.cat([module(x) for x, _ in val_batches]).numpy()

    log(f"robust-cnn: {s.describe()}, {steps_per_epoch} steps per epoch")
    history = []
    for epoch in range(s.epochs):
        xs, ys = views[epoch % len(views)]
        order = rng.permutation(len(ys))
        running = 0.0
        for step in range(steps_per_epoch):
            idx = np.sort(order[step * s.batch : (step + 1) * s.batch])
            x, y = _tensor(xs[idx]), torch.from_numpy(ys[idx].astype(np.float32))
            if s.eps > 0 and s.trades_beta > 0:
                module.eval()
                adv = _trades_examples(module, x, s.eps, s.steps)
                module.train()
                out = module(torch.cat([x, adv]).contiguous(memory_format=torch.channels_last))
                clean, robust = out[: len(x)], out[len(x) :]
                p = torch.sigmoid(clean).detach()
                loss = bce(clean, y) + s.trades_beta * _kl(p, robust).mean()
            else:
                k = int(round(s.fraction * len(x))) if s.eps > 0 else 0
                if k:
                    # attack the network as it is now, in eval mode (running BatchNorm statistics)
                    adv = PGD(module, s.eps, steps=s.steps)(x[:k], y[:k])
                    x = torch.cat([adv, x[k:]]).contiguous(memory_format=torch.channels_last)
                module.train()
                loss = bce(module(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            running += float(loss.detach())
        auc = float(roc_auc(y_val, val_logits()))
        history.append({"epoch": epoch + 1, "loss": running / steps_per_epoch, "val_auc": auc})
        log(f"  epoch {epoch + 1}/{s.epochs}: loss {running / steps_per_epoch:.4f}, "
            f"val AUC {auc:.3f} ({time.time() - t0:.0f} s)")  # fmt: skip
    net.eval()
    z = val_logits()
    platt = LogisticRegression(C=10.0).fit(z[:, None], y_val)
    scale, bias = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    table = robustness_table(PooledLogit(net, scale, bias), val_batches, s.eval_eps, s.eval_steps)
    log(f"robust-cnn validation: {table}")
    report = {
        "settings": asdict(s),
        "training": s.describe(),
        "history": history,
        "validation": table,
        "n_val": int(len(y_val)),
        "calibration": {"scale": scale, "bias": bias},
        "seconds": round(time.time() - t0, 1),
    }
    return net, report


def prepare_data(real: Path, seed: int = 0, log: Callable[[str], None] = print):
    """Training images, labelled validation images (laundered once) and the fake maker, built
    exactly as ``fakescope train image --real DIR`` builds them (split by source, 15 % for
    validation; 24 simulated decoders; decoder rebuilds and self-blends)."""
    from fakescope.image.training_data import simulate_fakes, split_real

    split = split_real(Path(real), 0.15, seed)
    log(f"robust-cnn data: {len(split.train)} training and {len(split.val)} validation patches")
    data = simulate_fakes(split, seed=seed, n_decoders=24, decoder_steps=60, log=log)
    val_items = [(image, label) for image, label, _kind in data.val_set]
    return data.train, val_items, data.fake


def train_robust(
    real: Path, out: Path, settings: RobustTraining, cache: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict:  # fmt: skip
    """Prepare the data, train, calibrate and write robust-cnn to ``out``; returns the report.

    Examples
    --------
    >>> train_robust(Path("photos/"), Path("weights/"), RobustTraining())  # doctest: +SKIP
    """
    train_imgs, val_items, fake = prepare_data(real, settings.seed, log)
    views = make_views(train_imgs, fake, settings, cache, log)
    net, report = fit_robust_cnn(views, val_items, settings, log)
    report["real"] = str(real)
    save_robust_cnn(net, report, out)
    return report


def save_robust_cnn(net: torch.nn.Module, report: dict, out: Path) -> Path:
    """Write ``robust_cnn.npz`` (calibration inside) and ``robust_cnn_report.json`` to ``out``."""
    from fakescope.image.robust_cnn import WEIGHTS_FILE, save_model

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    cal = report["calibration"]
    info = {"scale": cal["scale"], "bias": cal["bias"],
            "adversarial_eps": report["settings"]["eps"]}  # fmt: skip
    save_model(net, out / WEIGHTS_FILE, info)
    (out / "robust_cnn_report.json").write_text(json.dumps(report, indent=2) + "\n")
    return out / WEIGHTS_FILE
