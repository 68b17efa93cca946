"""``fakescope train music`` and ``fakescope analyze music`` (typer-style functions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from fakescope.audio.commands import WeightsOut


def train_music(
    det_data: Annotated[
        Path | None,
        typer.Option(
            help="Detection data from scripts/music/prepare_detection_data.py (trains "
            "music-artifacts)."
        ),
    ] = None,
    corpus: Annotated[
        Path | None,
        typer.Option(
            help="Rendered songs from scripts/music/render_rhythm_corpus.py (trains the "
            "music-analysis network: beats, downbeats, drums, voice)."
        ),
    ] = None,
    out: WeightsOut = None,
    epochs: Annotated[int, typer.Option(help="Training epochs of the analysis network.")] = 30,
    c: Annotated[float, typer.Option(help="Inverse L2 strength of the music verdict.")] = 0.05,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    overwrite: Annotated[bool, typer.Option(help="Replace existing files in --out.")] = False,
) -> None:
    """Train the music verdict and/or the music-analysis network.

    Example: fakescope train music --det-data /work/data/music/det --corpus
    /work/data/music/rhythm --out src/fakescope/audio/weights --overwrite
    """
    from fakescope.audio.threads import single_thread
    from fakescope.core.weights import describe_use, refuse_overwrite, user_weights_dir

    if det_data is None and corpus is None:
        raise typer.BadParameter("give --det-data, --corpus or both")
    for folder in (det_data, corpus):
        if folder is not None and not folder.is_dir():
            raise typer.BadParameter(f"{folder}: not a folder")
    out = out or user_weights_dir("audio")
    targets = ([out / "music.npz"] if det_data else []) + (
        [out / "music_analysis.pt"] if corpus else []
    )
    try:
        refuse_overwrite(targets, overwrite)
    except FileExistsError as exc:
        raise typer.BadParameter(str(exc)) from None
    out.mkdir(parents=True, exist_ok=True)

    def log(msg: str) -> None:
        typer.echo(msg, err=True)

    info: dict = {}
    with single_thread():
        if det_data is not None:
            from fakescope.audio.music_training import train_music_detector

            info["music-artifacts"] = train_music_detector(det_data, out / "music.npz", c, log)
        if corpus is not None:
            from fakescope.audio.music_analysis.training import train_analysis

            info["music-analysis"] = train_analysis(
                corpus, out / "music_analysis.pt", epochs, seed, log
            )
    info_path = out / "music_training_info.json"
    old = json.loads(info_path.read_text()) if info_path.exists() else {}
    info_path.write_text(json.dumps({**old, **info}, indent=2, default=float))
    typer.echo(f"wrote {', '.join(str(t) for t in targets)}")
    typer.echo(describe_use("audio", out))


def analyze_music_command(
    file: Annotated[Path, typer.Argument(help="Audio file (WAV, FLAC, MP3, OGG, M4A, ...).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    png: Annotated[
        Path | None, typer.Option(help="Write the spectrogram with the analysis drawn on it.")
    ] = None,
    weights: Annotated[
        Path | None, typer.Option(help="music_analysis.pt to use instead of the shipped one.")
    ] = None,
) -> None:
    """Tempo, beats, downbeats, drum hits and vocal segments of a piece of music.

    Example: fakescope analyze music song.mp3 --png song.png
    """
    from fakescope.audio.loader import load_audio
    from fakescope.audio.music_analysis import analyze_music
    from fakescope.audio.music_analysis.frontend import RATE
    from fakescope.audio.threads import single_thread
    from fakescope.core.media import MediaError

    if not file.exists():
        typer.echo(f"{file}: no such file", err=True)
        raise typer.Exit(2)
    try:
        clip = load_audio(file)[0].data
    except MediaError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    with single_thread():
        x16 = clip.mono_at(RATE)
        result = analyze_music(x16, RATE, weights)
        if png is not None:
            from fakescope.audio.music_analysis.plot import analysis_png

            png.write_bytes(analysis_png(x16, result))
    data = {"file": str(file), **result.to_dict()}
    if as_json:
        typer.echo(json.dumps(data))
    else:
        typer.echo(render_text(data))
    if png is not None and not as_json:
        typer.echo(f"picture: {png}")


def render_text(d: dict) -> str:
    """Human-readable summary of an analysis dictionary."""

    def times(ts: list[float], n: int = 8) -> str:
        shown = ", ".join(f"{t:.2f}" for t in ts[:n])
        return shown + (f", ... ({len(ts)} in all)" if len(ts) > n else "") if ts else "none"

    tempo = f"{d['tempo_bpm']:.1f} BPM" if d["tempo_bpm"] else "no steady beat found"
    meter = f" in {d['meter']}/4" if d["meter"] else ""
    lines = [
        f"{d['file']}: {d['duration_s']:.1f} s, {tempo}{meter}",
        f"  beats:      {times(d['beats'])}",
        f"  downbeats:  {times(d['downbeats'])}",
        f"  onsets:     {len(d['onsets'])}",
    ]
    for name, ts in d["drums"].items():
        lines.append(f"  {name + ':':11s} {times(ts)}")
    voc = d["vocal_segments"]
    lines.append(
        "  vocals:     " + (", ".join(f"{a:.1f}-{b:.1f} s" for a, b in voc) if voc else "none")
    )
    return "\n".join(lines)
