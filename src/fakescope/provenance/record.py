"""Honest provenance records for files fakescope generates: a sidecar JSON plus embedded metadata.

Every generated file gets ``<file>.provenance.json`` (tool, version, command, model, settings,
IPTC digital source type, watermark payload, SHA-256 of the written file). Where the format allows,
the same record is embedded too:

- PNG: ``tEXt`` chunks ``Software``, ``fakescope:provenance`` (the JSON) and an ``iTXt``
  ``XML:com.adobe.xmp`` packet;
- JPEG and WebP: an XMP packet (``Iptc4xmpExt:DigitalSourceType``, ``xmp:CreatorTool``,
  ``dc:description``);
- WAV and other audio: sidecar only (the audio bytes are not touched).

The XMP names the IPTC digital source type (for model output
``http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia``), which other tools read.

Examples
--------
>>> rec = new_record("image", "biggan", {"seed": 1}, "trainedAlgorithmicMedia", model="m.npz")
>>> rec["digital_source_type"].rsplit("/", 1)[1]
'trainedAlgorithmicMedia'
>>> "trainedAlgorithmicMedia" in xmp_packet(rec)
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shlex
import sys
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

SCHEMA = "fakescope.provenance/1"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
SIDECAR_SUFFIX = ".provenance.json"
PNG_KEY = "fakescope:provenance"
SOURCE_TYPES = {
    "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia",
    "algorithmicMedia",
    "algorithmicallyEnhanced",
    "composite",
    "compositeSynthetic",
    "digitalCapture",
}


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def new_record(
    modality: str,
    generator: str,
    settings: dict[str, Any],
    source_type: str,
    model: str | None = None,
    model_info: dict[str, Any] | None = None,
    watermark: dict[str, Any] | None = None,
    inputs: list[str] | None = None,
) -> dict[str, Any]:
    """A provenance record (JSON-friendly dict) for one generated file."""
    from fakescope import __version__

    if source_type not in SOURCE_TYPES:
        raise ValueError(f"unknown IPTC digital source type {source_type!r}")
    return {
        "schema": SCHEMA,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tool": {
            "name": "fakescope",
            "version": __version__,
            "command": " ".join(shlex.quote(a) for a in [Path(sys.argv[0]).name, *sys.argv[1:]]),
        },
        "modality": modality,
        "generator": generator,
        "model": model,
        "model_info": model_info or {},
        "settings": settings,
        "digital_source_type": IPTC + source_type,
        "inputs": inputs or [],
        "watermark": watermark,
        "statement": "Made by a machine with fakescope (synthetic media, for testing).",
    }


def xmp_packet(record: dict[str, Any]) -> str:
    """An XMP packet carrying the IPTC digital source type, the creator tool and the record."""
    tool = f"fakescope {record['tool']['version']} ({record['generator']})"
    desc = json.dumps(record, sort_keys=True)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:fakescope="https://fakescope.invalid/ns/provenance/1/">'
        f"<Iptc4xmpExt:DigitalSourceType>{escape(record['digital_source_type'])}"
        "</Iptc4xmpExt:DigitalSourceType>"
        f"<xmp:CreatorTool>{escape(tool)}</xmp:CreatorTool>"
        f"<xmp:CreateDate>{escape(record['created'])}</xmp:CreateDate>"
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{escape(record['statement'])}</rdf:li></rdf:Alt></dc:description>"
        f"<fakescope:record>{escape(desc)}</fakescope:record>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )


def encode_image(rgb: np.ndarray, fmt: str, record: dict[str, Any], quality: int = 95) -> bytes:
    """Encode ``rgb`` as PNG, JPEG or WebP with the record embedded as metadata."""
    from PIL import Image, PngImagePlugin

    im = Image.fromarray(rgb)
    buf = io.BytesIO()
    xmp = xmp_packet(record)
    fmt = fmt.lower()
    if fmt == "png":
        info = PngImagePlugin.PngInfo()
        info.add_text("Software", f"fakescope {record['tool']['version']}")
        info.add_text(PNG_KEY, json.dumps(record, sort_keys=True))
        info.add_itxt("XML:com.adobe.xmp", xmp)
        im.save(buf, format="PNG", pnginfo=info)
    elif fmt in ("jpg", "jpeg"):
        im.save(buf, format="JPEG", quality=quality, xmp=xmp.encode())
    elif fmt == "webp":
        im.save(buf, format="WEBP", quality=quality, xmp=xmp.encode())
    else:
        raise ValueError(f"unsupported image format {fmt!r} (png, jpg or webp)")
    return buf.getvalue()


def sidecar_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def write_sidecar(path: str | Path, record: dict[str, Any]) -> Path:
    """Write ``<path>.provenance.json`` with the record plus the file's SHA-256."""
    full = dict(record, file=Path(path).name, sha256=sha256_file(path))
    side = sidecar_path(path)
    side.write_text(json.dumps(full, indent=2, sort_keys=True) + "\n")
    return side


def read_record(path: str | Path) -> dict[str, Any] | None:
    """The fakescope record of a file: its sidecar if present, else the embedded PNG/XMP copy.

    Adds ``"source": "sidecar"|"embedded"`` and, for a sidecar, ``"hash_matches"``.
    """
    path = Path(path)
    side = sidecar_path(path)
    if side.is_file():
        try:
            rec = json.loads(side.read_text())
        except (OSError, ValueError):
            rec = None
        if isinstance(rec, dict) and rec.get("schema") == SCHEMA:
            rec["source"] = "sidecar"
            rec["hash_matches"] = rec.get("sha256") == sha256_file(path)
            return rec
    return embedded_record(path)


def embedded_record(path: str | Path) -> dict[str, Any] | None:
    """The record embedded in a PNG text chunk or an XMP packet, if any."""
    import re
    from html import unescape

    try:
        raw = Path(path).read_bytes()[: 4 << 20]
    except OSError:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as im:
            text = (getattr(im, "text", None) or {}).get(PNG_KEY)
            if text:
                rec = json.loads(text)
                rec["source"] = "embedded"
                return rec
    except (OSError, UnidentifiedImageError, ValueError):
        pass
    m = re.search(rb"<fakescope:record>(.*?)</fakescope:record>", raw, re.S)
    if m:
        try:
            rec = json.loads(unescape(m.group(1).decode("utf-8", "replace")))
        except ValueError:
            return None
        rec["source"] = "embedded"
        return rec
    return None
