"""Plugin registration and the whole scan path (loader -> detectors -> fuser) on a tiny model."""

from __future__ import annotations

import json

import pytest

from fakescope.core import registry

from .conftest import CALIBRATED_DETECTORS


@pytest.fixture()
def tiny_everything(tiny_lm, tiny_weights, tmp_path, monkeypatch):
    from fakescope.text import calibration, lm, scoring

    path = tiny_weights.save(tmp_path / "fusion.json")
    monkeypatch.setenv(calibration.WEIGHTS_ENV, str(path))
    monkeypatch.setenv(lm.MODEL_ENV, "tiny-test-lm")
    monkeypatch.setenv(scoring.MAX_TOKENS_ENV, "150")
    calibration.clear_weights_cache()
    scoring.clear_shared_scorers()
    lm.set_shared_model("tiny-test-lm", tiny_lm)
    yield
    calibration.clear_weights_cache()
    scoring.clear_shared_scorers()
    lm.clear_shared_models()


def test_register_is_cheap_and_complete():
    import sys

    from fakescope.text import register

    register()
    names = {s.name: s for s in registry.detector_specs("text")}
    assert CALIBRATED_DETECTORS | {"lm-cross"} <= set(names)
    assert names["lm-tail"].default is True and names["lm-burstiness"].default is False
    assert names["lm-cross"].default is False and names["lm-rank"].default is True
    assert registry.get_fuser("text") is not None
    assert "text" in registry.commands("train") and "text" in registry.commands("generate")
    exts = {e for s in registry.loader_specs() if s.modality == "text" for e in s.extensions}
    assert {".txt", ".md", ".html", ".htm", ".json", ".jsonl"} <= exts
    # Registration must not have pulled in the language-model stack.
    assert "fakescope.text.detectors" not in sys.modules or "torch" in sys.modules


def test_scan_jsonl_end_to_end(tiny_everything, tmp_path, long_text):
    from fakescope.core.pipeline import Scanner

    data = tmp_path / "set.jsonl"
    data.write_text(
        json.dumps({"text": long_text})
        + "\n"
        + json.dumps({"text": "Too short."})
        + "\n"
        + "not json\n"
    )
    reports = list(Scanner().scan([str(data)]))
    assert [r.path for r in reports] == [f"{data}#1", f"{data}#2", f"{data}#3"]
    full, short, broken = reports
    assert full.modality == "text" and 0.0 <= full.score <= 1.0
    assert full.thresholds == (0.3, 0.8)
    assert set(full.detector_scores) == {
        "lm-likelihood",
        "lm-rank",
        "lm-curvature",
        "lm-tail",
    }
    rank = next(e for e in full.evidence if e.detector == "lm-rank")
    assert rank.artefacts[0].kind == "tokens"
    assert rank.details["truncated"] is True  # max tokens 150 from the environment
    assert short.score is None and short.verdict == "too short to judge"
    assert broken.error is not None and "not valid JSON" in broken.error
    json.dumps(full.to_dict())


def test_scan_html_and_binary(tiny_everything, tmp_path, long_text):
    from fakescope.core.pipeline import Scanner

    page = tmp_path / "page.htm"
    page.write_text(f"<html><body><p>{long_text}</p><script>{'x=1;' * 50}</script></body></html>")
    blob = tmp_path / "blob.txt"
    blob.write_bytes(bytes(range(256)) * 8)
    reports = {r.path: r for r in Scanner().scan([str(page), str(blob)])}
    assert reports[str(page)].score is not None
    assert "binary" in reports[str(blob)].error
