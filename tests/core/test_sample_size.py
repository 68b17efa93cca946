import pytest

from fakescope.core.sample_size import (
    TooLittleData,
    auc_standard_error,
    reliability_note,
    require_samples,
)


def test_require_samples_names_every_short_class():
    require_samples({"a": 5, "b": 5}, 5)
    with pytest.raises(TooLittleData, match="data/: need at least 5 a, got 2; and 5 b, got 0"):
        require_samples({"a": 2, "b": 0}, 5, source="data/")


def test_reliability_note_only_for_small_sets():
    assert reliability_note(50, 60, auc=0.9) is None
    note = reliability_note(3, 3, auc=1.0)
    assert "3 + 3" in note and "lower bound" in note
    assert "0.5" in note  # three texts a side cannot rule out chance


def test_auc_standard_error_shrinks_with_more_data():
    assert auc_standard_error(0.8, 10, 10) > auc_standard_error(0.8, 1000, 1000) > 0
