"""``spec-cnn``: a compact CNN on log-power spectrograms (in the spirit of RawNet2/AASIST-lite).

Four conv blocks over the speech front end's log spectrogram (10 ms hop; 256 linear bins at
16 kHz, 128 at 8 kHz), statistics pooling over time (mean and standard deviation, so any length
works), and a two-layer head. About 30-45 k parameters; trained on CPU by ``fakescope train audio``.
The checkpoint says at which rate it works (``sample_rate``; older checkpoints without it are
8 kHz).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakescope.audio.dsp import power_spectrogram
from fakescope.audio.speech import SpeechDetector
from fakescope.audio.threads import single_thread

MIN_FRAMES = 32
# (n_fft, hop, win) per sample rate: 32 ms FFT, 10 ms hop, 25 ms window
STFT = {8000: (256, 80, 200), 16000: (512, 160, 400)}


def n_bins(rate: int) -> int:
    """Spectrogram rows (DC dropped) at ``rate``."""
    return STFT[rate][0] // 2


def log_spectrogram(x: np.ndarray, rate: int = 8000) -> np.ndarray:
    """Log power spectrogram ``(n_bins, n_frames)`` (DC bin dropped), level-normalised.

    Examples
    --------
    >>> log_spectrogram(np.ones(8000, dtype=np.float32)).shape
    (128, 98)
    >>> log_spectrogram(np.ones(16000, dtype=np.float32), 16000).shape
    (256, 98)
    """
    n_fft, hop, win = STFT[rate]
    p = power_spectrogram(x, n_fft=n_fft, hop=hop, win=win)[:, 1:]
    s = np.log(p + 1e-7)
    return (s - s.mean()).T.astype(np.float32)


def repeat_pad(spec: np.ndarray, n_frames: int) -> np.ndarray:
    """Tile a short spectrogram along time to at least ``n_frames`` (RawNet2 style padding)."""
    if spec.shape[1] >= n_frames:
        return spec
    reps = int(np.ceil(n_frames / max(spec.shape[1], 1)))
    return np.tile(spec, (1, reps))[:, :n_frames]


def build_model(width: int = 8, bins: int = 128):
    """The network (a ``torch.nn.Module``) mapping ``(B, 1, bins, T)`` to logits ``(B,)``."""
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
            dim = 4 * w * (bins // 16)
            self.head = nn.Sequential(
                nn.Linear(2 * dim, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 1)
            )

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            h = self.features(x)  # (B, C, bins/16, T')
            h = h.flatten(1, 2)  # (B, C*bins/16, T')
            stats = torch.cat([h.mean(dim=2), h.std(dim=2, unbiased=False)], dim=1)
            return self.head(stats)[:, 0]

    return SpecCNN()


class WaveformSpecCnn:
    """Factory of the differentiable waveform -> calibrated logit module (see ``torch_module``)."""

    @staticmethod
    def build(models, calibrations, rate: int):
        import torch
        from torch import nn

        n_fft, hop, win = STFT[rate]

        class Module(nn.Module):
            """``(N, T)`` waveform in [-1, 1] at ``sample_rate`` -> ``(N,)`` calibrated logit.

            The same log spectrogram as :func:`log_spectrogram` (Hamming window, no centring,
            level-normalised per clip), repeat-padded to 32 frames, every member's calibrated
            logit averaged. Clips must hold at least one window (25 ms).
            """

            sample_rate = rate

            def __init__(self) -> None:
                super().__init__()
                self.members = nn.ModuleList(models)
                self.register_buffer("cal", torch.tensor(calibrations, dtype=torch.float32))
                self.register_buffer("window", torch.hamming_window(win, periodic=False))

            def forward(self, wave: torch.Tensor) -> torch.Tensor:
                frames = wave.unfold(-1, win, hop) * self.window  # (N, F, win)
                spec = torch.fft.rfft(frames, n=n_fft, dim=-1)[..., 1:]
                s = torch.log(spec.real**2 + spec.imag**2 + 1e-7)
                s = s - s.mean(dim=(1, 2), keepdim=True)
                s = s.transpose(1, 2)[:, None]  # (N, 1, bins, F)
                if s.shape[-1] < MIN_FRAMES:
                    reps = -(-MIN_FRAMES // s.shape[-1])
                    s = s.repeat(1, 1, 1, reps)[..., :MIN_FRAMES]
                logits = [a * m(s) + b for m, (a, b) in zip(self.members, self.cal, strict=True)]
                return torch.stack(logits).mean(dim=0)

        return Module().eval()


class SpecCnnDetector(SpeechDetector):
    """Compact spectrogram CNN countermeasure.

    Parameters
    ----------
    weights : path, optional
        ``.pt`` checkpoint from ``fakescope train audio``: ``members``, a list of networks
        (``state_dict``, ``width``, ``cal``) whose calibrated logits are averaged, and
        ``sample_rate`` (8000 when absent); or one network's ``state_dict``, ``width`` and
        ``cal`` at the top level.

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
        self.sample_rate = int(ckpt.get("sample_rate", 8000))
        if self.sample_rate not in STFT:
            raise ValueError(f"spec-cnn checkpoint has an unsupported rate {self.sample_rate}")
        self.models = []
        self.calibrations: list[tuple[float, float]] = []
        for member in ckpt.get("members", [ckpt]):
            model = build_model(int(member["width"]), n_bins(self.sample_rate))
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
                spec = repeat_pad(log_spectrogram(seg, self.sample_rate), MIN_FRAMES)
                spec = torch.from_numpy(spec)[None, None]
                for m, model in enumerate(self.models):
                    out[m, i] = float(model(spec)[0])
        return out

    def segment_logits(self, segments: list[np.ndarray]) -> np.ndarray:
        return average_calibrated(self.raw_logits(segments), self.calibrations)

    def torch_module(self):
        """Differentiable ``(N, T)`` waveform in [-1, 1] at ``self.sample_rate`` -> ``(N,)``
        calibrated logit, so that ``sigmoid(module(x))`` is this detector's segment score.

        The waveform is taken as the front end delivers it (16 kHz: high-passed, trimmed,
        loudness-normalised); the module shares the detector's networks (no copy).

        Examples
        --------
        >>> m = SpecCnnDetector().torch_module()  # doctest: +SKIP
        >>> m(torch.zeros(2, 16000)).shape  # doctest: +SKIP
        torch.Size([2])
        """
        return WaveformSpecCnn.build(self.models, self.calibrations, self.sample_rate)


def average_calibrated(raw: np.ndarray, calibrations: list[tuple[float, float]]) -> np.ndarray:
    """Mean over ensemble members of their calibrated logits ``a * raw + b``.

    Examples
    --------
    >>> average_calibrated(np.array([[1.0, 2.0], [0.0, 4.0]]), [(2.0, 0.0), (1.0, -1.0)]).tolist()
    [0.5, 3.5]
    """
    return np.mean([a * r + b for (a, b), r in zip(calibrations, raw, strict=True)], axis=0)
