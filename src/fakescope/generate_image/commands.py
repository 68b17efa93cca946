"""``fakescope generate image`` and ``fakescope train generator`` (typer-style functions)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from fakescope import console
from fakescope.console import err, progress_bar, usage_error

FAMILY_HELP = "biggan (the class-conditional GAN) | decoder | upsample | selfblend (need --input)"


_OVERWRITE = False


def _target(path: Path) -> Path:
    """``path``, unless it exists and --overwrite was not given (never lose the user's files)."""
    if path.exists() and not _OVERWRITE:
        usage_error(
            f"{path} already exists; pass --overwrite to replace it or choose another --out"
        )
    return path


def _ident(*parts) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:2], "big")


def generate_image(
    out: Annotated[Path, typer.Option(help="Folder to write into (created if missing).")],
    family: Annotated[str, typer.Option(help=FAMILY_HELP)] = "biggan",
    n: Annotated[int, typer.Option("-n", min=1, help="Images to make (biggan: per class).")] = 4,
    class_: Annotated[
        list[str] | None,
        typer.Option("--class", help="Class name or number (repeat; default: every class)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="First seed; image i uses seed + i.")] = 0,
    truncation: Annotated[
        float, typer.Option(min=0.0, help="Truncation trick: |z| <= T (0 = none).")
    ] = 1.0,
    size: Annotated[
        int, typer.Option(min=0, help="Enlarge outputs to this many pixels (Lanczos); 0 = native.")
    ] = 128,
    model: Annotated[
        Path | None, typer.Option(help="Generator weights (default: the shipped Fashion-MNIST).")
    ] = None,
    grid: Annotated[bool, typer.Option(help="Also write grid.png with every sample.")] = False,
    interpolate: Annotated[
        str | None,
        typer.Option(help="Write an interpolation grid between two classes, e.g. 'sneaker:bag'."),
    ] = None,
    input_: Annotated[
        list[Path] | None,
        typer.Option("--input", help="Real photos (files or folders) for the simulated families."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="png | jpg | webp")] = "png",
    watermark: Annotated[
        bool, typer.Option(help="Embed the invisible fakescope watermark (on by default).")
    ] = True,
    sign: Annotated[
        bool, typer.Option(help="Also sign each file with C2PA (local test key unless --key).")
    ] = False,
    key: Annotated[Path | None, typer.Option(help="PEM private key for --sign.")] = None,
    cert: Annotated[Path | None, typer.Option(help="PEM certificate chain for --sign.")] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Replace files of the same name in --out.")
    ] = False,
) -> None:
    """Make synthetic images with provenance (watermark, embedded metadata, sidecar JSON)."""

    from fakescope.generate_image.simulated import FAMILIES

    fmt = fmt.lower().lstrip(".")
    if fmt not in ("png", "jpg", "jpeg", "webp"):
        usage_error(f"--format {fmt}: use png, jpg or webp")
    if out.exists() and not out.is_dir():
        usage_error(f"{out} exists and is not a folder")
    if family != "biggan" and family not in FAMILIES:
        usage_error(f"unknown family {family!r}: {FAMILY_HELP}")
    creds = _credentials(sign, key, cert)
    out.mkdir(parents=True, exist_ok=True)
    global _OVERWRITE
    _OVERWRITE = overwrite
    if family == "biggan":
        written = _generate_gan(
            out, n, class_, seed, truncation, size, model, grid, interpolate, fmt, watermark, creds
        )
    else:
        if not input_:
            usage_error(f"--family {family} turns real photos into fakes: give them with --input")
        written = _generate_simulated(out, family, input_, n, seed, fmt, watermark, creds)
    console.out.print("\n".join(str(p) for p in written))
    err.print(f"wrote {len(written)} file(s) to {out} (each with a .provenance.json sidecar)")


def _credentials(sign: bool, key: Path | None, cert: Path | None):
    if not sign:
        return None
    from fakescope.provenance.c2pa_io import available
    from fakescope.provenance.certs import Credentials, load_or_create

    if not available():
        usage_error("--sign needs the c2pa-python package: pip install 'fakescope[provenance]'")
    if (key is None) != (cert is None):
        usage_error("give both --key and --cert (or neither, for the local test certificate)")
    if key is not None and cert is not None:
        for p in (key, cert):
            if not p.is_file():
                usage_error(f"{p}: no such file")
        return Credentials(key.parent, key, cert, None)
    return load_or_create()


def _generate_gan(
    out, n, classes, seed, truncation, size, model, grid, interpolate, fmt, watermark, creds
) -> list[Path]:
    from fakescope.generate_image.sampling import (
        SamplingError,
        class_index,
        enlarge,
        interpolation_grid,
        sample,
        tile,
    )
    from fakescope.generate_image.weights import WeightsError, default_model_path, load_generator
    from fakescope.provenance.output import save_image
    from fakescope.provenance.record import new_record, sha256_file

    model_path = model or default_model_path()
    try:
        g, cfg, info = load_generator(model_path)
        wanted = [
            cfg.class_names[class_index(cfg, c)] if cfg.class_names else str(class_index(cfg, c))
            for c in (classes or list(range(cfg.n_classes)))
        ]
    except (WeightsError, SamplingError) as exc:
        usage_error(str(exc))
    model_info = {
        "sha256": sha256_file(model_path),
        "architecture": cfg.to_dict(),
        "training": {k: info.get(k) for k in ("steps", "train_seconds", "n_images")},
        "training_data": info.get("training_data"),
    }
    written: list[Path] = []
    all_imgs = []

    def record(settings):
        return new_record(
            "image",
            "biggan",
            settings,
            "trainedAlgorithmicMedia",
            model=Path(model_path).name,
            model_info=model_info,
        )

    for cname in wanted:
        seeds = [seed + i for i in range(n)]
        imgs = sample(g, cfg, [cname] * n, seeds, truncation)
        all_imgs.append(imgs)
        for s, img in zip(seeds, imgs, strict=True):
            settings = {"class": cname, "seed": s, "truncation": truncation, "size": size}
            path = _target(out / f"biggan_{cname}_seed{s}_t{truncation:g}.{fmt}")
            written.append(
                save_image(
                    enlarge(img, size),
                    path,
                    record(settings),
                    _ident(cname, s, truncation),
                    watermark,
                    sign_with=creds,
                )
            )
    if grid:
        sheet = tile(np.concatenate(all_imgs), cols=n)
        settings = {"grid": wanted, "seeds": [seed, seed + n - 1], "truncation": truncation}
        scale = max(1, size // cfg.resolution) if size else 1
        written.append(
            save_image(
                enlarge(sheet, max(sheet.shape[:2]) * scale),
                _target(out / f"grid.{fmt}"),
                record(settings),
                _ident("grid", seed),
                watermark,
                sign_with=creds,
            )
        )
    if interpolate:
        a, _, b = interpolate.partition(":")
        try:
            rows = interpolation_grid(
                g, cfg, a, b or a, seeds=(seed, seed + 1000), steps=8, rows=4, truncation=truncation
            )
        except SamplingError as exc:
            usage_error(str(exc))
        sheet = tile(rows.reshape(-1, *rows.shape[2:]), cols=8)
        settings = {
            "interpolate": [a, b or a],
            "seeds": [seed, seed + 1000],
            "truncation": truncation,
        }
        scale = max(1, size // cfg.resolution) if size else 1
        written.append(
            save_image(
                enlarge(sheet, max(sheet.shape[:2]) * scale),
                _target(out / f"interpolation_{a}_{b or a}.{fmt}"),
                record(settings),
                _ident("interp", a, b, seed),
                watermark,
                sign_with=creds,
            )
        )
    return written


def _photos(inputs: list[Path]) -> list[Path]:
    from fakescope.generate_image.data import IMAGE_SUFFIXES

    found: list[Path] = []
    for p in inputs:
        if p.is_dir():
            found += sorted(q for q in p.rglob("*") if q.suffix.lower() in IMAGE_SUFFIXES)
        elif p.is_file():
            found.append(p)
        else:
            usage_error(f"{p}: no such file or folder")
    if not found:
        usage_error("no images found in --input")
    return found


def _generate_simulated(out, family, inputs, n, seed, fmt, watermark, creds) -> list[Path]:
    from PIL import Image, UnidentifiedImageError

    from fakescope.generate_image.simulated import FAMILIES, SimulatedGenerator
    from fakescope.provenance.output import save_image
    from fakescope.provenance.record import new_record

    photos, names = [], []
    for p in _photos(inputs):
        try:
            with Image.open(p) as im:
                photos.append(np.asarray(im.convert("RGB")))
                names.append(p)
        except (OSError, UnidentifiedImageError) as exc:
            err.print(f"[yellow]skipped[/yellow] {p}: {exc}")
    if not photos:
        usage_error("none of the --input files could be read as an image")
    sim = SimulatedGenerator(family, seed=seed).fit(photos)
    written = []
    for i, (photo, src) in enumerate(zip(photos, names, strict=True)):
        for k in range(n if n > 1 else 1):
            index = i * n + k
            fake = sim.make(photo, index)
            rec = new_record(
                "image",
                family,
                sim.describe(index),
                FAMILIES[family],
                model="fakescope.image.simulate",
                inputs=[str(src)],
            )
            path = _target(out / f"{family}_{src.stem}_{k}.{fmt}")
            written.append(
                save_image(
                    fake, path, rec, _ident(family, str(src), k, seed), watermark, sign_with=creds
                )
            )
    return written


def train_generator(
    data: Annotated[Path, typer.Option(help="Folder with one sub-folder of images per class.")],
    out: Annotated[Path, typer.Option(help="Weights file to write (.npz).")] = Path(
        "generator.npz"
    ),
    resolution: Annotated[int, typer.Option(help="Training size: 16, 32 or 64.")] = 32,
    steps: Annotated[int, typer.Option(min=1, help="Generator steps.")] = 4000,
    batch_size: Annotated[int, typer.Option(min=2, help="Images per step.")] = 32,
    width: Annotated[
        int, typer.Option(min=4, help="Network width (channels of the last block).")
    ] = 32,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    threads: Annotated[int, typer.Option(min=1, help="CPU threads.")] = 1,
    bf16: Annotated[bool, typer.Option(help="bfloat16 autocast (faster on recent CPUs).")] = True,
    lr_g: Annotated[float, typer.Option(min=0.0, help="Generator learning rate (Adam).")] = 2e-4,
    lr_d: Annotated[
        float, typer.Option(min=0.0, help="Discriminator learning rate (Adam; TTUR: > --lr-g).")
    ] = 2e-4,
    log: Annotated[
        Path | None,
        typer.Option(help="Append the losses and elapsed seconds every 100 steps (JSON lines)."),
    ] = None,
    max_per_class: Annotated[
        int | None, typer.Option(min=1, help="Use at most this many images per class.")
    ] = None,
    training_data: Annotated[
        str | None, typer.Option(help="How the data was obtained and its licence (recorded).")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
) -> None:
    """Train the class-conditional GAN (BigGAN-style) on a folder of class sub-folders."""
    from fakescope.generate_image.data import DataError, load_class_folders
    from fakescope.generate_image.training import TrainSettings
    from fakescope.generate_image.training import train_generator as run

    if resolution not in (8, 16, 32, 64):
        usage_error("--resolution must be 8, 16, 32 or 64")
    if out.exists() and not overwrite:
        usage_error(f"{out} already exists; pass --overwrite to replace it")
    try:
        with err.status(f"reading {data}"):
            ds = load_class_folders(data, resolution=resolution, max_per_class=max_per_class)
    except DataError as exc:
        usage_error(str(exc))
    for s in ds.skipped[:10]:
        err.print(f"[yellow]skipped[/yellow] {s}")
    err.print(
        f"{len(ds.labels)} images, {len(ds.class_names)} classes, "
        f"{'gray' if ds.channels == 1 else 'RGB'} at {resolution}x{resolution}"
    )
    settings = TrainSettings(
        steps=steps,
        batch_size=batch_size,
        width=width,
        seed=seed,
        threads=threads,
        bf16=bf16,
        lr_g=lr_g,
        lr_d=lr_d,
        training_data=training_data,
    )
    if log is not None:
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            log_file = log.open("a", encoding="utf-8")
        except OSError as exc:
            usage_error(f"cannot write the log {log}: {exc.strerror or exc}")

        def write_log(m: str) -> None:
            log_file.write(m + "\n")
            log_file.flush()
    else:

        def write_log(m: str) -> None:
            return None

    with progress_bar(True) as progress:
        task = progress.add_task("training", total=steps)
        result = run(
            ds,
            out,
            settings,
            log=write_log,
            progress=lambda d, t: progress.update(task, completed=d, total=t),
        )
    if log is not None:
        log_file.close()
    err.print(f"wrote {out} ({result.seconds:.0f} s on {threads} thread(s))")
