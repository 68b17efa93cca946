"""``fakescope train anomaly``: a thin command over ``training.train_anomaly``."""

from __future__ import annotations

from pathlib import Path

import typer


def train_command(
    real: Path = typer.Option(
        ..., "--real", help="Folder of normal images (searched recursively); any domain works."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder for checkpoint.pt, anomaly.pt and training.json "
        "(default: the user data folder, e.g. ~/.local/share/fakescope/weights/anomaly).",
    ),
    gan_steps: int = typer.Option(400, "--gan-steps", help="WGAN-GP generator iterations."),
    encoder_steps: int = typer.Option(300, "--encoder-steps", help="izi_f encoder iterations."),
    patch_size: int = typer.Option(16, "--patch-size", help="Patch side (power of two)."),
    width: int = typer.Option(64, "--width", help="Network width (channels of the widest layer)."),
    batch_size: int = typer.Option(64, "--batch-size"),
    representation: str = typer.Option(
        "residual", "--representation", help="'residual' (high-pass texture) or 'rgb' (pixels)."
    ),
    statistic: str = typer.Option(
        "critic",
        "--statistic",
        help="Image score used by the detector: 'critic' (WGAN critic realness) or 'izif' "
        "(paper's residual score); both are calibrated and reported.",
    ),
    max_patches: int = typer.Option(
        256,
        "--max-patches",
        help="Patches scored per image (a grid; 256 = 16x16 16-px patches cover 256x256).",
    ),
    checkpoint_every: int = typer.Option(
        100, "--checkpoint-every", help="Steps between checkpoints."
    ),
    seed: int = typer.Option(0, "--seed"),
    threads: int = typer.Option(1, "--threads", help="CPU threads for torch."),
    resume: bool = typer.Option(False, "--resume", help="Continue from OUT/checkpoint.pt."),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace a model already in --out (else refused)."
    ),
) -> None:
    """Train the f-AnoGAN one-class model (used by `scan` as the `anomaly` detector)."""
    import torch

    from fakescope.anomaly.detector import DEFAULT_WEIGHTS
    from fakescope.anomaly.training import TrainConfig, train_anomaly
    from fakescope.core.media import MediaError
    from fakescope.core.weights import describe_use, refuse_overwrite, user_weights_dir

    out = out or user_weights_dir("anomaly")
    try:
        refuse_overwrite([out / DEFAULT_WEIGHTS.name], overwrite or resume)
    except FileExistsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    torch.set_num_threads(max(threads, 1))
    try:
        cfg = TrainConfig(
            patch_size=patch_size,
            width=width,
            batch_size=batch_size,
            representation=representation,
            statistic=statistic,
            max_patches=max_patches,
            gan_steps=gan_steps,
            encoder_steps=encoder_steps,
            checkpoint_every=checkpoint_every,
            seed=seed,
        )
        result = train_anomaly(real, out, cfg, resume=resume, log=typer.echo)
    except (MediaError, ValueError) as exc:  # also a bad option value
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"saved {result.model_path} ({result.gan_steps} GAN + {result.encoder_steps} "
        f"encoder steps, "
        f"{result.seconds:.0f} s); {describe_use('anomaly', result.model_path)}"
    )
