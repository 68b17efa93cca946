"""``fakescope train image``: the command line of the image trainers.

``--real`` runs :func:`fakescope.image.training.train_image` (spectrum, residual-cnn, fusion on
simulated fakes), ``--adversarial`` :func:`fakescope.robustness.robust_training.train_robust`
(robust-cnn) and ``--genuine`` :func:`fakescope.image.genuine.train_genuine` (backbone-probe and
the fusion of every default detector), in that order.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from fakescope.core.sample_size import TooLittleData

#: What ``train image`` writes (``--overwrite`` is needed to replace them).
WEIGHTS_FILES = ("spectrum.npz", "residual_cnn.npz", "fusion.json", "training_report.json")
GENUINE_FILES = ("probe.npz",)


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
        from fakescope.image.training import train_image

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
