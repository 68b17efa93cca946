import json
import math

import numpy as np
import pytest

from fakescope.core.evidence import Artefact, Evidence, to_jsonable


def test_score_is_clipped_to_unit_interval():
    assert Evidence("d", 1.7, "").score == 1.0
    assert Evidence("d", -0.2, "").score == 0.0


def test_non_finite_score_is_rejected():
    with pytest.raises(ValueError, match="non-finite"):
        Evidence("d", math.nan, "")


def test_abstain():
    ev = Evidence("d", None, "too short to judge")
    assert ev.abstained and ev.to_dict()["score"] is None


def test_evidence_with_numpy_details_serialises_to_json():
    ev = Evidence(
        "d",
        np.float32(0.25),
        "r",
        artefacts=[Artefact("image", "heat map", png=b"\x89PNG...", data=np.arange(3))],
        details={"spectrum": np.linspace(0, 1, 4), "n": np.int64(3), "bad": float("inf")},
    )
    payload = json.loads(json.dumps(ev.to_dict(include_png=True)))
    assert payload["details"]["spectrum"] == [0.0, 1 / 3, 2 / 3, 1.0]
    assert payload["details"]["bad"] is None
    assert payload["artefacts"][0]["png_base64"].startswith("iVBOR")
    assert "png_base64" not in ev.to_dict()["artefacts"][0]


def test_to_jsonable_handles_nested_containers():
    assert to_jsonable({"a": (1, {2}), 3: b"x"}) == {"a": [1, [2]], "3": "x"}
