import numpy as np
import soundfile as sf

from fakescope.audio.content_training import music_files, train_content


def test_content_training_three_classes(tmp_path, sig):
    music = tmp_path / "m.wav"
    t = np.arange(8000 * 12) / 8000
    sf.write(music, (0.3 * np.sin(2 * np.pi * 440 * t) * (1 + np.sin(t))).astype(np.float32), 8000)
    speech = [sig.voice_like(1.0, 8000, seed=i) for i in range(30)]
    mean, scale, coef, intercept, acc = train_content(speech, [music], 0, lambda m: None)
    assert coef.shape == (3, 58) and 0 <= acc <= 1


def test_music_files_lists_audio_in_existing_folders_only(tmp_path):
    for name in ("b.ogg", "a.WAV", "notes.txt", "c.mp3"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.flac").write_bytes(b"")
    found = music_files([tmp_path, tmp_path / "missing"])
    assert [p.name for p in found] == ["a.WAV", "b.ogg", "c.mp3"]  # not recursive


def test_content_training_skips_unreadable_music_and_says_so(tmp_path, sig):
    # a folder of loops often holds clicks of a few milliseconds, which the loader refuses
    music = tmp_path / "m.wav"
    t = np.arange(8000 * 12) / 8000
    sf.write(music, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 8000)
    click = tmp_path / "click.wav"
    sf.write(click, np.ones(100, np.float32) * 0.5, 8000)
    speech = [sig.voice_like(1.0, 8000, seed=i) for i in range(30)]
    logged: list[str] = []
    *_, acc = train_content(speech, [click, music], 0, logged.append)
    assert 0 <= acc <= 1
    assert any("click.wav" in m and "too short" in m for m in logged)
