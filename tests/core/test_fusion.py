import json

import pytest

from fakescope.core.evidence import Evidence
from fakescope.core.fusion import (
    LogisticFuser,
    LogitMeanFuser,
    Report,
    logit,
    sigmoid,
    verdict_for,
)


def test_logit_sigmoid_round_trip():
    for p in (0.01, 0.3, 0.5, 0.99):
        assert sigmoid(logit(p)) == pytest.approx(p)


def test_logit_mean_weights_and_abstentions():
    fuser = LogitMeanFuser()
    ev = [Evidence("a", 0.9, ""), Evidence("b", 0.1, "", weight=0.0), Evidence("c", None, "")]
    assert fuser.fuse(ev) == pytest.approx(0.9)
    assert fuser.fuse([Evidence("c", None, "too short")]) is None


def test_verdict_thresholds():
    assert verdict_for(0.1) == "likely real"
    assert verdict_for(0.5) == "uncertain"
    assert verdict_for(0.95) == "likely synthetic"
    assert verdict_for(0.6, (0.2, 0.55)) == "likely synthetic"


def test_logistic_fuser_fit_separates_and_round_trips(tmp_path):
    scores = {"a": [0.1, 0.2, 0.3, 0.7, 0.8, 0.9], "b": [0.5] * 6}
    labels = [0, 0, 0, 1, 1, 1]
    fuser = LogisticFuser.fit(scores, labels, target_fpr=0.0)
    low = fuser.fuse([Evidence("a", 0.1, ""), Evidence("b", 0.5, "")])
    high = fuser.fuse([Evidence("a", 0.9, ""), Evidence("b", 0.5, "")])
    assert low < 0.5 < high
    assert 0.5 <= fuser.thresholds[1] <= 0.99
    fuser.save(tmp_path / "f.json")
    again = LogisticFuser.load(tmp_path / "f.json")
    assert again.fuse([Evidence("a", 0.9, "")]) == pytest.approx(
        fuser.fuse([Evidence("a", 0.9, "")])
    )
    json.loads((tmp_path / "f.json").read_text())


def test_logistic_fuser_ignores_unknown_detectors_by_default():
    fuser = LogisticFuser(coef={"a": 2.0}, intercept=0.0)
    assert fuser.fuse([Evidence("a", 0.5, ""), Evidence("new", 0.99, "")]) == pytest.approx(0.5)
    assert fuser.fuse([Evidence("new", 0.8, "")]) == pytest.approx(0.8)


def test_report_from_evidence_and_abstain_reason():
    r = Report.from_evidence(
        "x", "toy", [Evidence("a", None, "too short to judge")], LogitMeanFuser()
    )
    assert r.score is None and r.verdict == "too short to judge"
    d = Report.from_evidence("y", "toy", [Evidence("a", 0.95, "peaks")], LogitMeanFuser()).to_dict()
    assert (
        d["verdict"] == "likely synthetic" and d["detectors"] == {"a": 0.95} and d["error"] is None
    )


def test_failed_report():
    r = Report.failed("z.png", "the file is empty")
    assert r.to_dict()["error"] == "the file is empty" and r.verdict == "error"


def test_report_states_which_scores_the_verdict_did_not_count():
    from fakescope.core.evidence import Evidence
    from fakescope.core.fusion import LogisticFuser, Report

    fuser = LogisticFuser(coef={"a": 1.5})
    evidence = [
        Evidence("a", 0.8, "seen"),
        Evidence("new", 0.99, "opt-in"),
        Evidence("x", None, ""),
    ]
    report = Report.from_evidence("f.png", "image", evidence, fuser)
    assert set(report.not_counted) == {"new"}
    assert "not fitted with new" in report.not_counted["new"]
    rows = {e["detector"]: e for e in report.to_dict()["evidence"]}
    assert rows["new"]["weight"] == 0.0 and rows["new"]["counted"] is False  # was 1.0
    assert rows["a"]["weight"] == 1.5 and rows["a"]["counted"] is True
    assert rows["x"]["counted"] is False and "not_counted" not in rows["x"]  # it abstained
    assert report.to_dict()["not_counted"] == report.not_counted


def test_an_opaque_fuser_is_probed():
    from fakescope.core.evidence import Evidence
    from fakescope.core.fusion import LogisticFuser, Report

    inner = LogisticFuser(coef={"a": 1.0, "b": 0.5})

    class Opaque:  # no fusion_weights / fitted_detectors: the core nudges each score
        thresholds = (0.3, 0.7)

        def fuse(self, ev):
            return inner.fuse(ev)

    ev = [Evidence("a", 0.7, ""), Evidence("b", 0.2, ""), Evidence("c", 0.9, "")]
    report = Report.from_evidence("f", "toy", ev, Opaque())
    assert set(report.not_counted) == {"c"}
    assert report.fusion_weights["a"] == pytest.approx(1.0)
    assert report.fusion_weights["b"] == pytest.approx(0.5)


def test_logit_mean_counts_everything():
    from fakescope.core.evidence import Evidence
    from fakescope.core.fusion import LogitMeanFuser, Report

    ev = [Evidence("a", 0.7, ""), Evidence("b", 0.2, "", weight=3.0)]
    report = Report.from_evidence("f", "toy", ev, LogitMeanFuser())
    assert report.not_counted == {} and report.fusion_weights == {"a": 0.25, "b": 0.75}
