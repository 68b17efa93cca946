"""The whisper-embed head and detector, on a tiny random Whisper encoder (no model download)."""

from __future__ import annotations

import numpy as np
import pytest

from fakescope.audio import whisper_embed as wemb
from fakescope.audio.whisper_encoder import WhisperEncoder, WhisperUnavailable, hf_to_ct2_names

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny_encoder(tiny_whisper_hf) -> WhisperEncoder:
    model = tiny_whisper_hf(1500)
    state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    return WhisperEncoder(hf_to_ct2_names(state), "tiny-random")


def _tone(seconds: float, f0: float, rate: int = 8000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * f0 * t)).astype(np.float32)


def _noise(seconds: float, seed: int, rate: int = 8000) -> np.ndarray:
    return (0.2 * np.random.default_rng(seed).standard_normal(int(seconds * rate))).astype(
        np.float32
    )


def test_features_have_fixed_width_and_are_finite(tiny_encoder) -> None:
    short, long = _tone(0.2, 300), _tone(2.5, 300)
    feats = wemb.whisper_features(tiny_encoder, [short, long])
    assert feats.shape == (2, 3 * 2 * 64) and np.isfinite(feats).all()


def test_head_round_trips_and_separates(tiny_encoder, tmp_path) -> None:
    real = [_tone(1.0, f) for f in (200, 300, 400, 500, 600, 700)]
    fake = [_noise(1.0, s) for s in range(6)]
    feats = wemb.whisper_features(tiny_encoder, real + fake)
    labels = np.r_[np.zeros(6), np.ones(6)]
    head = wemb.fit_head(feats, labels, c=1.0)
    assert head.raw(feats[6:]).min() > head.raw(feats[:6]).max()
    head.cal = (2.0, -0.5)
    head.save(tmp_path / "whisper_lr.npz")
    again = wemb.WhisperHead.load(tmp_path / "whisper_lr.npz")
    np.testing.assert_allclose(again.logits(feats), head.logits(feats), rtol=1e-5, atol=1e-5)


def test_detector_scores_and_checks_the_encoder(tiny_encoder, tmp_path) -> None:
    from fakescope.core.media import Media

    feats = wemb.whisper_features(tiny_encoder, [_tone(1.0, 300), _noise(1.0, 0)])
    head = wemb.fit_head(feats, np.array([0.0, 1.0]), c=1.0)
    head.encoder_width, head.encoder_layers = 64, 2
    head.save(tmp_path / "whisper_lr.npz")
    det = wemb.WhisperEmbedDetector(tmp_path / "whisper_lr.npz", encoder=tiny_encoder)
    from fakescope.audio.clip import AudioClip

    clip = AudioClip(_noise(2.0, 1)[:, None], 8000)
    ev = det.score(Media(path="x.wav", modality="audio", data=clip))
    assert ev.detector == "whisper-embed" and ev.reason
    assert ev.score is None or 0.0 <= ev.score <= 1.0
    head.encoder_width = 384
    head.save(tmp_path / "other.npz")
    with pytest.raises(ValueError, match="retrain"):
        wemb.WhisperEmbedDetector(tmp_path / "other.npz", encoder=tiny_encoder)


def test_training_skips_whisper_when_no_encoder(monkeypatch, tmp_path) -> None:
    from fakescope.audio import training
    from fakescope.audio import whisper_encoder as we

    def missing(source=None):
        raise WhisperUnavailable("no Whisper encoder is installed")

    monkeypatch.setattr(we, "load_encoder", missing)
    (tmp_path / wemb.WEIGHTS_FILE).write_bytes(b"stale")
    logged: list[str] = []
    out = training.train_whisper_embed([], [], np.zeros(0), tmp_path, logged.append)
    assert out is None
    assert not (tmp_path / wemb.WEIGHTS_FILE).exists()  # no stale head next to new weights
    assert "not trained" in logged[0]


def test_torch_module_matches_detector(tmp_path, tiny_encoder) -> None:
    import torch

    rng = np.random.default_rng(0)
    enc = tiny_encoder
    segs = [rng.standard_normal(n).astype(np.float32) * 0.1 for n in (8000, 12000)]
    feats = np.stack([enc.pooled_features(s) for s in segs])
    head = wemb.WhisperHead(
        feats.mean(0),
        feats.std(0) + 1e-3,
        rng.standard_normal(feats.shape[1]),
        0.2,
        (1.5, -0.3),
        enc.width,
        enc.n_layers,
        16000,
    )
    head.save(tmp_path / "h.npz")
    det = wemb.WhisperEmbedDetector(tmp_path / "h.npz", encoder=enc)
    module = det.torch_module()
    expected = det.segment_logits(segs)
    got = [float(module(torch.from_numpy(s)[None])[0]) for s in segs]
    assert np.allclose(got, expected, rtol=1e-3, atol=1e-3)
    x = torch.from_numpy(segs[0])[None].requires_grad_(True)
    module(x).sum().backward()
    assert float(x.grad.abs().sum()) > 0
