import json

import numpy as np
import soundfile as sf
import torch

from fakescope.audio.music_analysis import MusicAnalyzer
from fakescope.audio.music_analysis.training import load_corpus, targets, train_analysis


def _song(folder, name, seed):
    rng = np.random.default_rng(seed)
    rate, seconds, period = 16000, 3.0, 0.5
    x = 0.01 * rng.standard_normal(int(rate * seconds))
    beats = np.arange(0.1, seconds, period)
    for b in beats:
        i = int(b * rate)
        x[i : i + 800] += rng.standard_normal(800) * np.exp(-np.arange(800) / 200)
    sf.write(folder / f"{name}.flac", x.astype(np.float32), rate)
    labels = {
        "beats": beats.tolist(),
        "downbeats": beats[::4].tolist(),
        "kick": beats.tolist(),
        "snare": [],
        "hihat": [],
        "vocal_frames": list(range(50, 120)),
    }
    (folder / f"{name}.json").write_text(json.dumps(labels))


def test_targets_mark_events_and_neighbours():
    y = targets(
        {
            "beats": [0.1],
            "downbeats": [],
            "kick": [],
            "snare": [],
            "hihat": [],
            "vocal_frames": [3, 4],
        },
        20,
    )
    assert y[10, 0] == 1.0 and y[9, 0] == y[11, 0] == 0.5 and y[12, 0] == 0.0
    assert y[3, 5] == y[4, 5] == 1.0 and y[5, 5] == 0.0


def test_train_two_epochs_writes_weights_the_analyzer_reads(tmp_path):
    torch.manual_seed(0)
    for i in range(12):
        _song(tmp_path, f"train_{i:04d}", i)
    out = tmp_path / "music_analysis.pt"
    info = train_analysis(tmp_path, out, epochs=2, seed=0, log=lambda m: None)
    assert info["n_train"] + info["n_val"] == 12
    assert set(info["thresholds"]) == {"kick", "snare", "hihat", "voice"}
    assert len(load_corpus(tmp_path, "train", lambda m: None)) == 12  # cached mel now
    res = MusicAnalyzer(out).analyze(np.zeros(16000, np.float32), 16000)
    assert res.duration_s == 1.0
