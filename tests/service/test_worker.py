from functools import partial

import numpy as np

from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.fusion import LogitMeanFuser, Report
from fakescope.core.plotting import array_to_png
from fakescope.service.outcome import FILE_TOKEN, Outcome
from fakescope.service.worker import mark_memory_trouble, outcome_from_reports


def test_pictures_are_drawn_leave_the_records_and_are_keyed_by_content():
    grey = np.zeros((3, 5, 3), np.uint8)
    png = array_to_png(grey)
    staged = "/srv/uploads/abc/0001.jsonl"
    draw = partial(array_to_png, grey)  # the detector hands over data; the service draws
    reports = [
        Report.from_evidence(
            f"{staged}#{i}",
            "text",
            [Evidence("x", 0.4, f"read {staged}", [Artefact("image", "map", render=draw)])],
            LogitMeanFuser(),
        )
        for i in (1, 2)
    ]
    reports.append(Report.failed(f"{staged}#3", f"cannot identify image file '{staged}'"))
    outcome = outcome_from_reports(reports, staged)
    assert [r["path"] for r in outcome.records] == ["#1", "#2", "#3"]
    assert len(outcome.pictures) == 1  # the same picture twice is stored once
    ((digest, (stored, width, height)),) = outcome.pictures.items()
    assert stored == png and (width, height) == (5, 3)
    art = outcome.records[0]["evidence"][0]["artefacts"][0]
    assert art == {"kind": "image", "title": "map", "png_sha256": digest, "width": 5, "height": 3}
    assert staged not in str(outcome.records)  # the server's folder never leaks
    assert outcome.records[2]["error"] == f"cannot identify image file '{FILE_TOKEN}'"


def test_memory_trouble_is_named_and_not_cached():
    record = {
        "verdict": "detector failed on this input: Unable to allocate 3 GiB",
        "score": None,
        "error": None,
        "evidence": [{"reason": "detector failed on this input: Unable to allocate 3 GiB"}],
    }
    outcome = Outcome([record], {})
    assert mark_memory_trouble(outcome, 512)
    assert outcome.cacheable is False
    assert record["verdict"].endswith("(over the 512 MB memory limit per analysis process)")
    assert not mark_memory_trouble(Outcome([{"verdict": "likely real", "evidence": []}], {}), 1)
