from __future__ import annotations

import numpy as np

from fakescope.robustness.engine import Settings, load_labelled, success_rate, summarise
from fakescope.robustness.report import table_rows, to_json


def test_summarise_counts_abstentions_and_handles_one_class():
    s = summarise([0, 0, 1, 1, 1], [0.1, None, 0.8, 0.7, None], 0.5)
    assert (s["n_real"], s["n_fake"], s["n_abstained"]) == (1, 2, 2)
    assert s["roc_auc"] == 1.0 and s["accuracy"] == 1.0
    assert summarise([1, 1], [0.2, 0.9], 0.5)["roc_auc"] is None


def test_success_rate_only_counts_files_judged_correctly_when_clean():
    # file 0 was wrong when clean: not counted; file 1 flipped; file 2 held
    assert success_rate([1, 1, 0], [0.2, 0.9, 0.1], [0.1, 0.3, 0.2], 0.5) == 0.5
    assert success_rate([1], [0.1], [0.9], 0.5) is None


def test_load_labelled_limits_per_class_and_reports_failures(toy_files):
    medias, labels, failed = load_labelled(
        [str(toy_files["real1"]), str(toy_files["real2"]), str(toy_files["empty"])],
        [str(toy_files["fake1"]), str(toy_files["fake2"])],
        limit=None,
        seed=0,
    )
    assert labels == [0, 0, 1, 1] and len(medias) == 4
    assert failed and failed[0]["path"].endswith("empty.toy")
    medias, labels, _ = load_labelled(
        [str(toy_files["real1"]), str(toy_files["real2"])],
        [str(toy_files["fake1"])],
        limit=1,
        seed=0,
    )
    assert labels == [0, 1]


def test_report_rows_and_json_without_pixels():
    result = {
        "target": "residual-cnn",
        "clean": {"roc_auc": 0.9, "tpr_at_1pct_fpr": 0.5, "eer": 0.1, "n_abstained": 0},
        "transforms": [
            {
                "family": "jpeg",
                "strength": 75,
                "unit": "quality",
                "roc_auc": 0.7,
                "tpr_at_1pct_fpr": 0.2,
                "eer": 0.3,
                "n_abstained": 1,
            }
        ],
        "attacks": [
            {
                "attack": "pgd",
                "access": "white-box",
                "budget": "2/255",
                "roc_auc": 0.1,
                "tpr_at_1pct_fpr": 0.0,
                "eer": 0.9,
                "success_rate": 0.95,
                "target_success_rate": 1.0,
                "n_abstained": 0,
            }
        ],
        "fooling": {"items": [{"image": np.zeros((2, 2, 3), np.uint8), "score": 0.99}]},
    }
    rows = table_rows(result)
    assert rows[1][:3] == ["jpeg", "75 quality", "0.700"]
    assert rows[2][5] == "95.0% (residual-cnn: 100.0%)"
    assert '"image"' not in to_json({"results": [result]})
    assert Settings().attacks == ["fgsm", "pgd", "pgd-l2", "square"]
