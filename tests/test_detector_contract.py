"""The detector contract, checked for every registered detector with fakescope.testing (as
scikit-learn's check_estimator does): one test per (detector, check), the checks chosen by the
abilities each detector declares on itself."""

from __future__ import annotations

import pytest

from fakescope.core.loading import load
from fakescope.core.media import MediaError
from fakescope.core.registry import DetectorUnavailable, create_detector, detector_specs
from fakescope.testing import SAMPLE_MAKERS, detector_checks, sample_file

SPECS = [s for s in detector_specs() if s.modality in SAMPLE_MAKERS]


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract")
    return {modality: sample_file(modality, root) for modality in SAMPLE_MAKERS}


def _detector(name: str):
    try:
        return create_detector(name)
    except DetectorUnavailable as exc:  # an opt-in model that is not installed
        pytest.skip(str(exc))


def _cases():
    for spec in SPECS:
        try:
            detector = spec.factory()
        except DetectorUnavailable:
            yield pytest.param(spec.name, "check_names", id=f"{spec.name}-unavailable")
            continue
        for check_name, _ in detector_checks(detector):
            yield pytest.param(spec.name, check_name, id=f"{spec.name}-{check_name}")


CASES = list(_cases())


@pytest.mark.parametrize("name, check_name", CASES)
def test_detector_contract(name, check_name, samples):
    detector = _detector(name)
    check = dict(detector_checks(detector))[check_name]
    media = load(samples[detector.modality])[0]
    check(detector, media)


def test_every_detector_that_reads_weights_declares_it():
    pairs = [case.values for case in CASES]
    declared = {n for n, check in pairs if check == "check_missing_weights_are_named"}
    assert {"spectrum", "residual-cnn", "lfcc-gmm", "spec-cnn", "music-artifacts"} <= declared
    assert {"anomaly", "lm-rank", "video-frames"} <= declared


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
