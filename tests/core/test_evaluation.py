import json

from fakescope.core.evaluation import evaluate, plot_roc


def test_evaluate_counts_failures_and_abstentions(toy_files, tmp_path):
    real = [str(toy_files["real1"]), str(toy_files["real2"]), str(toy_files["empty"])]
    fake = [str(toy_files["fake1"]), str(toy_files["fake2"])]
    result = evaluate(real, fake, detector="toy-mean")
    assert (result.n_real, result.n_fake, result.n_failed) == (2, 2, 1)
    assert result.roc_auc == 1.0 and result.eer == 0.0
    assert result.failed[0]["path"] == str(toy_files["empty"])
    payload = json.loads(json.dumps(result.to_dict()))
    for key in ("roc_auc", "average_precision", "eer", "n_real", "n_fake", "tpr_at_1pct_fpr"):
        assert key in payload
    png = plot_roc(result, tmp_path / "roc.png")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_evaluate_fused_lists_abstained(toy_files):
    result = evaluate([str(toy_files["real1"])], [str(toy_files["fake1"])], detector="toy-abstain")
    assert result.n_real == 1 and result.n_fake == 1
    short = evaluate([str(toy_files["short"])], [str(toy_files["fake1"])], detector="toy-abstain")
    assert short.n_abstained == 1 and short.roc_auc is None


def test_evaluate_adds_opt_in_detectors_to_the_fused_verdict(toy_files):
    real, fake = [str(toy_files["real1"])], [str(toy_files["fake1"])]
    plain = evaluate(real, fake, scanner=None)
    with_extra = evaluate(real, fake, extra=["toy-inverted"])
    plain_scores = [s["score"] for s in plain.to_dict(include_samples=True)["samples"]]
    extra_scores = [s["score"] for s in with_extra.to_dict(include_samples=True)["samples"]]
    assert plain_scores != extra_scores  # the opt-in detector voted


def test_accuracy_is_at_the_verdict_threshold_not_one_half(tmp_path):
    real = tmp_path / "r.toy"
    real.write_bytes(b"TOY1 0.6 0.6")  # 0.6: above 0.5, below the 0.7 'likely synthetic' line
    fake = tmp_path / "f.toy"
    fake.write_bytes(b"TOY1 0.9 0.8")
    result = evaluate([str(real)], [str(fake)])
    assert result.threshold == 0.7 and "likely synthetic" in result.threshold_meaning
    assert result.accuracy == 1.0 and result.real_flagged == 0.0 and result.fake_flagged == 1.0
    single = evaluate([str(real)], [str(fake)], detector="toy-mean")
    assert single.threshold == 0.5 and single.accuracy == 0.5 and single.real_flagged == 1.0


def _register_second_toy_modality():
    from fakescope.core.evidence import Evidence
    from fakescope.core.media import Media
    from fakescope.core.registry import register_detector, register_loader

    class Other:
        name, modality = "toy2-last", "toy2"

        def score(self, media):
            return Evidence(self.name, media.data, "last value")

    def load(path):
        return [Media(str(path), "toy2", float(path.read_text().split()[-1]), {})]

    register_loader("toy2", [".toy2"], load)
    register_detector("toy2-last", "toy2", Other)


def test_modalities_are_never_pooled_into_one_roc(toy_files, tmp_path):
    _register_second_toy_modality()
    (tmp_path / "a.toy2").write_text("x 0.9")  # a real toy2 sample scoring HIGHER than its fake
    (tmp_path / "b.toy2").write_text("x 0.8")
    real = [str(toy_files["real1"]), str(tmp_path / "a.toy2")]
    fake = [str(toy_files["fake1"]), str(tmp_path / "b.toy2")]
    result = evaluate(real, fake)
    assert result.roc_auc is None and result.accuracy is None
    assert "never pooled" in result.warnings[0]
    per = {r.modality: r for r in result.per_modality}
    assert set(per) == {"toy", "toy2"}
    assert per["toy"].roc_auc == 1.0 and per["toy2"].roc_auc == 0.0
    payload = json.loads(json.dumps(result.to_dict()))
    assert [r["modality"] for r in payload["per_modality"]] == ["toy", "toy2"]
    png = plot_roc(result, tmp_path / "roc.png")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_several_detectors_each_get_their_own_metrics(toy_files):
    from fakescope.core.evaluation import evaluate_detectors

    real = [str(toy_files["real1"]), str(toy_files["real2"])]
    fake = [str(toy_files["fake1"]), str(toy_files["fake2"])]
    results = evaluate_detectors(real, fake, "toy-mean,toy-abstain")
    assert [r.detector for r in results] == ["toy-mean", "toy-abstain"]
    assert results[0].roc_auc == 1.0 and results[0].modality == "toy"
