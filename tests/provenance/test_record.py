from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fakescope.image.loader import load_image
from fakescope.image.metadata import MetadataDetector
from fakescope.provenance.output import save_image
from fakescope.provenance.record import (
    encode_image,
    new_record,
    read_record,
    sidecar_path,
    xmp_packet,
)


def _record() -> dict:
    return new_record(
        "image",
        "biggan",
        {"seed": 3, "class": "bag"},
        "trainedAlgorithmicMedia",
        model="fashion32.npz",
    )


@pytest.mark.parametrize("fmt", ["png", "jpg", "webp"])
def test_embedded_record_is_read_back_and_names_the_source_type(tmp_path: Path, photo, fmt):
    path = tmp_path / f"a.{fmt}"
    path.write_bytes(encode_image(photo, fmt, _record()))
    media = load_image(path)[0]
    ev = MetadataDetector().score(media)
    assert ev.score > 0.9 and "trained algorithmic media" in ev.reason.lower()
    rec = read_record(path)
    assert rec["source"] == "embedded" and rec["settings"]["class"] == "bag"


def test_sidecar_has_hash_and_notices_changes(tmp_path: Path, photo):
    path = save_image(photo, tmp_path / "g.png", _record(), ident=0x42)
    side = json.loads(sidecar_path(path).read_text())
    assert side["file"] == "g.png" and len(side["sha256"]) == 64
    assert side["digital_source_type"].endswith("/trainedAlgorithmicMedia")
    assert side["watermark"]["payload"] == "f5010042"
    assert read_record(path)["hash_matches"] is True
    path.write_bytes(path.read_bytes() + b"\0")
    assert read_record(path)["hash_matches"] is False


def test_small_image_is_written_unmarked_with_the_reason(tmp_path: Path):
    tiny = np.zeros((32, 32, 3), np.uint8)
    path = save_image(tiny, tmp_path / "t.png", _record(), ident=1)
    rec = read_record(path)
    assert rec["watermark"] is None and "64 px" in rec["watermark_skipped"]


def test_xmp_is_well_formed():
    import xml.dom.minidom

    packet = xmp_packet(_record())
    body = packet[packet.index("<x:xmpmeta") : packet.index("</x:xmpmeta>") + 12]
    doc = xml.dom.minidom.parseString(body)
    node = doc.getElementsByTagName("Iptc4xmpExt:DigitalSourceType")[0]
    assert node.firstChild.data.endswith("trainedAlgorithmicMedia")


def test_unknown_source_type_is_refused():
    with pytest.raises(ValueError, match="digital source type"):
        new_record("image", "x", {}, "madeUp")
