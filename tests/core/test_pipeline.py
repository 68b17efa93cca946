import pytest

from fakescope.core.pipeline import Scanner


def test_scan_runs_all_default_detectors_and_keeps_order(toy_files):
    scanner = Scanner()
    reports = list(scanner.scan([str(toy_files["real1"]), str(toy_files["fake1"])]))
    assert [r.path for r in reports] == [str(toy_files["real1"]), str(toy_files["fake1"])]
    assert set(reports[0].detector_scores) >= {"toy-mean", "toy-abstain"}
    assert reports[0].score < reports[1].score


def test_batch_goes_on_after_bad_files(toy_files, tmp_path):
    inputs = [
        str(toy_files["empty"]),
        str(toy_files["fake2"]),
        str(tmp_path / "gone.toy"),
        str(toy_files["broken"]),
    ]
    reports = list(Scanner(batch_size=2).scan(inputs))
    errors = {r.path: r.error for r in reports}
    assert errors[str(toy_files["empty"])] == "the file is empty"
    assert errors[str(toy_files["fake2"])] is None
    assert errors[str(tmp_path / "gone.toy")] == "no such file or folder"
    assert "not a toy file" in errors[str(toy_files["broken"])]


def test_named_detectors_only(toy_files):
    reports = list(Scanner(detectors=["toy-abstain"]).scan([str(toy_files["short"])]))
    assert list(reports[0].detector_scores) == ["toy-abstain"]
    assert reports[0].verdict == "too short to judge" and reports[0].score is None


def test_unknown_detector_fails_early():
    with pytest.raises(KeyError):
        Scanner(detectors=["does-not-exist"])


def test_progress_callback_counts_every_input(toy_files):
    seen = []
    list(
        Scanner(batch_size=2).scan(
            [str(p) for p in toy_files.values()], progress=lambda d, t, _p: seen.append((d, t))
        )
    )
    assert seen[-1] == (len(toy_files), len(toy_files))


def test_same_result_twice(toy_files):
    a = [r.score for r in Scanner().scan([str(toy_files["fake1"])])]
    b = [r.score for r in Scanner().scan([str(toy_files["fake1"])])]
    assert a == b


def test_extra_detectors_add_to_the_defaults(toy_files):
    from fakescope.core.evidence import Evidence
    from fakescope.core.registry import register_detector

    class ToyOptIn:
        name, modality = "toy-opt-in", "toy"

        def score(self, media):
            return Evidence(self.name, 0.5, "opt-in")

    register_detector("toy-opt-in", "toy", ToyOptIn, default=False)
    plain = next(Scanner().scan([str(toy_files["fake1"])]))
    assert "toy-opt-in" not in plain.detector_scores
    more = next(Scanner(extra=["toy-opt-in"]).scan([str(toy_files["fake1"])]))
    assert {"toy-mean", "toy-abstain", "toy-opt-in"} <= set(more.detector_scores)


def test_detector_that_cannot_start_fails_files_clearly_and_is_not_retried(toy_files):
    from fakescope.core.registry import register_detector

    calls = []

    def broken_factory():
        calls.append(1)
        raise RuntimeError("weights missing")

    register_detector("toy-broken", "toy", broken_factory, default=False)
    scanner = Scanner(detectors=["toy-broken"], batch_size=1)
    reports = list(scanner.scan([str(toy_files["real1"]), str(toy_files["fake1"])]))
    assert all("toy-broken could not start: weights missing" in r.error for r in reports)
    assert len(calls) == 1


def test_a_detector_of_another_modality_is_named_as_such(toy_files):
    from fakescope.core.registry import register_detector

    register_detector("text-only-demo", "text-demo", lambda: None, default=False)
    [report] = Scanner(detectors=["text-only-demo"]).scan([str(toy_files["real1"])])
    assert report.error is not None
    assert "text-only-demo is a text-demo detector" in report.error
    assert "this is a toy" in report.error and "toy-mean" in report.error


def test_detectors_named_by_comma_list_or_repeated(toy_files):
    a = Scanner(detectors=["toy-mean,toy-abstain"]).detector_names_for("toy")
    b = Scanner(detectors=["toy-mean", "toy-abstain", "toy-mean"]).detector_names_for("toy")
    assert a == b == ["toy-mean", "toy-abstain"]
    assert Scanner(extra=["toy-inverted"]).detector_names_for("toy")[-1] == "toy-inverted"
