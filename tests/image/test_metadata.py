"""Metadata detector: generator and editor clues, C2PA, camera data as weak evidence."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from fakescope.core.media import Media
from fakescope.image.loader import load_image
from fakescope.image.metadata import MetadataDetector, find_clues, score_clues


def _png_with_text(tmp_path: Path, photo: np.ndarray, **chunks: str) -> Path:
    info = PngInfo()
    for k, v in chunks.items():
        info.add_text(k, v)
    p = tmp_path / "x.png"
    Image.fromarray(photo).save(p, pnginfo=info)
    return p


def test_stable_diffusion_parameters_chunk(png_with_sd_parameters: Path) -> None:
    [media] = load_image(png_with_sd_parameters)
    ev = MetadataDetector().score(media)
    assert ev.score is not None and ev.score > 0.9 and ev.weight >= 2
    assert "Stable Diffusion" in ev.reason
    json.dumps(ev.to_dict())


def test_comfyui_workflow_chunk(tmp_path: Path, photo: np.ndarray) -> None:
    p = _png_with_text(tmp_path, photo, workflow='{"nodes": [{"type": "KSampler"}]}')
    names = [c.name for c in find_clues(load_image(p)[0].metadata)]
    assert any("ComfyUI" in n for n in names)


def test_iptc_trained_algorithmic_media_in_xmp() -> None:
    meta = {"xmp": "<x:xmpmeta>Iptc4xmpExt:DigitalSourceType=\"http://cv.iptc.org/newscodes/"
                   "digitalsourcetype/trainedAlgorithmicMedia\"</x:xmpmeta>"}  # fmt: skip
    assert score_clues(find_clues(meta))[0] > 0.9


def test_software_tags_name_generators() -> None:
    for software in ("Midjourney v6", "DALL-E 3", "Adobe Firefly", "Google Imagen"):
        clues = find_clues({"exif": {"Software": software}})
        assert clues and clues[0].kind == "generator", software


def test_photoshop_is_editor_evidence(tmp_path: Path, photo: np.ndarray) -> None:
    p = tmp_path / "ps.jpg"
    exif = Image.Exif()
    exif[0x0131] = "Adobe Photoshop 25.0 (Windows)"
    Image.fromarray(photo).save(p, exif=exif)
    ev = MetadataDetector().score(load_image(p)[0])
    assert 0.5 < ev.score < 0.9 and "Photoshop" in ev.reason


def test_camera_exif_is_weak_real_evidence(jpeg_with_camera_exif: Path) -> None:
    ev = MetadataDetector().score(load_image(jpeg_with_camera_exif)[0])
    assert ev.score < 0.5 and ev.weight <= 0.5
    assert "Canon" in ev.reason


def test_nothing_found_is_neutral(tmp_path: Path, photo: np.ndarray) -> None:
    """A PNG without any metadata must not nudge the verdict either way (issue 16 item 11)."""
    p = tmp_path / "plain.png"
    Image.fromarray(photo).save(p)
    ev = MetadataDetector().score(load_image(p)[0])
    assert ev.score == 0.5 and "neutral" in ev.reason


def test_unvalidated_c2pa_claim_is_never_generator_evidence() -> None:
    # Bytes that merely look like a manifest naming an AI tool: the C2PA SDK cannot check them
    # (no such file), so the claim is reported as unvalidated and carries no weight.
    meta = {"c2pa": {"present": True, "where": "JPEG APP11 JUMBF", "claim_generator": "DALL-E"}}
    assert not [c for c in find_clues(meta) if c.kind == "generator"]
    ev = MetadataDetector().score(Media("missing.jpg", "image", None, meta))
    assert ev.weight == 0.0 and "NOT validated" in ev.reason


def test_c2pa_without_ai_is_neutral() -> None:
    from fakescope.image.metadata import Clue

    clue = Clue("c2pa", "Leica M11", "C2PA manifest (Valid)", "valid C2PA manifest from Leica M11")
    score, weight, reason = score_clues([clue])
    assert score == 0.5 and "C2PA" in reason
