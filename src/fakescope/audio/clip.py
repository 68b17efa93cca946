"""The decoded audio that audio detectors receive (``Media.data`` for the ``audio`` modality)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class AudioClip:
    """Decoded samples at the file's own rate, all channels kept.

    Parameters
    ----------
    samples : np.ndarray
        ``(n_samples, n_channels)`` float32 in [-1, 1].
    sample_rate : int
        Samples per second of ``samples``.
    cache : dict
        Per-clip memo shared by the detectors of one scan (resampled mono signals, the content
        class), so that the work is done once per file, not once per detector.

    Examples
    --------
    >>> clip = AudioClip(np.zeros((8000, 2), dtype=np.float32), 8000)
    >>> clip.duration, clip.channels
    (1.0, 2)
    >>> clip.mono_at(4000).shape
    (4000,)
    """

    samples: np.ndarray
    sample_rate: int
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / float(self.sample_rate)

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    def mono(self) -> np.ndarray:
        """Channel mean as float32 (1-D)."""
        if "mono" not in self.cache:
            self.cache["mono"] = self.samples.mean(axis=1).astype(np.float32)
        return self.cache["mono"]

    def mono_at(self, rate: int) -> np.ndarray:
        """Mono signal resampled to ``rate`` (memoised per rate)."""
        from fakescope.audio.dsp import resample

        key = f"mono@{rate}"
        if key not in self.cache:
            self.cache[key] = resample(self.mono(), self.sample_rate, rate)
        return self.cache[key]
