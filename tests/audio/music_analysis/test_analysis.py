import numpy as np
import pytest
import torch

from fakescope.audio.music_analysis import MusicAnalyzer
from fakescope.audio.music_analysis.analysis import MusicAnalysis
from fakescope.audio.music_analysis.cues import CUE_NAMES, grid_deviation_ms, rhythm_cues
from fakescope.audio.music_analysis.network import MusicCRNN
from fakescope.audio.music_analysis.plot import analysis_png


@pytest.fixture
def analyzer(tmp_path):
    torch.manual_seed(0)
    path = tmp_path / "w.pt"
    torch.save({"state_dict": MusicCRNN().state_dict(), "thresholds": {"voice": 0.5}}, path)
    return MusicAnalyzer(path)


def test_analysis_of_stereo_44k_has_every_field(analyzer):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((44100 * 4, 2)).astype(np.float32) * 0.1
    res = analyzer.analyze(x, 44100)
    assert abs(res.duration_s - 4.0) < 0.01
    assert res.activations.shape == (400, 6)
    assert set(res.drums) == {"kick", "snare", "hihat"}
    d = res.to_dict()
    assert d["beats"] == sorted(d["beats"]) and all(0 <= t <= 4 for t in d["beats"])
    assert set(res.downbeats) <= set(res.beats)
    assert analysis_png(x[:, 0][::2], res).startswith(b"\x89PNG")


def test_missing_weights_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.pt"):
        MusicAnalyzer(tmp_path / "nope.pt")


def test_cues_measure_grid_deviation_and_regularity():
    beats = np.arange(0, 8, 0.5)
    exact = MusicAnalysis(8.0, 120.0, 4, beats, beats[::4], beats, {"kick": beats}, [(1.0, 3.0)])
    late = MusicAnalysis(8.0, 120.0, 4, beats, beats[::4], beats, {"kick": beats + 0.02}, [])
    a, b = rhythm_cues(exact), rhythm_cues(late)
    names = list(CUE_NAMES)
    assert a[names.index("drum_grid_dev_ms")] == 0.0
    assert abs(b[names.index("drum_grid_dev_ms")] - 20.0) < 1e-6
    assert a[names.index("ibi_cv")] == 0.0 and a[names.index("vocal_share")] == 0.25
    assert np.isnan(grid_deviation_ms(np.array([1.0]), np.array([0.5])))
