"""``fakescope train audio`` and ``fakescope generate speech`` (typer-style functions)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

#: ``--out`` of ``train audio`` and ``train music``: both write into the audio weights folder.
WeightsOut = Annotated[
    Path | None,
    typer.Option(
        help="Weights folder (default: the user data folder, e.g. "
        "~/.local/share/fakescope/weights/audio). Use it with "
        "FAKESCOPE_AUDIO_WEIGHTS=FOLDER or scan --weights audio=FOLDER."
    ),
]

#: What ``train audio`` writes (``--overwrite`` is needed to replace them).
WEIGHTS_FILES = (
    "content.npz", "lfcc_gmm.npz", "spec_cnn.pt", "music.npz", "fuser.json", "whisper_lr.npz",
    "training_info.json",
)  # fmt: skip


def train_audio(
    fsdd: Annotated[
        Path | None,
        typer.Option(
            help="Real speech: a Free Spoken Digit Dataset folder (recordings/*.wav). Required "
            "without --speech-train."
        ),
    ] = None,
    tts: Annotated[
        Path | None,
        typer.Option(
            help="Synthetic speech from scripts/audio/build_speech_corpus.py. Required without "
            "--speech-train.",
        ),
    ] = None,
    speech_train: Annotated[
        Path | None,
        typer.Option(
            help="A speech-train folder (MANIFEST.tsv of real corpora and synthesis systems): "
            "train the 16 kHz detectors on it with --fsdd, --tts, the Asterisk voices, "
            "pocketsphinx and --copies when given (docs/audio.md, Generalisation)."
        ),
    ] = None,
    copies: Annotated[
        Path | None,
        typer.Option(
            help="Copy-synthesis fakes of the real recordings (scripts/audio/"
            "build_copy_synthesis.py), used with --speech-train."
        ),
    ] = None,
    music: Annotated[
        list[Path] | None, typer.Option(help="Real music folders for the speech/music classifier.")
    ] = None,
    music_corpus: Annotated[
        Path | None,
        typer.Option(
            help="Corpus from scripts/audio/build_music_corpus.py (trains music-artifacts)."
        ),
    ] = None,
    holdout_engine: Annotated[
        str | None,
        typer.Option(help="TTS engine left out of training entirely (for leave-one-engine-out)."),
    ] = None,
    out: WeightsOut = None,
    epochs: Annotated[
        int | None, typer.Option(min=1, help="spec-cnn epochs (default 10; 8 at 16 kHz).")
    ] = None,
    gmm_components: Annotated[
        int | None, typer.Option(min=2, help="Components per GMM (default 64; 32 at 16 kHz).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    cnn_members: Annotated[
        int,
        typer.Option(
            min=1, help="spec-cnn networks (seeds SEED, SEED+1, ...) whose scores are averaged."
        ),
    ] = 2,
    cache: Annotated[
        Path | None,
        typer.Option(
            help="Cache of front-end clips, reused across runs (default: the user cache folder)."
        ),
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace weights already in --out.")] = False,
    adversarial: Annotated[
        bool,
        typer.Option(
            help="Harden spec-cnn: PGD copies of waveform crops in every batch "
            "(fakescope.robustness.adversarial; laundering is the random channel)."
        ),
    ] = False,
) -> None:
    """Train the audio detectors (content router, lfcc-gmm, spec-cnn, music-artifacts, fuser)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from fakescope.audio.training import train_all
    from fakescope.core.weights import (
        describe_use,
        refuse_overwrite,
        user_cache_dir,
        user_weights_dir,
    )

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    required = (
        ("--fsdd", fsdd, "a folder of real speech (the Free Spoken Digit Dataset's recordings)"),
        ("--tts", tts, "a folder of synthetic speech (scripts/audio/build_speech_corpus.py)"),
    )
    if speech_train is not None:  # the 16 kHz path: every folder optional but speech-train
        required = (
            tuple((n, p, w) for n, p, w in required if p is not None)
            + (("--speech-train", speech_train, "a speech-train folder"),)
            + ((("--copies", copies, "a copy-synthesis folder"),) if copies is not None else ())
        )
    for name, path, what in required:
        if path is None:
            console.print(f"[red]error:[/red] {name} is required: {what}; see docs/audio.md")
            raise typer.Exit(2)
        if not Path(path).is_dir():
            console.print(f"[red]error:[/red] {name} folder {path} does not exist")
            raise typer.Exit(2)
    out = out or user_weights_dir("audio")
    try:
        refuse_overwrite([out / n for n in WEIGHTS_FILES], overwrite)
    except FileExistsError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    music_dirs = music or [Path("/usr/share/hyperrogue/music"), Path("/usr/share/asterisk/moh")]

    @contextmanager
    def bar(label: str, total: int):
        with Progress(
            TextColumn(label), BarColumn(), MofNCompleteColumn(), console=console, transient=True
        ) as progress:
            task = progress.add_task(label, total=total)
            yield lambda done, tot: progress.update(task, completed=done, total=tot)

    if speech_train is not None:
        from fakescope.audio.speech_data import all_items
        from fakescope.audio.train16 import EPOCHS16, GMM_COMPONENTS16, train_all16

        try:
            items = all_items(speech_train=speech_train, fsdd=fsdd, engines=tts, copies=copies)
            train_all16(
                out,
                items,
                cache or user_cache_dir() / "audio-train16",
                music_dirs,
                music_corpus,
                seed=seed,
                epochs=epochs or EPOCHS16,
                cnn_members=cnn_members,
                gmm_components=gmm_components or GMM_COMPONENTS16,
                log=lambda m: console.print(m),
                progress_factory=bar,
            )
        except (ValueError, FileNotFoundError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
        console.print(describe_use("audio", out))
        return
    train_all(
        out=out,
        fsdd=fsdd,
        tts=tts,
        music_dirs=music_dirs,
        holdout=holdout_engine,
        epochs=epochs or 10,
        gmm_components=gmm_components or 64,
        seed=seed,
        cnn_members=cnn_members,
        cache=cache or user_cache_dir() / "audio-train",
        music_corpus=music_corpus,
        log=lambda m: console.print(m),
        progress_factory=bar,
        adversarial=adversarial,
    )
    console.print(describe_use("audio", out))


def generate_speech(
    text: Annotated[str, typer.Option(help="What to say.")],
    out: Annotated[Path, typer.Option(help="WAV file to write.")],
    engine: Annotated[
        str,
        typer.Option(help="espeak-ng | flite | festival | piper | pico | kokoro (installed only)."),
    ] = "espeak-ng",
    voice: Annotated[
        str | None,
        typer.Option(
            help="Engine voice (espeak-ng en-us+f3, flite slt, festival voice_kal_diphone, "
            "pico en-GB, piper path/to/voice.onnx, kokoro jf_alpha+jm_kumo:0.3)."
        ),
    ] = None,
    rate: Annotated[float, typer.Option(min=0.25, max=4.0, help="Speaking-rate factor.")] = 1.0,
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    watermark: Annotated[
        bool, typer.Option(help="Embed the inaudible fakescope watermark (on by default).")
    ] = True,
) -> None:
    """Speak TEXT with a local text-to-speech engine into a WAV file (for test sets)."""
    from rich.console import Console

    from fakescope.audio.tts import EngineMissing, synthesize

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if out.exists() and out.is_dir():
        console.print(f"[red]error:[/red] {out} is a folder; give a file name for --out")
        raise typer.Exit(2)
    if out.exists() and not overwrite:
        console.print(f"[red]error:[/red] {out} already exists; pass --overwrite to replace it")
        raise typer.Exit(2)
    try:
        path = synthesize(text, engine, out, voice=voice, rate=rate)
    except (EngineMissing, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except RuntimeError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    _provenance(path, text, engine, voice, rate, watermark)
    Console(highlight=False, soft_wrap=True).print(str(path))


def _provenance(path: Path, text: str, engine: str, voice, rate: float, watermark: bool) -> None:
    """Watermark (unless disabled) and write the sidecar provenance record of a TTS output."""
    import hashlib

    from fakescope.provenance.output import mark_audio_file
    from fakescope.provenance.record import new_record

    settings = {"engine": engine, "voice": voice, "rate": rate, "text": text}
    record = new_record("audio", "speech", settings, "trainedAlgorithmicMedia", model=engine)
    ident = int.from_bytes(hashlib.sha256(repr(settings).encode()).digest()[:2], "big")
    mark_audio_file(path, record, ident, watermark=watermark)
