"""`whisper-embed`: a linear countermeasure on a frozen Whisper encoder's hidden states.

Each front-end segment (16 kHz; segments of older 8 kHz heads are brought to 16 kHz) goes through
the Whisper encoder (`whisper_encoder`) and is described by the mean and standard deviation over
time of every hidden state; a logistic regression on those standardised statistics, trained by
``fakescope train audio`` on the same corpus as the other speech detectors, gives the log-odds.
Its errors differ from the spectrogram CNN's, which is what the fusion uses (docs/audio.md).
Cf. Kawa et al. 2023, "Improved DeepFake Detection Using Whisper Features".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from fakescope.audio.dsp import SPEECH_RATE, resample
from fakescope.audio.speech import SpeechDetector
from fakescope.audio.threads import single_thread
from fakescope.audio.whisper_encoder import SAMPLE_RATE, WhisperEncoder, load_encoder

WEIGHTS_FILE = "whisper_lr.npz"


def whisper_features(
    encoder: WhisperEncoder,
    segments: list[np.ndarray],
    progress: Callable[[int, int], None] | None = None,
    rate: int = SPEECH_RATE,
    n_layers: int | None = None,
) -> np.ndarray:
    """Pooled encoder statistics of front-end segments at ``rate``, ``(n_segments, n_features)``.

    Examples
    --------
    >>> whisper_features(load_encoder(), [np.zeros(8000, np.float32)]).shape  # doctest: +SKIP
    (1, 3840)
    """
    rows = []
    with single_thread():
        for i, seg in enumerate(segments):
            rows.append(encoder.pooled_features(resample(seg, rate, SAMPLE_RATE), n_layers))
            if progress is not None:
                progress(i + 1, len(segments))
    return np.stack(rows) if rows else np.zeros((0, 0), np.float32)


class WhisperHead:
    """Standardise, then a linear logit, then the calibration ``a * z + b``."""

    def __init__(
        self,
        mean: np.ndarray,
        scale: np.ndarray,
        coef: np.ndarray,
        intercept: float,
        cal: tuple[float, float] = (1.0, 0.0),
        encoder_width: int = 384,
        encoder_layers: int = 4,
        sample_rate: int = SPEECH_RATE,
        layers_used: int | None = None,
    ) -> None:
        self.mean, self.scale = np.asarray(mean), np.asarray(scale)
        self.coef, self.intercept = np.asarray(coef), float(intercept)
        self.cal = (float(cal[0]), float(cal[1]))
        self.encoder_width, self.encoder_layers = int(encoder_width), int(encoder_layers)
        self.sample_rate = int(sample_rate)  # rate of the front end the head was trained on
        # encoder layers whose statistics the head reads (the first ones; fewer run faster)
        self.layers_used = int(layers_used if layers_used is not None else encoder_layers)

    def raw(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.coef + self.intercept

    def logits(self, features: np.ndarray) -> np.ndarray:
        return self.cal[0] * self.raw(features) + self.cal[1]

    def save(self, path: str | Path) -> None:
        np.savez(
            path,
            mean=self.mean.astype(np.float32),
            scale=self.scale.astype(np.float32),
            coef=self.coef.astype(np.float32),
            intercept=np.float64(self.intercept),
            cal=np.array(self.cal),
            encoder=np.array([self.encoder_width, self.encoder_layers]),
            sample_rate=np.array(self.sample_rate),
            layers_used=np.array(self.layers_used),
        )

    @classmethod
    def load(cls, path: str | Path) -> WhisperHead:
        with np.load(path) as d:
            width, layers = (int(v) for v in d["encoder"])
            cal = (float(d["cal"][0]), float(d["cal"][1]))
            rate = int(d["sample_rate"]) if "sample_rate" in d.files else SPEECH_RATE
            used = int(d["layers_used"]) if "layers_used" in d.files else layers
            return cls(
                d["mean"],
                d["scale"],
                d["coef"],
                float(d["intercept"]),
                cal,
                width,
                layers,
                rate,
                used,
            )


def fit_head(
    features: np.ndarray,
    labels: np.ndarray,
    c: float = 1e-3,
    encoder: WhisperEncoder | None = None,
) -> WhisperHead:
    """Logistic regression (L2, ``C=c``) on standardised features; ``c`` was chosen on the
    calibration split (docs/audio.md). ``encoder`` (the one that made the features) is recorded
    so that the detector refuses a different one.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[rng.normal(0, 1, (50, 4)), rng.normal(1, 1, (50, 4))]
    >>> head = fit_head(x, np.r_[np.zeros(50), np.ones(50)], c=1.0)
    >>> bool(head.raw(x[50:]).mean() > head.raw(x[:50]).mean())
    True
    """
    from sklearn.linear_model import LogisticRegression

    mean = features.mean(axis=0)
    scale = features.std(axis=0) + 1e-6
    model = LogisticRegression(C=c, max_iter=3000).fit((features - mean) / scale, labels)
    head = WhisperHead(mean, scale, model.coef_[0], float(model.intercept_[0]))
    if encoder is not None:
        head.encoder_width, head.encoder_layers = encoder.width, encoder.n_layers
    return head


class WhisperEmbedDetector(SpeechDetector):
    """Synthetic-speech detector on frozen Whisper encoder statistics.

    Parameters
    ----------
    weights : path, optional
        ``whisper_lr.npz`` from ``fakescope train audio`` (default: the active audio weights).
    encoder : WhisperEncoder, optional
        Default: `load_encoder()` (``$FAKESCOPE_WHISPER_MODEL`` or the packaged tiny.en).

    Examples
    --------
    >>> det = WhisperEmbedDetector()  # doctest: +SKIP
    >>> det.score(media).reason  # doctest: +SKIP
    'the voice shows speech-model statistics typical of synthetic speech'
    """

    name = "whisper-embed"
    what = "speech-model statistics"

    def __init__(
        self, weights: str | Path | None = None, encoder: WhisperEncoder | None = None
    ) -> None:
        from fakescope.audio.weights_io import weights_path

        self.head = WhisperHead.load(weights or weights_path(WEIGHTS_FILE))
        self.sample_rate = self.head.sample_rate
        self.encoder = encoder or load_encoder()
        if (self.encoder.width, self.encoder.n_layers) != (
            self.head.encoder_width,
            self.head.encoder_layers,
        ):
            raise ValueError(
                f"the whisper-embed head was trained on a Whisper encoder of width "
                f"{self.head.encoder_width} and {self.head.encoder_layers} layers, but "
                f"{self.encoder.source} has width {self.encoder.width} and "
                f"{self.encoder.n_layers} layers; retrain with `fakescope train audio`"
            )

    def segment_logits(self, segments: list[np.ndarray]) -> np.ndarray:
        return self.head.logits(whisper_features(self.encoder, segments, rate=self.sample_rate))

    def torch_module(self):
        """Differentiable ``(N, T)`` waveform in [-1, 1] at ``self.sample_rate`` (16 kHz) ->
        ``(N,)`` calibrated logit: log-mel, the frozen encoder, pooled statistics, the head.

        ``sigmoid(module(x))`` equals this detector's score of a front-end segment ``x``.

        Examples
        --------
        >>> m = WhisperEmbedDetector().torch_module()  # doctest: +SKIP
        >>> m(torch.zeros(1, 16000)).shape  # doctest: +SKIP
        torch.Size([1])
        """
        import torch
        from torch import nn

        if self.sample_rate != SAMPLE_RATE:
            raise ValueError("torch_module needs a head trained on the 16 kHz front end")
        encoder, head = self.encoder, self.head

        class Module(nn.Module):
            sample_rate = SAMPLE_RATE

            def __init__(self) -> None:
                super().__init__()
                for name, v in (
                    ("mean", head.mean),
                    ("scale", head.scale),
                    ("coef", head.coef),
                ):
                    self.register_buffer(name, torch.as_tensor(v, dtype=torch.float32))

            def forward(self, wave: torch.Tensor) -> torch.Tensor:
                states = encoder.states_batch(encoder.log_mel_batch(wave), head.layers_used)
                parts = []
                for st in states:
                    parts += [st.mean(dim=1), st.std(dim=1, correction=0)]
                z = ((torch.cat(parts, dim=1) - self.mean) / self.scale) @ self.coef
                return head.cal[0] * (z + head.intercept) + head.cal[1]

        return Module().eval()
