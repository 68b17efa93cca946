"""``fakescope train image``: train ``spectrum``, ``residual-cnn`` and the image fusion model from
real photos only; the fakes are simulated (see :mod:`fakescope.image.simulate`).

Sources are split into training and validation by SOURCE photo (file names
``<collection>__<source>__<k>.png`` from ``scripts/image/build_real_corpus.py`` share a source;
other files are their own source). Validation data calibrates the CNN and fits the fuser.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import typer

from fakescope.core.sample_size import TooLittleData, require_samples

PATCH = 256
CROP = 128
#: What ``train image`` writes (``--overwrite`` is needed to replace them).
WEIGHTS_FILES = ("spectrum.npz", "residual_cnn.npz", "fusion.json", "training_report.json")
GENUINE_FILES = ("probe.npz",)
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


def _random_crop(img: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
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


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    from fakescope.core.metrics import roc_auc

    return float(roc_auc(np.asarray(y), np.asarray(s)))


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
    log=print,
) -> dict:
    """Train all image models and write them to ``out``; returns a summary (also saved as
    ``training_report.json``).

    Examples
    --------
    >>> train_image(Path("/work/data/image/real/train"), Path("weights/"))  # doctest: +SKIP
    """
    import torch

    from fakescope.core.fusion import LogisticFuser
    from fakescope.image.classifier import FeatureClassifier
    from fakescope.image.fusion import ImageFuser
    from fakescope.image.residual_cnn import build_model, pool_logits, save_model
    from fakescope.image.simulate import DecoderBank, launder
    from fakescope.image.spectrum_features import (
        azimuthal_average,
        log_power_spectrum,
        spectrum_features,
        to_gray,
    )

    t0 = time.time()
    torch.set_num_threads(max(1, threads))
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)

    images, keys = load_real_patches(Path(real))
    try:
        require_samples({f"real images of {PATCH}x{PATCH} or more": len(images)}, 20, source=real)
    except TooLittleData as exc:
        raise typer.BadParameter(str(exc)) from None
    tr, va = split_by_source(keys, val_fraction, seed)
    train_imgs = [images[i] for i in tr]
    val_imgs = [images[i] for i in va]
    log(f"{len(images)} real patches from {len(set(keys))} sources: "
        f"{len(train_imgs)} train, {len(val_imgs)} validation")  # fmt: skip

    log(f"fitting {n_decoders} up-sampling decoders ...")
    bank = DecoderBank(n_decoders=n_decoders, train_steps=decoder_steps, seed=seed).fit(train_imgs)

    # -- spectrum classifier --------------------------------------------------------------------
    log("spectrum: extracting features ...")
    feats, labels = [], []
    for _round in range(2):
        for img in train_imgs:
            real_l = launder(img, rng, p=0.7)
            feats.append(spectrum_features(real_l))
            labels.append(0)
            fake, _ = make_fake(bank, img, rng)
            feats.append(spectrum_features(launder(fake, rng, p=0.7)))
            labels.append(1)
    x_spec = np.stack(feats)
    y_spec = np.array(labels)
    val_set = []  # (image, label, kind) laundered once, shared by every validation step
    vrng = np.random.default_rng(seed + 1)
    for img in val_imgs:
        val_set.append((launder(img, vrng, p=0.5), 0, "real"))
        fake, kind = make_fake(bank, img, vrng)
        val_set.append((launder(fake, vrng, p=0.5), 1, kind))
    xv = np.stack([spectrum_features(v[0]) for v in val_set])
    yv = np.array([v[1] for v in val_set])
    best = None
    for hidden in (0, 32):
        clf = FeatureClassifier.fit(x_spec, y_spec, hidden=hidden, seed=seed)
        auc = _auc(yv, clf.predict_proba(xv))
        log(f"spectrum: hidden={hidden} validation AUC {auc:.3f}")
        if best is None or auc > best[0]:
            best = (auc, hidden, clf)
    spec_auc, spec_hidden, spec_clf = best
    profiles = [azimuthal_average(log_power_spectrum(to_gray(img))) for img in train_imgs]
    ref = np.mean([p - p[:4].mean() for p in profiles], axis=0)
    spec_clf.extra["real_profile"] = ref
    spec_clf.save(out / "spectrum.npz")
    spec_val = spec_clf.predict_proba(xv)

    # -- residual CNN ---------------------------------------------------------------------------
    model = build_model().to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps_per_epoch = max(1, (2 * len(train_imgs)) // 32)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=3e-3, total_steps=epochs * steps_per_epoch
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def to_tensor(batch: list[np.ndarray]):
        t = torch.from_numpy(np.stack(batch)).permute(0, 3, 1, 2).float() / 255.0
        return t.contiguous(memory_format=torch.channels_last)

    def val_logits() -> np.ndarray:
        model.eval()
        outs = []
        with torch.inference_mode():
            for i in range(0, len(val_set), 32):
                chunk = [v[0] for v in val_set[i : i + 32]]
                # Validation images may be smaller after laundering: score their centre crop.
                side = min(min(c.shape[:2]) for c in chunk)
                side = max(32, side - side % 16)
                crops = []
                for c in chunk:
                    h, w = c.shape[:2]
                    y, x = (h - side) // 2, (w - side) // 2
                    crops.append(np.ascontiguousarray(c[y : y + side, x : x + side]))
                outs.append(pool_logits(model(to_tensor(crops))).numpy())
        model.train()
        return np.concatenate(outs)

    log(f"residual-cnn: {epochs} epochs x {steps_per_epoch} steps ...")
    history = []
    for epoch in range(epochs):
        samples = [(img, 0) for img in train_imgs]
        samples += [(make_fake(bank, img, rng)[0], 1) for img in train_imgs]
        order = rng.permutation(len(samples))
        total = 0.0
        for s in range(steps_per_epoch):
            idx = order[s * 32 : (s + 1) * 32]
            if len(idx) == 0:
                continue
            batch = [_random_crop(launder(samples[i][0], rng), CROP, rng) for i in idx]
            y = torch.tensor([samples[i][1] for i in idx], dtype=torch.float32)
            loss = loss_fn(pool_logits(model(to_tensor(batch))), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        auc = _auc(yv, val_logits())
        history.append({"epoch": epoch + 1, "loss": total / steps_per_epoch, "val_auc": auc})
        log(f"  epoch {epoch + 1}/{epochs}: loss {total / steps_per_epoch:.4f}, val AUC {auc:.3f}"
            f" ({time.time() - t0:.0f} s)")  # fmt: skip

    # Calibrate on validation (Platt scaling) so the CNN's probabilities mean something.
    from sklearn.linear_model import LogisticRegression

    z = val_logits()
    platt = LogisticRegression(C=10.0).fit(z[:, None], yv)
    scale, bias = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    save_model(model.eval(), out / "residual_cnn.npz", {"scale": scale, "bias": bias})
    cnn_val = 1 / (1 + np.exp(-(scale * z + bias)))

    # -- fusion ---------------------------------------------------------------------------------
    pixel = LogisticFuser.fit(
        {"spectrum": spec_val.tolist(), "residual-cnn": cnn_val.tolist()},
        yv.tolist(),
        target_fpr=0.05,
    )
    fused = np.array(
        [pixel.fuse(_ev(s, c)) for s, c in zip(spec_val, cnn_val, strict=True)], dtype=float
    )
    summary = {
        "real": str(real),
        "n_train": len(train_imgs),
        "n_val": len(val_imgs),
        "sources": len(set(keys)),
        "epochs": epochs,
        "seed": seed,
        "n_decoders": n_decoders,
        "decoder_steps": decoder_steps,
        "spectrum_hidden": spec_hidden,
        "val_auc": {
            "spectrum": spec_auc,
            "residual-cnn": _auc(yv, cnn_val),
            "fused": _auc(yv, fused),
        },
        "history": history,
        "seconds": round(time.time() - t0, 1),
    }
    pixel.info = {"fitted_on": "validation split of simulated fakes", "val_auc": summary["val_auc"]}
    ImageFuser(pixel, info={"trained_by": "fakescope train image"}).save(out / "fusion.json")
    (out / "training_report.json").write_text(json.dumps(summary, indent=2) + "\n")
    log(f"validation AUC: {summary['val_auc']} ({summary['seconds']} s); weights in {out}")
    return summary


def _ev(spec: float, cnn: float):
    from fakescope.core.evidence import Evidence

    return [Evidence("spectrum", float(spec), ""), Evidence("residual-cnn", float(cnn), "")]


def train_command(
    real: Path | None = typer.Option(
        None, "--real", help="Folder of real photos (256x256 or larger) for the simulated fakes."
    ),
    genuine: Path | None = typer.Option(
        None,
        "--genuine",
        help="Folder with real/ and fake/ genuine generator outputs (<group>__name files): "
        "trains backbone-probe and refits the fusion with every default detector.",
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder for the weights (default: the user data folder, e.g. "
        "~/.local/share/fakescope/weights/image; never the installed package).",
    ),
    epochs: int = typer.Option(12, "--epochs", help="Residual-CNN training epochs."),
    seed: int = typer.Option(0, "--seed", help="Random seed."),
    decoders: int = typer.Option(24, "--decoders", help="Simulated up-sampling decoders."),
    views: int = typer.Option(4, "--views", help="Web-laundered training views per image."),
    cache: Path | None = typer.Option(
        None,
        "--cache",
        help="Folder caching backbone features of the --genuine views (and, with --adversarial, "
        "robust-cnn's training views).",
    ),
    extra_real: Path | None = typer.Option(
        None,
        "--extra-real",
        help="With --genuine: more camera photos (any depth) added to the probe's training as "
        "real, e.g. scripts/image/build_real_corpus.py output.",
    ),
    threads: int = typer.Option(1, "--threads", help="CPU threads for torch."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace weights already in --out."),
    adversarial: bool = typer.Option(
        False,
        "--adversarial",
        help="Also train robust-cnn (robust_cnn.npz) with PGD adversarial training and laundering "
        "(fakescope.robustness; validation clean/PGD table in robust_cnn_report.json).",
    ),
    adversarial_only: bool = typer.Option(
        False, "--adversarial-only", help="With --adversarial: train only robust-cnn."
    ),
    adversarial_eps: float = typer.Option(
        2 / 255, "--adversarial-eps", help="PGD budget (L-inf, pixels in [0, 1]); 0: standard."
    ),
    adversarial_epochs: int = typer.Option(12, "--adversarial-epochs", help="robust-cnn epochs."),
) -> None:
    """Train the image detectors. --real: spectrum and residual-cnn from real photos with
    simulated fakes; --genuine: backbone-probe on genuine generator outputs, then the fusion of
    every default detector (both may be given; --real runs first)."""
    import torch
    from rich.console import Console

    from fakescope.core.weights import describe_use, refuse_overwrite, user_weights_dir

    console = Console(stderr=True)
    out = out or user_weights_dir("image")

    def log(msg: str) -> None:
        console.print(msg, highlight=False)

    if real is None and genuine is None:
        raise typer.BadParameter("give --real DIR, --genuine DIR or both")
    if extra_real is not None and genuine is None:
        raise typer.BadParameter("--extra-real only adds photos to --genuine training")
    if (adversarial_only or adversarial_eps != 2 / 255) and not adversarial:
        raise typer.BadParameter("--adversarial-only and --adversarial-eps need --adversarial")
    if adversarial and real is None:
        raise typer.BadParameter("--adversarial trains robust-cnn from --real DIR: give it")
    # --genuine refits fusion.json of the same folder (that is its purpose), so only the files
    # a step creates from scratch are protected.
    written = (list(WEIGHTS_FILES) if real is not None and not adversarial_only else []) + (
        list(GENUINE_FILES) if genuine is not None else []
    )
    written += ["robust_cnn.npz", "robust_cnn_report.json"] if adversarial else []
    try:
        refuse_overwrite([out / n for n in written], overwrite)
    except FileExistsError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if real is not None and not adversarial_only:
        train_image(
            real, out, epochs=epochs, seed=seed, n_decoders=decoders, threads=threads, log=log
        )
    if adversarial:  # robust-cnn, PGD adversarial training (fakescope.robustness)
        from fakescope.robustness.robust_training import RobustTraining, train_robust

        torch.set_num_threads(max(1, threads))
        settings = RobustTraining(eps=adversarial_eps, epochs=adversarial_epochs, seed=seed)
        try:
            train_robust(real, out, settings, cache, log)
        except TooLittleData as exc:
            raise typer.BadParameter(str(exc)) from None
    if genuine is not None:
        from fakescope.image.genuine import train_genuine

        torch.set_num_threads(max(1, threads))
        try:
            summary = train_genuine(
                genuine, out, views=views, cache=cache, extra_real=extra_real, log=log
            )
        except (ValueError, FileNotFoundError) as exc:
            raise typer.BadParameter(str(exc)) from exc
        report = out / "training_report.json"
        data = json.loads(report.read_text()) if report.exists() else {}
        data["genuine"] = summary
        report.write_text(json.dumps(data, indent=2) + "\n")
    console.print(describe_use("image", out), highlight=False)
