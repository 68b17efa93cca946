from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("c2pa")

from fakescope.image.loader import load_image  # noqa: E402
from fakescope.image.metadata import MetadataDetector  # noqa: E402
from fakescope.provenance.c2pa_io import sign, verify  # noqa: E402
from fakescope.provenance.certs import make_test_credentials  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts" / "provenance"))
from c2pa_demo import tamper_png  # noqa: E402


@pytest.fixture(scope="module")
def signed(tmp_path_factory, photo) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("c2pa")
    creds = make_test_credentials(d / "creds")
    Image.fromarray(photo).save(d / "in.png")
    sign(
        d / "in.png",
        d / "signed.png",
        creds.key,
        creds.chain,
        "trainedAlgorithmicMedia",
        parameters={"seed": 1},
    )
    return d / "signed.png", creds.trust_anchor


def test_signed_file_verifies_and_is_trusted_with_the_anchor(signed):
    path, root = signed
    plain = verify(path)
    assert plain.ok and plain.state == "Valid" and plain.ai_generated
    assert any(f["code"] == "signingCredential.untrusted" for f in plain.failures)
    trusted = verify(path, trust_anchors=[root])
    assert trusted.state == "Trusted" and not trusted.failures
    assert "fakescope" in trusted.claim_generator
    assert trusted.actions[0]["action"] == "c2pa.created"


def test_tampered_copy_fails_with_a_clear_reason(signed, tmp_path: Path):
    path, root = signed
    tamper_png(path, tmp_path / "tampered.png")
    status = verify(tmp_path / "tampered.png", trust_anchors=[root])
    assert status.present and status.state == "Invalid" and not status.ok
    assert status.failures[0]["code"] == "assertion.dataHash.mismatch"
    assert "changed after it was signed" in status.summary()


def test_metadata_detector_reports_validated_and_failed_manifests(signed, tmp_path: Path):
    path, _ = signed
    ev = MetadataDetector().score(load_image(path)[0])
    assert ev.score > 0.9 and "C2PA (validated)" in ev.reason
    assert ev.details["c2pa"]["state"] == "Valid"
    tamper_png(path, tmp_path / "t.png")
    ev = MetadataDetector().score(load_image(tmp_path / "t.png")[0])
    assert "FAILS validation" in ev.reason and ev.details["c2pa"]["state"] == "Invalid"


def test_resigning_keeps_the_history_as_an_ingredient(signed, tmp_path: Path):
    path, root = signed
    creds = make_test_credentials(tmp_path / "c2")
    sign(path, tmp_path / "again.png", creds.key, creds.chain, "trainedAlgorithmicMedia")
    status = verify(tmp_path / "again.png")
    assert status.ok and status.ingredients and status.ingredients[0]["relationship"] == "parentOf"
    assert status.actions[0]["action"] == "c2pa.opened"


def test_file_without_manifest(tmp_path: Path):
    Image.fromarray(np.zeros((16, 16, 3), np.uint8)).save(tmp_path / "x.png")
    status = verify(tmp_path / "x.png")
    assert not status.present and status.summary() == "no C2PA manifest"
