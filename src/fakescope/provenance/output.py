"""Writing generated files with their provenance: watermark, embedded metadata, sidecar, C2PA.

Examples
--------
>>> import tempfile, pathlib
>>> from fakescope.provenance.record import new_record, read_record
>>> rgb = np.random.default_rng(0).integers(0, 256, (96, 96, 3), dtype=np.uint8)
>>> rec = new_record("image", "biggan", {"seed": 0}, "trainedAlgorithmicMedia")
>>> path = save_image(rgb, pathlib.Path(tempfile.mkdtemp()) / "a.png", rec, ident=7)
>>> read_record(path)["watermark"]["payload"]
'f5010007'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from fakescope.provenance.payload import make_payload
from fakescope.provenance.record import encode_image, write_sidecar


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def save_image(
    rgb: np.ndarray,
    path: str | Path,
    record: dict[str, Any],
    ident: int,
    watermark: bool = True,
    key: str | None = None,
    sign_with: Any = None,
    quality: int = 95,
) -> Path:
    """Watermark (unless disabled or too small), embed the record, write file + sidecar.

    ``sign_with`` is a :class:`~fakescope.provenance.certs.Credentials`: the file then also gets a
    signed C2PA manifest (and the sidecar hashes the signed file).
    """
    from fakescope.provenance import image_watermark as wm

    path = Path(path)
    img = rgb[..., 0] if rgb.ndim == 3 and rgb.shape[2] == 1 else rgb
    if img.ndim == 2:
        img = np.repeat(img[..., None], 3, axis=2)
    if watermark and min(img.shape[:2]) >= wm.MIN_SIDE:
        payload = make_payload(record["generator"], ident)
        img = wm.embed(img, payload, key=key)
        record["watermark"] = {
            "scheme": "fakescope-stdm-dct/1",
            "payload": f"{payload:08x}",
            "key": "custom" if key or os.environ.get(wm.KEY_ENV) else "public",
        }
    elif watermark:
        record["watermark"] = None
        record["watermark_skipped"] = (
            f"image is {img.shape[1]}x{img.shape[0]}; a watermark needs {wm.MIN_SIDE} px a side"
        )
    else:
        record["watermark"] = None
        record["watermark_skipped"] = "disabled by the user (--no-watermark)"
    fmt = path.suffix.lstrip(".").lower() or "png"
    _atomic_write(path, encode_image(img, fmt, record, quality=quality))
    if sign_with is not None:
        from fakescope.provenance.c2pa_io import sign

        record["c2pa"] = {"signed": True, "signer_chain": str(sign_with.chain)}
        _atomic_write(path, encode_image(img, fmt, record, quality=quality))
        sign(
            path,
            path,
            sign_with.key,
            sign_with.chain,
            record["digital_source_type"],
            software_agent=f"fakescope generate {record['modality']} ({record['generator']})",
            parameters={"settings": record["settings"], "model": record.get("model")},
        )
    write_sidecar(path, record)
    return path


def mark_audio_file(
    path: str | Path,
    record: dict[str, Any],
    ident: int,
    watermark: bool = True,
    key: str | None = None,
) -> Path:
    """Watermark a WAV written by a TTS engine in place (same rate, channels, sample format) and
    write its sidecar record. Nothing else in the audio changes.
    """
    import soundfile as sf

    from fakescope.provenance import audio_watermark as aw

    path = Path(path)
    if watermark:
        info = sf.info(str(path))
        data, sr = sf.read(str(path), dtype="float64", always_2d=True)
        mono = data.mean(axis=1)
        try:
            marked = aw.embed(mono, sr, make_payload(record["generator"], ident), key=key)
        except aw.AudioWatermarkError as exc:
            record["watermark"] = None
            record["watermark_skipped"] = str(exc)
        else:
            out = data + (marked - mono)[:, None]
            tmp = path.with_name(f".{path.name}.tmp.wav")
            sf.write(str(tmp), np.clip(out, -1.0, 1.0), sr, subtype=info.subtype)
            os.replace(tmp, path)
            record["watermark"] = {
                "scheme": "fakescope-tilepair-stft/1",
                "payload": f"{make_payload(record['generator'], ident):08x}",
                "key": "custom" if key or os.environ.get(aw.KEY_ENV) else "public",
            }
    else:
        record["watermark"] = None
        record["watermark_skipped"] = "disabled by the user (--no-watermark)"
    write_sidecar(path, record)
    return path
