import numpy as np

from fakescope.audio.speech_protocol import (
    Calibration,
    balance_weights,
    calibrate,
    grouped_splits,
    inner_split,
    lorso_splits,
    loso_splits,
    real_folds,
    run_splits,
    source_weighted_quantile,
    summarise,
)


def test_folds_and_splits_cover_everything_once():
    folds = real_folds({"a": 50, "b": 40, "c": 30, "d": 5, "e": 3}, 3)
    assert sorted(s for f in folds for s in f) == ["a", "b", "c", "d", "e"]
    loso = loso_splits(["x", "y"], folds)
    assert len(loso) == 6 and {s.families for s in loso} == {frozenset("x"), frozenset("y")}
    grouped = grouped_splits(["f1", "f2", "f3", "f4"], folds)
    assert sorted(f for s in grouped for f in s.families) == ["f1", "f2", "f3", "f4"]
    assert [s.sources for s in lorso_splits(["b", "a"])] == [frozenset("a"), frozenset("b")]


def test_balance_weights_even_out_classes_and_narrow_band():
    labels = np.r_[np.zeros(80), np.ones(20)]
    groups = np.r_[["fsdd"] * 60, ["vctk"] * 20, ["hifigan"] * 20]
    narrow = np.r_[np.ones(60), np.zeros(20), np.zeros(15), np.ones(5)].astype(bool)
    w = balance_weights(labels, groups, narrow)
    assert np.isclose(w[labels == 0].sum(), w[labels == 1].sum())
    for c in (0, 1):
        m = labels == c
        assert np.isclose(w[m & narrow].sum() / w[m].sum(), 0.3)


def test_source_weighted_quantile_and_calibration_threshold():
    rng = np.random.default_rng(0)
    raw = np.r_[rng.normal(-2, 1, 300), rng.normal(2, 1, 300)]
    labels = np.r_[np.zeros(300), np.ones(300)].astype(int)
    groups = np.r_[["big"] * 290, ["small"] * 10, ["fam"] * 300]
    raw[290:300] += 3.0  # a small real source that looks synthetic
    cal = calibrate(raw, labels, groups, rule="pooled-q99")
    assert cal.a > 0 and 0.5 <= cal.threshold <= 0.98
    p = 1 / (1 + np.exp(-cal.logits(raw)))
    # the small source counts as much as the big one: most of it stays under the threshold
    assert (p[290:300] >= cal.threshold).mean() <= 0.5
    q_equal = source_weighted_quantile(raw[:300], groups[:300], 0.9)
    assert q_equal > np.quantile(raw[:300], 0.9)


def test_run_splits_scores_only_held_out_test_copies():
    labels = np.array([0, 0, 1, 1, 0, 1])
    groups = np.array(["a", "b", "f", "g", "a", "f"])
    is_test = np.array([True, True, True, True, False, True])
    seen = []

    def fit_score(train, cal, test):
        seen.append((set(train) | set(cal), set(test)))
        return np.zeros(len(test)), Calibration(1.0, 0.0, 0.7)

    out = run_splits(loso_splits(["f"], [["a"]]), labels, groups, is_test, fit_score, lambda m: 0)
    trained, tested = seen[0]
    assert tested == {0, 2, 5} and trained == {1, 3}
    assert out[0].threshold == 0.7 and len(out[0].logits) == 3
    assert inner_split(np.array(["a", "b"])).dtype == bool


def test_summarise_reports_flagged_shares():
    y = np.array([0, 0, 0, 0, 1, 1])
    z = np.array([-3.0, -2.0, -1.0, 2.0, 1.0, 3.0])
    s = summarise(y, z, 0.7)
    assert s["real_flagged"] == 0.25 and s["fake_flagged"] == 1.0 and 0 <= s["eer"] <= 0.5


def test_source_threshold_protects_every_calibration_source():
    from fakescope.audio.speech_protocol import FLAG_MARGIN, source_threshold

    rng = np.random.default_rng(0)
    raw = np.r_[rng.normal(-3, 1, 200), rng.normal(0, 1, 40), rng.normal(3, 1, 300)]
    labels = np.r_[np.zeros(240), np.ones(300)].astype(int)
    groups = np.r_[["quiet"] * 200, ["odd"] * 40, ["fam"] * 300]
    cal = calibrate(raw, labels, groups)
    z = cal.logits(raw)
    # the "odd" source, the one nearest the fakes, is at most 5 % flagged, with a margin
    assert (z[200:240] >= np.log(cal.threshold / (1 - cal.threshold))).mean() <= 0.05
    t = source_threshold(z[:240], groups[:240])
    assert np.isclose(t, np.quantile(z[200:240], 0.95) + FLAG_MARGIN)
    assert source_threshold(z[:5], groups[:5]) is None  # too few clips: pooled rule instead
    assert cal.info["rule"] == "source-q95"


def test_copies_are_held_out_with_their_origin_and_never_scored():
    from fakescope.audio.speech_protocol import Split, held_out

    labels = np.array([0, 0, 1, 1, 1, 1])
    groups = np.array(["a", "b", "copy-griffin-lim", "copy-world", "f", "world"])
    origins = np.array(["", "", "a", "b", "", ""], dtype=object)
    held = held_out(Split("s", frozenset(["world"]), frozenset(["a"])), labels, groups, origins)
    # source a with its copy; world with the WORLD copies (of any origin)
    assert held.tolist() == [True, False, True, True, False, True]
    is_test = np.ones(6, bool)
    seen = []

    def fit_score(train, cal, test):
        seen.append((set(train) | set(cal), set(test)))
        return np.zeros(len(test)), Calibration(1.0, 0.0, 0.7)

    run_splits(
        loso_splits(["world"], [["a"]]), labels, groups, is_test, fit_score, lambda m: 0, origins
    )
    trained, tested = seen[0]
    assert tested == {0, 5} and trained == {1, 4}
