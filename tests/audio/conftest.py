"""Small real audio files made in tmp_path (no shared data needed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf


def chirp(seconds: float, rate: int, f0: float = 200.0, f1: float = 3000.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * (f0 + (f1 - f0) * t / (2 * seconds)) * t)).astype(np.float32)


def voice_like(seconds: float, rate: int, seed: int = 0) -> np.ndarray:
    """A crude voiced signal: harmonic pulse train with syllable-rate amplitude modulation."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    f0 = 120 + 20 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    x = sum(np.sin(k * phase) / k for k in range(1, 20))
    env = np.clip(np.sin(2 * np.pi * 4 * t), 0, None)
    return (0.3 * x * env + 0.003 * rng.standard_normal(len(t))).astype(np.float32)


@pytest.fixture
def chirp_wav(tmp_path: Path) -> Path:
    p = tmp_path / "chirp.wav"
    sf.write(p, chirp(1.0, 16000), 16000)
    return p


@pytest.fixture
def stereo_44k(tmp_path: Path) -> Path:
    rng = np.random.default_rng(1)
    left = chirp(3.0, 44100, 100, 8000) + 0.05 * rng.standard_normal(3 * 44100)
    right = np.roll(left, 30) * 0.8
    p = tmp_path / "stereo.flac"
    sf.write(p, np.stack([left, right], axis=1).astype(np.float32), 44100)
    return p


@pytest.fixture
def voice_wav(tmp_path: Path) -> Path:
    p = tmp_path / "voice.wav"
    sf.write(p, voice_like(1.5, 8000), 8000)
    return p


@pytest.fixture
def espeak_wav(tmp_path: Path) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    p = tmp_path / "espeak.wav"
    subprocess.run(["espeak-ng", "-w", str(p), "seven"], check=True, capture_output=True)
    return p


class Signals:
    """Signal makers handed to tests as a fixture (tests import nothing from conftest)."""

    chirp = staticmethod(chirp)
    voice_like = staticmethod(voice_like)


@pytest.fixture
def sig() -> Signals:
    return Signals()


def _tiny_whisper_hf(max_positions: int):
    """A randomly initialised two-layer Hugging Face Whisper encoder (width 64, one head).

    Every parameter is perturbed, so biases and positions are non-zero and a weight-mapping
    error shows.
    """
    import torch
    from transformers import WhisperConfig
    from transformers.models.whisper.modeling_whisper import WhisperEncoder

    torch.manual_seed(0)
    config = WhisperConfig(
        d_model=64,
        encoder_layers=2,
        encoder_attention_heads=1,
        encoder_ffn_dim=128,
        num_mel_bins=80,
        max_source_positions=max_positions,
    )
    model = WhisperEncoder(config).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return model


@pytest.fixture(scope="module")
def tiny_whisper_hf():
    """Factory: ``tiny_whisper_hf(max_positions)`` -> a tiny random HF Whisper encoder."""
    pytest.importorskip("transformers")
    return _tiny_whisper_hf
