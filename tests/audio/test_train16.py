import json

import numpy as np
import pytest
import soundfile as sf

from fakescope.audio.speech_data import SpeechItem


def test_train_all16_refuses_one_class_and_missing_music(tmp_path):
    from fakescope.audio.train16 import train_all16

    real = SpeechItem(tmp_path / "r.wav", 0, "src", "spk", 16000)
    with pytest.raises(ValueError, match="classes"):
        train_all16(tmp_path / "w", [real], None, [tmp_path])
    fake = SpeechItem(tmp_path / "f.wav", 1, "fam", "sys", 16000)
    with pytest.raises(FileNotFoundError, match="music"):
        train_all16(tmp_path / "w", [real, fake], None, [tmp_path / "nothing"])
    assert not (tmp_path / "w").exists()


@pytest.mark.slow
def test_train_all16_writes_a_complete_weights_folder(tmp_path, sig, monkeypatch):
    from fakescope.audio import whisper_encoder as we
    from fakescope.audio.fusion import AudioFuser
    from fakescope.audio.train16 import train_all16

    def missing(source=None):
        raise we.WhisperUnavailable("no Whisper encoder is installed")

    monkeypatch.setattr(we, "load_encoder", missing)
    rng = np.random.default_rng(0)
    items = []
    for g in range(4):
        for k in range(3):
            real = tmp_path / f"r{g}_{k}.wav"
            sf.write(real, sig.voice_like(0.9, 16000, seed=10 * g + k), 16000)
            items.append(SpeechItem(real, 0, f"src{g}", "spk", 16000))
            fake = tmp_path / f"f{g}_{k}.wav"
            buzz = sig.voice_like(0.9, 16000, seed=100 + 10 * g + k)
            sf.write(fake, buzz + 0.05 * rng.standard_normal(len(buzz)).astype(np.float32), 16000)
            items.append(SpeechItem(fake, 1, f"fam{g}", "sys", 16000))
    music = tmp_path / "music"
    music.mkdir()
    t = np.arange(8000 * 12) / 8000
    tone = 0.3 * np.sin(2 * np.pi * 440 * t) * (1 + np.sin(t))
    sf.write(music / "m.wav", tone.astype(np.float32), 8000)
    out = tmp_path / "w"
    info = train_all16(
        out, items, tmp_path / "cache", [music], epochs=1, cnn_members=1, gmm_components=2
    )
    for name in ("content.npz", "lfcc_gmm.npz", "spec_cnn.pt", "fuser.json"):
        assert (out / name).is_file(), name
    fusers = json.loads((out / "fuser.json").read_text())
    assert set(fusers["speech"]["coef"]) == {"lfcc-gmm", "spec-cnn"} and fusers["music"] is None
    assert json.loads((out / "training_info.json").read_text())["recipe"].startswith("16 kHz")
    assert info["content_training_accuracy"] > 0
    monkeypatch.setenv("FAKESCOPE_AUDIO_WEIGHTS", str(out))
    from fakescope.core.evidence import Evidence

    fuser = AudioFuser()
    low = fuser.fuse([Evidence("lfcc-gmm", 0.1, ""), Evidence("spec-cnn", 0.1, "")])
    high = fuser.fuse([Evidence("lfcc-gmm", 0.9, ""), Evidence("spec-cnn", 0.9, "")])
    assert 0 <= low < high <= 1
