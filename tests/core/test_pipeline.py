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


def test_progress_knows_the_total_before_the_first_report(toy_files):
    calls = []
    reports = Scanner().scan(
        [str(toy_files["real1"]), str(toy_files["fake1"])],
        progress=lambda d, t, _p: calls.append((d, t)),
    )
    next(reports)
    assert calls[0] == (0, 2)  # counted first: the bar never sits at "0/?"
    list(reports)
    assert calls[-1] == (2, 2)


def _slow_toy_loader(tmp_path, monkeypatch, delay):
    import time

    from fakescope.core.media import Media
    from fakescope.core.registry import register_loader

    loaded = []

    def load_slowly(path):
        time.sleep(delay)
        loaded.append(path)
        return [Media(str(path), "toy", [0.5, 0.5])]

    register_loader("toy", [".slowtoy"], load_slowly)
    return loaded


def test_results_stream_out_before_a_whole_batch_is_loaded(tmp_path, monkeypatch):
    loaded = _slow_toy_loader(tmp_path, monkeypatch, delay=0.05)
    paths = []
    for i in range(20):
        p = tmp_path / f"f{i:02d}.slowtoy"
        p.write_bytes(b"not sniffed")
        paths.append(str(p))
    reports = Scanner(batch_size=16).scan(paths)
    first = next(reports)
    # Before: nothing came out until all 16 files of the first batch were loaded and scored.
    assert first.path == paths[0] and len(loaded) < 16
    assert [r.path for r in reports] == paths[1:]


def _register_toy(name, score_fn, *, judges_content=True):
    from fakescope.core.evidence import Evidence
    from fakescope.core.registry import register_detector

    class Toy:
        modality = "toy"

        def score(self, media):
            return Evidence(name, score_fn(media), f"{name} looked")

    Toy.name = name
    register_detector(name, "toy", Toy, default=False, judges_content=judges_content)


def test_a_detector_that_hangs_fails_only_its_file(toy_files):
    import time

    def hang_on_fake(media):
        if media.data[0] > 0.85:  # fake1 only
            while True:
                time.sleep(0.01)
        return 0.2

    _register_toy("toy-hang", hang_on_fake)
    scanner = Scanner(detectors=["toy-hang"], timeout=1.0)
    start = time.monotonic()
    reports = list(scanner.scan([str(toy_files[k]) for k in ("real1", "fake1", "real2")]))
    assert time.monotonic() - start < 20
    by_name = {r.path.rsplit("/", 1)[-1]: r for r in reports}
    assert "took longer than 1 s" in by_name["fake1.toy"].error
    assert by_name["real1.toy"].error is None and by_name["real2.toy"].error is None


def test_a_loader_that_hangs_fails_only_its_file(tmp_path, toy_files):
    import time

    from fakescope.core.media import Media
    from fakescope.core.registry import register_loader

    def load_forever(path):
        while True:
            time.sleep(0.01)
        return [Media(str(path), "toy", [0.5])]

    register_loader("toy", [".hangtoy"], load_forever)
    stuck = tmp_path / "stuck.hangtoy"
    stuck.write_bytes(b"anything")
    reports = list(Scanner(timeout=1.0).scan([str(stuck), str(toy_files["real1"])]))
    assert "reading it took longer than 1 s" in reports[0].error
    assert reports[1].error is None


def test_metadata_alone_never_makes_the_verdict(toy_files):
    # An 8x8 picture: the content detectors abstain ("too small to judge") and only metadata
    # votes. Before, that lone metadata score decided ("likely synthetic").
    _register_toy("toy-meta", lambda m: 0.95, judges_content=False)
    [report] = Scanner(detectors=["toy-abstain", "toy-meta"]).scan_one(str(toy_files["short"]))
    assert report.score is None and report.verdict == "too short to judge"
    assert report.detector_scores["toy-meta"] == 0.95  # still shown as evidence
    assert report.error is None
    # With a content vote, metadata counts as before.
    [voted] = Scanner(detectors=["toy-abstain", "toy-meta"]).scan_one(str(toy_files["fake1"]))
    assert voted.score is not None


def test_media_a_loader_marks_as_unjudgeable_skip_content_detectors():
    from fakescope.core.media import Media

    _register_toy("toy-meta2", lambda m: 0.9, judges_content=False)
    flat = Media("flat", "toy", [1.0, 1.0], abstain="flat image: nothing to judge")
    [report] = Scanner(detectors=["toy-mean", "toy-meta2"]).scan_one(flat)
    assert report.verdict == "flat image: nothing to judge" and report.score is None
    assert "toy-mean" not in report.detector_scores and "toy-meta2" in report.detector_scores


def test_stopping_early_stops_the_loader(toy_files, tmp_path):
    paths = []
    for i in range(200):
        p = tmp_path / f"many{i}.toy"
        p.write_bytes(b"TOY1 0.4 0.5")
        paths.append(str(p))
    reports = Scanner(batch_size=2).scan(paths)
    next(reports)
    reports.close()  # returns although 199 inputs are left
