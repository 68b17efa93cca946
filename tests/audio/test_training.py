import json

import numpy as np
import pytest
import soundfile as sf

from fakescope.audio.corpus import Item
from fakescope.audio.speech_data import SpeechItem
from fakescope.audio.training import fit_calibration, prepare_speech, train_lfcc_gmm


def _items(tmp_path, sig, n=6):
    items = []
    rng = np.random.default_rng(0)
    for i in range(n):
        real = tmp_path / f"r{i}.wav"
        sf.write(real, sig.voice_like(0.8, 16000, seed=i), 16000)
        fake = tmp_path / f"f{i}.wav"
        sf.write(fake, (0.2 * rng.standard_normal(17640)).astype(np.float32), 22050)
        items += [Item(real, 0, "fsdd", "a", "train"), Item(fake, 1, "flite", "v", "train")]
    return items


def test_prepare_is_8k_frontend_and_cached(tmp_path, sig):
    items = _items(tmp_path, sig, 2)
    out = prepare_speech(items, {"train": 3}, 0, tmp_path / "cache", lambda m: None)
    assert len(out) == 12
    assert all(abs(float(np.abs(p.audio).max()) - 0.9) < 1e-4 for p in out)
    assert (tmp_path / "cache" / "speech_seed0.npz").exists()
    again = prepare_speech(items, {"train": 3}, 0, tmp_path / "cache", lambda m: None)
    assert all(np.array_equal(a.audio, b.audio) for a, b in zip(out, again, strict=True))


def test_models_train_on_tiny_data(tmp_path, sig):
    prepared = prepare_speech(_items(tmp_path, sig), {"train": 1}, 0, None, lambda m: None)
    bona, spoof = train_lfcc_gmm(prepared, 2, 0, lambda m: None)
    assert bona.means_.shape == (2, 60) and spoof.means_.shape == (2, 60)
    a, b = fit_calibration(np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 0, 1, 1]))
    assert a > 0


def _speech_items(tmp_path, sig, n_groups=4, per_group=3):
    """Real 'voices' (harmonic) and synthetic 'engines' (noisy buzz), several groups each."""
    items = []
    rng = np.random.default_rng(0)
    for g in range(n_groups):
        for k in range(per_group):
            real = tmp_path / f"r{g}_{k}.wav"
            sf.write(real, sig.voice_like(0.9, 16000, seed=10 * g + k), 16000)
            items.append(SpeechItem(real, 0, f"src{g}", "spk", 16000))
            fake = tmp_path / f"f{g}_{k}.wav"
            buzz = sig.voice_like(0.9, 22050, seed=100 + 10 * g + k)
            buzz = buzz + 0.05 * rng.standard_normal(len(buzz)).astype(np.float32)
            sf.write(fake, buzz, 22050)
            items.append(SpeechItem(fake, 1, f"fam{g}", "sys", 22050))
    return items


def test_fit_lfcc_gmms_fits_each_class_on_its_own_weighted_clips(sig):
    from fakescope.audio.lfcc_gmm import segment_lfcc
    from fakescope.audio.speech_training import fit_lfcc_gmms

    real = [sig.voice_like(0.8, 16000, seed=i) for i in range(4)]
    fake = [
        np.random.default_rng(i).standard_normal(12800).astype(np.float32) * 0.2 for i in range(4)
    ]
    clips = real + fake
    frames = [segment_lfcc(x, 16000).astype(np.float32) for x in clips]
    labels = np.r_[np.zeros(4), np.ones(4)]
    # one real clip with zero weight is never drawn: the real model must not be fitted on it
    weights = np.r_[[1.0, 1.0, 1.0, 0.0], np.ones(4)]
    asked: list[int] = []

    def frames_of(i: int) -> np.ndarray:
        asked.append(i)
        return frames[i]

    bona, spoof = fit_lfcc_gmms(frames_of, np.arange(8), labels, weights, components=2)
    assert bona.means_.shape == (2, 60) and spoof.means_.shape == (2, 60)
    assert 3 not in asked and set(asked) == {0, 1, 2, 4, 5, 6, 7}
    noise = frames[5]
    assert spoof.score(noise) > bona.score(noise)


