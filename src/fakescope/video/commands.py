"""``fakescope generate faceswap`` and ``fakescope train video``: thin CLI layers (the training
recipe is :mod:`fakescope.video.training`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fakescope.console import EXIT_USAGE, fail, progress_bar
from fakescope.core.media import MediaError

VIDEO_GLOBS = ("*.mp4", "*.m4v", "*.mov", "*.mkv", "*.webm", "*.avi")


def generate_faceswap(
    input: Annotated[Path, typer.Option("--input", "-i", help="Video to manipulate.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output video (H.264 MP4).")],
    mode: Annotated[
        str, typer.Option(help="self-blend (SBI-like), swap (needs --source), none (re-encode).")
    ] = "self-blend",
    source: Annotated[
        Path | None, typer.Option(help="Photo with the face to paste (--mode swap).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the manipulation parameters.")] = 0,
    frame_jitter: Annotated[
        float, typer.Option(help="Per-frame wobble of the parameters (0 = consistent).")
    ] = 0.5,
    start: Annotated[float, typer.Option(help="Start at this time (s).")] = 0.0,
    seconds: Annotated[float | None, typer.Option(help="Write at most this many seconds.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
) -> None:
    """Make a manipulated copy of a video: every face self-blended or swapped, frame by frame."""
    from fakescope.video.faceswap import MODES, faceswap_video

    if mode not in MODES:
        fail(f"unknown --mode {mode!r}; use one of {', '.join(MODES)}")
    if out.exists() and not overwrite:
        fail(f"{out} already exists; pass --overwrite to replace it")
    image = None
    if mode == "swap":
        if source is None:
            fail("--mode swap needs --source PHOTO")
        image = _read_photo(source)
    try:
        with progress_bar(True) as bar:
            task = bar.add_task("face swap", total=None)
            result = faceswap_video(
                input,
                out,
                mode=mode,
                source_image=image,
                seed=seed,
                frame_jitter=frame_jitter,
                start_seconds=start,
                max_seconds=seconds,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except MediaError as exc:
        fail(str(exc))
        return
    typer.echo(
        f"wrote {result.output}: {result.frames} frames, {result.manipulated} with a "
        f"{'changed' if mode != 'none' else 'found'} face"
    )
    if result.refused:
        typer.echo(
            f"{result.refused} frame(s) left unchanged because the face could not be aligned "
            f"({result.refusal})"
        )


def _read_photo(path: Path):  # noqa: ANN202  (np.ndarray)
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return np.asarray(img.convert("RGB"))
    except (OSError, UnidentifiedImageError):
        fail(f"{path}: not a readable image")


def _video_files(inputs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in inputs:
        if p.is_dir():
            for pattern in VIDEO_GLOBS:
                files.extend(sorted(p.rglob(pattern)))
        elif p.exists():
            files.append(p)
        else:
            fail(f"{p}: no such file or folder")
    return sorted(set(files))


def train_video(
    real: Annotated[
        list[Path], typer.Option("--real", help="Real videos with faces (files or folders).")
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder (or .json file) for the temporal model; default: the user data folder, "
            "e.g. ~/.local/share/fakescope/weights/video/temporal.json."
        ),
    ] = None,
    work: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the generated clips (kept, reusable); default: the user cache "
            "folder, e.g. ~/.cache/fakescope/video-train-clips."
        ),
    ] = None,
    segment: Annotated[float, typer.Option(help="Clip length cut from each video (s).")] = 2.0,
    fakes_per_clip: Annotated[int, typer.Option(help="Self-blended copies per real clip.")] = 2,
    seed: Annotated[int, typer.Option(help="Seed for the self-blend parameters.")] = 0,
    overwrite: Annotated[bool, typer.Option(help="Replace a model already at --out.")] = False,
    min_clips: Annotated[
        int, typer.Option(min=1, help="Fewest usable clips of each class to fit on.")
    ] = 10,
) -> None:
    """Fit the face-consistency model on real videos and self-blended copies made from them."""
    from fakescope.core.sample_size import TooLittleData
    from fakescope.core.weights import (
        describe_use,
        output_file,
        refuse_overwrite,
        user_cache_dir,
        user_weights_dir,
    )
    from fakescope.video.consistency import SHIPPED
    from fakescope.video.training import fit_temporal, measure_training_clips, training_segments

    target = output_file(out or user_weights_dir("video"), SHIPPED.name)
    work = work or user_cache_dir() / "video-train-clips"
    try:
        refuse_overwrite([target], overwrite)
    except FileExistsError as exc:
        fail(str(exc), EXIT_USAGE)
    files = _video_files(real)
    if not files:
        fail("no videos found under --real")
    work.mkdir(parents=True, exist_ok=True)
    jobs = training_segments(files, segment, skipped=lambda why: typer.echo(f"skipped {why}"))
    with progress_bar(True) as bar:
        task = bar.add_task("clips", total=len(jobs))
        feats, labels = measure_training_clips(
            jobs, work, segment=segment, fakes_per_clip=fakes_per_clip, seed=seed,
            advance=lambda: bar.advance(task),
        )  # fmt: skip
    try:
        model = fit_temporal(
            feats, labels, min_clips=min_clips, source=", ".join(str(p) for p in real),
            videos=files, segment=segment, fakes_per_clip=fakes_per_clip, seed=seed,
        )  # fmt: skip
    except ValueError as exc:
        fail(f"{exc} (--min-clips {min_clips})" if isinstance(exc, TooLittleData) else str(exc))
        return
    model.save(target)
    info = model.info
    typer.echo(f"wrote {target} ({info['clips']} clips, {info['manipulated']} manipulated)")
    typer.echo(describe_use("video", target))
