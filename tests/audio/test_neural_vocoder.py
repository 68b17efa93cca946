import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fakescope.audio.neural_vocoder import (  # noqa: E402
    HOP,
    KINDS,
    build_vocoder,
    load_vocoder,
    log_mel,
    mel_basis,
    save_vocoder,
    stft_loss,
    train_vocoder,
)


@pytest.mark.parametrize("kind", KINDS)
def test_generators_map_mel_frames_to_hop_samples(kind):
    model = build_vocoder(kind)
    assert model(torch.zeros(2, 80, 7)).shape == (2, 7 * HOP)


def test_log_mel_and_loss_shapes():
    basis = mel_basis()
    wave = torch.randn(2, 8192) * 0.1
    assert log_mel(wave, basis).shape == (2, 80, 8192 // HOP)
    assert float(stft_loss(wave, wave, basis)) < 1e-4
    assert float(stft_loss(wave * 0.1, wave, basis)) > 0.5


def test_unknown_kind_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="unknown neural vocoder"):
        build_vocoder("wavenet")
    with pytest.raises(FileNotFoundError, match="no.pt"):
        load_vocoder(tmp_path / "no.pt")


def test_save_load_and_copy_at_both_rates(tmp_path):
    save_vocoder(tmp_path / "v.pt", "neural-upsample", build_vocoder("neural-upsample"))
    voc = load_vocoder(tmp_path / "v.pt")
    for rate in (8000, 16000):
        x = (0.1 * np.sin(np.arange(rate // 4) / 3.0)).astype(np.float32)
        y = voc.copy_synthesize(x, rate)
        assert y.shape == x.shape and np.isfinite(y).all() and np.abs(y).max() <= 0.9 + 1e-6


@pytest.mark.slow
def test_train_save_load_and_copy(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(16000) / 16000
    clips = [
        (0.3 * np.sin(2 * np.pi * f * t) + 0.01 * rng.standard_normal(16000)) for f in (150, 220)
    ]
    clips = [c.astype(np.float32) for c in clips]
    losses = []
    model = train_vocoder(clips, "neural-istft", 4, batch=2, segment=4096, log=losses.append)
    assert losses and "step 4/4" in losses[-1]
    save_vocoder(tmp_path / "v.pt", "neural-istft", model, {"steps": 4})
    voc = load_vocoder(tmp_path / "v.pt")
    for rate in (8000, 16000):
        x = clips[0][: rate // 2]
        y = voc.copy_synthesize(x, rate)
        assert y.shape == x.shape and np.isfinite(y).all()
    with pytest.raises(ValueError, match="longer than"):
        train_vocoder([np.zeros(100, np.float32)], "neural-istft", 1)
