"""``spec-cnn``: a compact CNN on log-power spectrograms (in the spirit of RawNet2/AASIST-lite).

Four conv blocks over the 8 kHz front end's log spectrogram (128 linear bins, 10 ms hop), statistics
pooling over time (mean and standard deviation, so any length works), and a two-layer head.
About 30 k parameters; trained on CPU by ``fakescope train audio``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakescope.audio.dsp import power_spectrogram
from fakescope.audio.speech import SpeechDetector
from fakescope.audio.threads import single_thread

N_FFT, HOP, WIN = 256, 80, 200
MIN_FRAMES = 32


def log_spectrogram(x: np.ndarray) -> np.ndarray:
    """Log power spectrogram ``(128, n_frames)`` (DC bin dropped), level-normalised.

    Examples
    --------
    >>> log_spectrogram(np.ones(8000, dtype=np.float32)).shape
    (128, 98)
    """
    p = power_spectrogram(x, n_fft=N_FFT, hop=HOP, win=WIN)[:, 1:]
    s = np.log(p + 1e-7)
    return (s - s.mean()).T.astype(np.float32)


def repeat_pad(spec: np.ndarray, n_frames: int) -> np.ndarray:
    """Tile a short spectrogram along time to at least ``n_frames`` (RawNet2 style padding)."""
    if spec.shape[1] >= n_frames:
        return spec
    reps = int(np.ceil(n_frames / max(spec.shape[1], 1)))
    return np.tile(spec, (1, reps))[:, :n_frames]


def build_model(width: int = 8):
    """The network (a ``torch.nn.Module``) mapping ``(B, 1, 128, T)`` to logits ``(B,)``."""
    import torch
    from torch import nn

    def block(cin: int, cout: int, pool: tuple[int, int]) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(),
            nn.MaxPool2d(pool),
        )

    class SpecCNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            w = width
            self.features = nn.Sequential(
                block(1, w, (2, 2)),
                block(w, 2 * w, (2, 2)),
                block(2 * w, 3 * w, (2, 2)),
                block(3 * w, 4 * w, (2, 1)),
            )
            dim = 4 * w * 8
            self.head = nn.Sequential(
                nn.Linear(2 * dim, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 1)
            )

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = self.features(x)  # (B, C, 8, T')
            h = h.flatten(1, 2)  # (B, C*8, T')
            stats = torch.cat([h.mean(dim=2), h.std(dim=2, unbiased=False)], dim=1)
            return self.head(stats)[:, 0]

    return SpecCNN()


class SpecCnnDetector(SpeechDetector):
    """Compact spectrogram CNN countermeasure.

    Parameters
    ----------
    weights : path, optional
        ``.pt`` checkpoint from ``fakescope train audio``: ``members``, a list of networks
        (``state_dict``, ``width``, ``cal``) whose calibrated logits are averaged, or one
        network's ``state_dict``, ``width`` and ``cal`` at the top level.

    Examples
    --------
    >>> det = SpecCnnDetector()  # doctest: +SKIP
    >>> det.score(media).reason  # doctest: +SKIP
    'the voice shows spectro-temporal patterns typical of synthetic speech'
    """

    name = "spec-cnn"
    what = "spectro-temporal patterns"

    def __init__(self, weights: str | Path | None = None) -> None:
        import torch

        from fakescope.audio.weights_io import weights_path

        ckpt = torch.load(
            weights or weights_path("spec_cnn.pt"), map_location="cpu", weights_only=True
        )
        self.models = []
        self.calibrations: list[tuple[float, float]] = []
        for member in ckpt.get("members", [ckpt]):
            model = build_model(int(member["width"]))
            model.load_state_dict(member["state_dict"])
            self.models.append(model.eval())
            a, b = (float(v) for v in member["cal"])
            self.calibrations.append((a, b))

    def raw_logits(self, segments: list[np.ndarray]) -> np.ndarray:
        """Uncalibrated logits, ``(n_members, n_segments)``."""
        import torch

        out = np.empty((len(self.models), len(segments)))
        with single_thread(), torch.inference_mode():
            for i, seg in enumerate(segments):
                spec = torch.from_numpy(repeat_pad(log_spectrogram(seg), MIN_FRAMES))[None, None]
                for m, model in enumerate(self.models):
                    out[m, i] = float(model(spec)[0])
        return out

    def segment_logits(self, segments: list[np.ndarray]) -> np.ndarray:
        return average_calibrated(self.raw_logits(segments), self.calibrations)


def average_calibrated(raw: np.ndarray, calibrations: list[tuple[float, float]]) -> np.ndarray:
    """Mean over ensemble members of their calibrated logits ``a * raw + b``.

    Examples
    --------
    >>> average_calibrated(np.array([[1.0, 2.0], [0.0, 4.0]]), [(2.0, 0.0), (1.0, -1.0)]).tolist()
    [0.5, 3.5]
    """
    return np.mean([a * r + b for (a, b), r in zip(calibrations, raw, strict=True)], axis=0)
