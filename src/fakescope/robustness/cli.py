"""``fakescope robustness``: laundering, attacks and fooling images on labelled folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fakescope.console import err, out, progress_bar


def _split(values: list[str] | None) -> list[str] | None:
    """``--x a,b --x c`` -> ``[a, b, c]``."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def robustness_command(
    real: Annotated[list[str], typer.Option("--real", help="Real samples: files or folders.")],
    fake: Annotated[list[str], typer.Option("--fake", help="Machine-made samples.")],
    detector: Annotated[
        str | None,
        typer.Option("--detector", "-d", help="Judge one detector instead of the fused verdict."),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            help="Differentiable detector the white-box attacks use "
            "(default: residual-cnn for images, spec-cnn for audio)."
        ),
    ] = None,  # fmt: skip
    transforms: Annotated[
        list[str] | None,
        typer.Option(
            "--transforms",
            "-t",
            help="Laundering families, comma-separated "
            "(default: all of the modality's; 'none' for none).",
        ),
    ] = None,  # fmt: skip
    attacks: Annotated[
        list[str] | None,
        typer.Option(
            "--attacks", "-a", help="fgsm, pgd, pgd-l2, square (default: all; 'none' for none)."
        ),
    ] = None,  # fmt: skip
    eps: Annotated[
        list[float] | None,
        typer.Option(
            "--eps",
            help="L-inf budgets of fgsm, pgd and square (images: in [0, 1] pixels, "
            "0.00784 = 2/255; default: per attack and modality).",
        ),
    ] = None,
    eps_l2: Annotated[
        list[float] | None,
        typer.Option("--eps-l2", help="L2 budgets of pgd-l2 (default: per modality)."),
    ] = None,
    steps: Annotated[int, typer.Option(min=1, help="PGD steps.")] = 10,
    queries: Annotated[int, typer.Option(min=3, help="Square-attack queries per file.")] = 200,
    limit: Annotated[
        int | None, typer.Option(min=2, help="At most this many files per class (random).")
    ] = None,
    fooling: Annotated[
        int, typer.Option(min=0, help="Fooling images per method and direction (images).")
    ] = 0,
    generations: Annotated[int, typer.Option(min=1, help="Evolution generations.")] = 300,
    fooling_size: Annotated[int, typer.Option(min=32, help="Fooling image side, pixels.")] = 256,
    fooling_methods: Annotated[
        list[str] | None,
        typer.Option(
            help="Fooling methods, comma-separated: direct, cppn, gradient (default all)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed (sampling, noise, attacks).")] = 0,
    extra: Annotated[
        list[str] | None, typer.Option("--extra", "-x", help="Opt-in detectors to add.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML report.")] = None,
    gallery: Annotated[
        Path | None, typer.Option(help="Folder to save the fooling images as PNG files.")
    ] = None,
) -> None:
    """Measure how easily a detector is fooled: AUC and TPR at 1 % FPR under each laundering
    transform and strength, attack success per budget, fooling images."""
    from fakescope.robustness.engine import Settings, run_robustness
    from fakescope.robustness.report import print_tables, save_gallery, to_json, write_html

    names = _split(transforms)
    attack_names = _split(attacks)
    settings = Settings(
        detector=detector,
        target=target,
        transforms=[] if names == ["none"] else names,
        attacks=[] if attack_names == ["none"] else (attack_names or Settings().attacks),
        budgets={
            **({a: list(eps) for a in ("fgsm", "pgd", "square")} if eps else {}),
            **({"pgd-l2": list(eps_l2)} if eps_l2 else {}),
        },
        steps=steps,
        queries=queries,
        limit=limit,
        seed=seed,
        fooling=fooling,
        fooling_generations=generations,
        fooling_size=fooling_size,
        fooling_methods=_split(fooling_methods),
        extra=list(extra or []),
    )
    from fakescope.robustness.attacks import ATTACKS

    unknown = [a for a in settings.attacks if a not in ATTACKS]
    if unknown:
        err.print(f"[red]error:[/red] unknown attack {', '.join(unknown)} (known: "
                  f"{', '.join(ATTACKS)})")  # fmt: skip
        raise typer.Exit(2)
    if html is not None and html.is_dir():
        err.print(f"[red]error:[/red] {html} is a folder; give a file name for --html")
        raise typer.Exit(2)
    with progress_bar(err.is_terminal) as progress:
        task = progress.add_task("robustness", total=None)

        def tick(done: int, total: int, label: str) -> None:
            progress.update(task, completed=done, total=total, description=label)

        try:
            payload = run_robustness(real, fake, settings, progress=tick)
        except KeyError as exc:
            err.print(f"[red]error:[/red] {exc.args[0]}")
            raise typer.Exit(2) from None
    for f in payload["failed"]:
        err.print(f"[red]failed[/red] {f['path']}: {f['error']}")
    ok = [r for r in payload["results"] if r["clean"]["n_real"] and r["clean"]["n_fake"]]
    if as_json:
        out.print(to_json(payload), markup=False)
    else:
        print_tables(payload, out)
    if html is not None:
        write_html(payload, html)
        err.print(f"wrote {html}")
    if gallery is not None:
        err.print(f"saved {len(save_gallery(payload, gallery))} fooling images in {gallery}")
    if not ok:
        err.print("[red]error:[/red] need at least one readable real and one readable fake file "
                  "of the same modality")  # fmt: skip
        raise typer.Exit(1)
    raise typer.Exit(1 if payload["failed"] else 0)