@pytest.mark.slow
def test_train_speech_writes_every_speech_model(tmp_path, sig, monkeypatch):
    from fakescope.audio import whisper_encoder as we
    from fakescope.audio.lfcc_gmm import LfccGmmDetector
    from fakescope.audio.spec_cnn import SpecCnnDetector
    from fakescope.audio.speech_training import train_speech
    from fakescope.audio.whisper_embed import WEIGHTS_FILE

    def missing(source=None):
        raise we.WhisperUnavailable("no Whisper encoder is installed")

    monkeypatch.setattr(we, "load_encoder", missing)
    out = tmp_path / "w"
    out.mkdir()
    (out / WEIGHTS_FILE).write_bytes(b"stale")
    logged: list[str] = []
    result = train_speech(
        out,
        _speech_items(tmp_path, sig),
        tmp_path / "cache",
        epochs=1,
        cnn_members=1,
        gmm_components=2,
        log=logged.append,
    )
    assert not (out / WEIGHTS_FILE).exists()  # no stale head next to new weights
    assert any("whisper-embed not trained" in m for m in logged)
    cnn = SpecCnnDetector(out / "spec_cnn.pt")
    assert cnn.sample_rate == 16000
    gmm = LfccGmmDetector(out / "lfcc_gmm.npz")
    assert gmm.sample_rate == 16000 and gmm.raw_llr([sig.voice_like(0.5, 16000)]).shape == (1,)
    fusers = json.loads(json.dumps(result["fusers"]))
    assert set(fusers["speech"]["coef"]) == {"lfcc-gmm", "spec-cnn"}
    assert result["content_speech"] and result["info"]["counts"]
    # copies are cached per group: a second run reads them back
    assert any((tmp_path / "cache").rglob("*.npz"))


def _tiny_corpus(root, sig):
    """FSDD-named real speech (train and calibration speakers), two TTS engines, one song."""
    fsdd, tts, music = root / "fsdd", root / "tts", root / "music"
    for d in (fsdd, tts / "flite", tts / "espeak", music):
        d.mkdir(parents=True)
    rng = np.random.default_rng(1)
    for i in range(4):
        for speaker in ("jackson", "nicolas"):
            audio = sig.voice_like(0.8, 8000, seed=i + (10 if speaker == "nicolas" else 0))
            sf.write(fsdd / f"{i}_{speaker}_{i}.wav", audio, 8000)
    for engine in ("flite", "espeak"):
        for v in range(6):
            buzz = sig.voice_like(0.8, 16000, seed=50 + v) + 0.1 * rng.standard_normal(12800)
            sf.write(tts / engine / f"v{v}__s{v}__text.wav", buzz.astype(np.float32), 16000)
    t = np.arange(8000 * 6) / 8000
    song = 0.3 * np.sin(2 * np.pi * 440 * t) * (1 + np.sin(t))
    sf.write(music / "song.wav", song.astype(np.float32), 8000)
    return fsdd, tts, music


@pytest.mark.slow  # ~9 s: trains every audio model once on a tiny corpus
def test_train_all_writes_every_model_one_step_each(tmp_path, sig, monkeypatch):
    from fakescope.audio import corpus, training
    from fakescope.audio import whisper_encoder as we
    from fakescope.audio.lfcc_gmm import LfccGmmDetector
    from fakescope.audio.spec_cnn import SpecCnnDetector

    def no_whisper(source=None):
        raise we.WhisperUnavailable("no Whisper encoder is installed")

    monkeypatch.setattr(we, "load_encoder", no_whisper)
    # only the corpus given here, not the Asterisk prompts of this machine
    monkeypatch.setattr(training, "real_items", lambda fsdd: corpus.real_items(fsdd, None))
    fsdd, tts, music = _tiny_corpus(tmp_path, sig)
    out = tmp_path / "weights"
    logged: list[str] = []
    info = training.train_all(
        out, fsdd, tts, [music], None, epochs=1, gmm_components=2, cnn_members=1,
        log=logged.append,
    )  # fmt: skip
    assert {p.name for p in out.iterdir()} >= {
        "content.npz", "lfcc_gmm.npz", "spec_cnn.pt", "fuser.json", "training_info.json"
    }  # fmt: skip
    fusers = json.loads((out / "fuser.json").read_text())
    assert set(fusers["speech"]["coef"]) == {"lfcc-gmm", "spec-cnn"}
    assert fusers["speech_variants"] == [] and fusers["music"] is None  # no music weights here
    assert set(info["calibration_metrics"]) == {"lfcc-gmm", "spec-cnn", "fused"}
    assert 0 <= info["content_training_accuracy"] <= 1 and info["spec_cnn_members"] == 1
    clip = [sig.voice_like(0.8, 8000, seed=3)]
    assert LfccGmmDetector(out / "lfcc_gmm.npz").raw_llr(clip).shape == (1,)
    assert len(SpecCnnDetector(out / "spec_cnn.pt").raw_logits(clip)) == 1
    assert any("whisper-embed not trained" in m for m in logged)


def test_train_all_needs_music_for_the_content_classifier(tmp_path, sig, monkeypatch):
    from fakescope.audio import corpus, training

    monkeypatch.setattr(training, "real_items", lambda fsdd: corpus.real_items(fsdd, None))
    fsdd, tts, _ = _tiny_corpus(tmp_path, sig)
    with pytest.raises(FileNotFoundError, match="no music files"):
        training.train_all(tmp_path / "w", fsdd, tts, [tmp_path / "none"], None, epochs=1)
