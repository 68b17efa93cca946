import numpy as np

from fakescope.audio.music_analysis.evaluation import f_measure, match_events, pooled_f, trim


def test_f_measure_counts_one_to_one_matches():
    ref = np.array([1.0, 2.0, 3.0])
    assert f_measure(ref, ref + 0.05, 0.07) == 1.0
    assert f_measure(ref, ref + 0.08, 0.07) == 0.0
    assert match_events(ref, np.array([1.0, 1.01, 1.02]), 0.07) == 1
    assert f_measure(np.zeros(0), np.zeros(0), 0.07) == 1.0
    assert f_measure(ref, np.zeros(0), 0.07) == 0.0


def test_pooled_and_trim():
    pairs = [(np.array([1.0, 2.0]), np.array([1.0])), (np.array([5.0]), np.array([5.0, 6.0]))]
    assert pooled_f(pairs, 0.05) == 2 * 2 / 6
    assert trim(np.array([1.0, 5.0, 7.0])).tolist() == [5.0, 7.0]
