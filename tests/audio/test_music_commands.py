import json

import numpy as np
import soundfile as sf
import torch
from typer.testing import CliRunner

from fakescope.audio.music_analysis.network import MusicCRNN
from fakescope.cli import _mount_plugin_commands, app

runner = CliRunner()
_mount_plugin_commands()


def _weights(tmp_path):
    torch.manual_seed(0)
    path = tmp_path / "music_analysis.pt"
    torch.save(
        {
            "state_dict": MusicCRNN().state_dict(),
            "thresholds": {"kick": 0.5, "snare": 0.5, "hihat": 0.5, "voice": 0.5},
        },
        path,
    )
    return path


def _song(tmp_path, rate=44100, seconds=6.0):
    t = np.arange(int(seconds * rate)) / rate
    x = 0.2 * np.sin(2 * np.pi * 220 * t)
    for b in np.arange(0, seconds, 0.5):
        i = int(b * rate)
        x[i : i + 2000] += np.random.default_rng(int(b * 10)).standard_normal(2000) * 0.5
    path = tmp_path / "song.wav"
    sf.write(path, np.stack([x, x], axis=1).astype(np.float32), rate)
    return path


def test_analyze_music_prints_json_and_draws(tmp_path):
    song, weights = _song(tmp_path), _weights(tmp_path)
    png = tmp_path / "a.png"
    res = runner.invoke(
        app, ["analyze", "music", str(song), "--json", "--weights", str(weights), "--png", str(png)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert set(data) >= {"tempo_bpm", "beats", "downbeats", "drums", "vocal_segments", "onsets"}
    assert set(data["drums"]) == {"kick", "snare", "hihat"}
    assert abs(data["duration_s"] - 6.0) < 0.05
    assert png.read_bytes().startswith(b"\x89PNG")
    text = runner.invoke(app, ["analyze", "music", str(song), "--weights", str(weights)])
    assert text.exit_code == 0 and "beats:" in text.output and "vocals:" in text.output


def test_analyze_music_bad_input_is_named(tmp_path):
    res = runner.invoke(app, ["analyze", "music", str(tmp_path / "nope.mp3")])
    assert res.exit_code == 2 and "no such file" in res.output
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    res = runner.invoke(app, ["analyze", "music", str(bad)])
    assert res.exit_code == 1 and "bad.wav" in res.output


def test_train_music_needs_data_and_refuses_to_overwrite(tmp_path):
    res = runner.invoke(app, ["train", "music", "--out", str(tmp_path)])
    assert res.exit_code != 0 and "--det-data" in res.output
    (tmp_path / "music.npz").write_bytes(b"x")
    res = runner.invoke(
        app, ["train", "music", "--det-data", str(tmp_path), "--out", str(tmp_path)]
    )
    assert res.exit_code != 0 and "overwrite" in res.output
