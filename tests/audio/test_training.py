import json

import numpy as np
import pytest
import soundfile as sf

from fakescope.audio.corpus import Item
from fakescope.audio.speech_data import SpeechItem
from fakescope.audio.training import (
    fit_calibration,
    prepare_speech,
    train_content,
    train_lfcc_gmm,
    train_spec_cnn,
)


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
    model = train_spec_cnn(prepared, 1, 0, 4, lambda m: None)
    assert sum(p.numel() for p in model.parameters()) > 1000
    a, b = fit_calibration(np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 0, 1, 1]))
    assert a > 0


def test_content_training_three_classes(tmp_path, sig):
    music = tmp_path / "m.wav"
    t = np.arange(8000 * 12) / 8000
    sf.write(music, (0.3 * np.sin(2 * np.pi * 440 * t) * (1 + np.sin(t))).astype(np.float32), 8000)
    speech = [sig.voice_like(1.0, 8000, seed=i) for i in range(30)]
    mean, scale, coef, intercept, acc = train_content(speech, [music], 0, lambda m: None)
    assert coef.shape == (3, 58) and 0 <= acc <= 1


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
