"""The detector contract, checked for every registered detector (as check_estimator does).

For each detector: scores are in [0, 1] or an explicit abstention, the same input gives the same
result twice, evidence serialises to JSON, and the detector names itself and its modality.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from fakescope.core.evidence import Evidence
from fakescope.core.loading import load
from fakescope.core.media import MediaError
from fakescope.core.registry import DetectorUnavailable, create_detector, detector_specs

SAMPLE_TEXT = (
    "The committee met on Tuesday to review the budget for the new library wing. Several members "
    "argued that the roof repairs should come first, because last winter's storms had damaged the "
    "reading room. After a long discussion, they agreed to split the money between both projects "
    "and to ask the council for a small additional grant next spring."
)


def _image(path: Path) -> Path:
    from PIL import Image

    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:96, 0:128]
    base = np.stack([x * 2, y * 2, (x + y)], axis=-1) % 256
    noisy = np.clip(base + rng.normal(0, 6, base.shape), 0, 255).astype(np.uint8)
    out = path / "sample.png"
    Image.fromarray(noisy).save(out)
    return out


def _audio(path: Path) -> Path:
    import soundfile as sf

    sr = 16000
    t = np.arange(int(sr * 1.5)) / sr
    f0 = 140 + 30 * np.sin(2 * np.pi * 3 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 12)) * (
        0.5 + 0.5 * np.sin(2 * np.pi * 4 * t)
    )
    noise = np.random.default_rng(2).normal(0, 0.01, len(t))
    out = path / "sample.wav"
    sf.write(out, (0.2 * voice + noise).astype(np.float32), sr)
    return out


def _text(path: Path) -> Path:
    out = path / "sample.txt"
    out.write_text(SAMPLE_TEXT)
    return out


def _video(path: Path) -> Path:
    import av

    out = path / "sample.mp4"
    with av.open(str(out), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        for i in range(15):
            frame = np.zeros((120, 160, 3), np.uint8)
            frame[20:100, 10 + i * 4 : 60 + i * 4] = (200, 150, 120)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out


MAKERS = {"image": _image, "audio": _audio, "text": _text, "video": _video}
SPECS = [s for s in detector_specs() if s.modality in MAKERS]


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract")
    return {modality: make(root) for modality, make in MAKERS.items()}


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_detector_contract(spec, samples):
    try:
        detector = create_detector(spec.name)
    except DetectorUnavailable as exc:  # an opt-in model that is not installed
        pytest.skip(str(exc))
    assert detector.name == spec.name
    assert detector.modality == spec.modality
    media = load(samples[spec.modality])[0]
    first = detector.score(media)
    second = detector.score(media)
    assert isinstance(first, Evidence) and first.detector == spec.name
    assert first.reason.strip(), "evidence must say why"
    if first.score is None:
        assert second.score is None
    else:
        assert 0.0 <= first.score <= 1.0 and math.isfinite(first.score)
        assert second.score == pytest.approx(first.score, abs=1e-6), "same input, same score"
    json.dumps(first.to_dict(include_png=True))
    for artefact in first.artefacts:
        if artefact.png is not None:
            assert artefact.png[:4] == b"\x89PNG"


@pytest.mark.parametrize("modality", sorted({s.modality for s in SPECS}))
def test_modality_loader_rejects_corrupt_input_clearly(modality, samples, tmp_path):
    good = samples[modality]
    broken = tmp_path / f"broken{good.suffix}"
    if modality == "text":
        broken.write_bytes(b"\x00\xff\xfe\x00" * 64)
    else:
        broken.write_bytes(good.read_bytes()[:40])
    with pytest.raises(MediaError) as info:
        media = load(broken)
        for spec in detector_specs(modality):
            if spec.default:
                create_detector(spec.name).score(media[0])
        raise MediaError(str(broken), "loaded without complaint")
    assert str(broken) in str(info.value)
    assert "loaded without complaint" not in str(info.value)


def test_every_modality_has_detectors():
    modalities = {s.modality for s in detector_specs()}
    assert modalities >= {"image", "audio", "text", "video"}, modalities
