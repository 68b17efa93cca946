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
