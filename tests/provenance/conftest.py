from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="session")
def photo() -> np.ndarray:
    """A 160x200 photo-like image: smooth gradients, edges and sensor-like noise."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:160, 0:200].astype(np.float64)
    base = np.stack([120 + 60 * np.sin(x / 23), 100 + 50 * np.cos(y / 17), 80 + (x + y) / 4], -1)
    base[40:90, 60:140] += 50
    return np.clip(base + rng.normal(0, 4, base.shape), 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def speech_like() -> tuple[np.ndarray, int]:
    """4 s of a voiced, syllable-modulated harmonic signal with pauses, at 16 kHz."""
    sr = 16000
    t = np.arange(sr * 4) / sr
    f0 = 130 + 40 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(k * phase) / k for k in range(1, 25))
    envelope = np.clip(np.sin(2 * np.pi * 3 * t), 0, None) * (np.sin(2 * np.pi * 0.4 * t) > -0.6)
    noise = np.random.default_rng(3).normal(0, 0.003, len(t))
    return 0.25 * voice * envelope + noise, sr
