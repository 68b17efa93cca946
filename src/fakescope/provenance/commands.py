"""``fakescope provenance sign | verify | watermark`` (typer-style functions)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3", ".m4a", ".opus", ".aiff", ".aif"}


def _err():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _out():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _say(text: str) -> None:
    """Print plain text to stdout (no rich markup: paths may contain brackets)."""
    _out().print(text, markup=False)


def _fail(message: str, code: int = 2) -> None:
    _err().print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def sign_file(
    file: Annotated[
        Path, typer.Argument(help="Image or audio file to sign (JPEG, PNG, WebP, WAV...).")
    ],
    out: Annotated[
        Path | None, typer.Option(help="Signed copy to write (default: NAME.c2pa.EXT beside it).")
    ] = None,
    key: Annotated[Path | None, typer.Option(help="Your PEM private key (ES256).")] = None,
    cert: Annotated[
        Path | None, typer.Option(help="Your PEM certificate chain (signer first, no root).")
    ] = None,
    source_type: Annotated[
        str | None,
        typer.Option(
            help="IPTC digital source type, e.g. trainedAlgorithmicMedia or digitalCapture "
            "(default: from the file's fakescope record)."
        ),
    ] = None,
) -> None:
    """Add a signed C2PA manifest (local test certificate unless --key/--cert)."""
    from fakescope.provenance.c2pa_io import C2paUnavailable, sign
    from fakescope.provenance.certs import load_or_create
    from fakescope.provenance.record import read_record

    if not file.is_file():
        _fail(f"{file}: no such file")
    if (key is None) != (cert is None):
        _fail("give both --key and --cert, or neither (then a local TEST certificate is used)")
    record = read_record(file)
    if source_type is None and record:
        source_type = record.get("digital_source_type")
    if source_type is None:
        _fail(
            f"{file}: no fakescope record says how it was made; state it with --source-type "
            "(e.g. digitalCapture for a camera photo, trainedAlgorithmicMedia for AI output)"
        )
    dst = out or file.with_name(f"{file.stem}.c2pa{file.suffix}")
    if dst.exists() and dst.resolve() == file.resolve():
        _fail("--out must differ from the input (the original is never overwritten)")
    if key is not None and cert is not None:
        for p in (key, cert):
            if not p.is_file():
                _fail(f"{p}: no such file")
        k, c, note = key, cert, f"signed with {cert}"
    else:
        creds = load_or_create()
        k, c = creds.key, creds.chain
        note = (
            f"signed with the local TEST certificate in {creds.folder} (verify with "
            f"--trust {creds.trust_anchor}); bring your own with --key/--cert"
        )
    params = (
        {"fakescope_record": {k2: record.get(k2) for k2 in ("generator", "model", "settings")}}
        if record
        else None
    )
    try:
        sign(file, dst, k, c, source_type, parameters=params)
    except C2paUnavailable as exc:
        _fail(str(exc))
    except Exception as exc:  # the SDK raises its own error types (bad key, unsupported format)
        _fail(f"{file}: could not sign: {exc}", 1)
    _say(str(dst))
    _err().print(note)


def verify_file(
    files: Annotated[list[Path], typer.Argument(help="Files to check.")],
    trust: Annotated[
        list[Path] | None,
        typer.Option(help="PEM trust anchor(s): certificates of authorities you trust."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file.")] = False,
) -> None:
    """Validate C2PA manifests, look for fakescope watermarks, read fakescope records.

    Exit code 1 when a file has no valid C2PA manifest (missing, or failing validation).
    """
    from rich.markup import escape

    from fakescope.provenance.c2pa_io import verify
    from fakescope.provenance.record import read_record

    for t in trust or []:
        if not t.is_file():
            _fail(f"--trust {t}: no such file")
    bad = 0
    for f in files:
        if not f.is_file():
            _err().print(f"[red]ERROR[/red] {f}: no such file")
            bad += 1
            continue
        status = verify(f, trust_anchors=trust)
        mark = _watermark(f)
        record = read_record(f)
        bad += not status.ok
        if as_json:
            payload = {
                "path": str(f),
                "c2pa": status.to_dict(),
                "watermark": mark,
                "record": record,
            }
            _out().print(json.dumps(payload, default=str), markup=False)
            continue
        colour = "green" if status.ok else ("red" if status.present else "yellow")
        _out().print(
            f"[{colour}]{'OK ' if status.ok else 'BAD'}[/{colour}] "
            + escape(f"{f}: {status.summary()}")
        )
        for fail in status.failures:
            _say(f"     - {fail['reason']} [{fail['code']}]")
        for act in status.actions:
            src = (act.get("digital_source_type") or "").rsplit("/", 1)[-1]
            _say(
                f"     action {act['action']} by {act.get('software_agent') or '?'}"
                + (f" (source: {src})" if src else "")
            )
        for ing in status.ingredients:
            _say(f"     ingredient {ing['title']} ({ing['relationship']})")
        if mark is not None:
            _say(f"     watermark: {mark['summary']}")
        if record is not None:
            extra = ""
            if record.get("source") == "sidecar":
                extra = "; file unchanged" if record.get("hash_matches") else "; FILE CHANGED since"
            _say(
                f"     fakescope record ({record['source']}{extra}): "
                f"{record.get('generator')} {json.dumps(record.get('settings'))}"
            )
    raise typer.Exit(1 if bad else 0)


def _watermark(path: Path) -> dict | None:
    """Watermark check for an image or audio file (None when the file cannot be decoded)."""
    import numpy as np

    from fakescope.provenance.payload import describe_payload

    try:
        if path.suffix.lower() in AUDIO_SUFFIXES:
            from fakescope.audio.loader import load_audio
            from fakescope.provenance.audio_watermark import detect as detect_audio

            clip = load_audio(path)[0].data
            det = detect_audio(clip.mono(), clip.sample_rate)
            info = det.to_dict()
        else:
            from PIL import Image

            from fakescope.provenance.image_watermark import detect as detect_image

            with Image.open(path) as im:
                det = detect_image(np.asarray(im.convert("RGB")))
            info = det.to_dict()
    except Exception:  # undecodable file: the C2PA line already says what is wrong
        return None
    if info["found"] and info.get("payload"):
        d = describe_payload(int(info["payload"], 16))
        info["summary"] = f"FOUND, made by {d['tool']} (generator {d['generator']}, id {d['id']})"
    elif info["found"]:
        info["summary"] = "FOUND (payload unreadable)"
    else:
        info["summary"] = "none found (neutral)"
    return info


def watermark_file(
    files: Annotated[list[Path], typer.Argument(help="Images or audio files.")],
    embed: Annotated[
        bool, typer.Option("--embed", help="Add a mark instead of looking for one.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(help="With --embed and one file: where to write the marked copy.")
    ] = None,
    ident: Annotated[int, typer.Option(min=0, max=65535, help="16-bit id put in the payload.")] = 0,
) -> None:
    """Look for (default) or embed (--embed) the invisible fakescope watermark."""
    import numpy as np

    from fakescope.provenance.payload import make_payload

    if not embed:
        found = 0
        for f in files:
            if not f.is_file():
                _err().print(f"[red]ERROR[/red] {f}: no such file")
                continue
            info = _watermark(f)
            if info is None:
                _err().print(f"[red]ERROR[/red] {f}: cannot be decoded as an image or audio file")
                continue
            found += bool(info["found"])
            _say(f"{f}: {info['summary']}")
        raise typer.Exit(0)
    if out is not None and len(files) != 1:
        _fail("--out works with one input file")
    payload = make_payload("external", ident)
    for f in files:
        dst = out or f.with_name(
            f"{f.stem}.marked{'.wav' if f.suffix.lower() in AUDIO_SUFFIXES else '.png'}"
        )
        if dst.exists() and dst.resolve() == f.resolve():
            _fail("--out must differ from the input (the original is never overwritten)")
        try:
            if f.suffix.lower() in AUDIO_SUFFIXES:
                import soundfile as sf

                from fakescope.audio.loader import load_audio
                from fakescope.provenance.audio_watermark import embed as embed_audio

                clip = load_audio(f)[0].data
                sf.write(
                    dst,
                    embed_audio(clip.mono(), clip.sample_rate, payload),
                    clip.sample_rate,
                    subtype="PCM_16",
                )
            else:
                from PIL import Image

                from fakescope.provenance.image_watermark import embed as embed_image

                with Image.open(f) as im:
                    rgb = np.asarray(im.convert("RGB"))
                Image.fromarray(embed_image(rgb, payload)).save(dst)
        except (OSError, ValueError) as exc:
            _fail(f"{f}: {exc}", 1)
        _say(str(dst))
