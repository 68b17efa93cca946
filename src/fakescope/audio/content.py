"""What an audio segment contains: speech, music, or vocals over music.

Speech goes to the voice-clone detectors, music (with or without vocals) to the music detector.
Features are the classic speech/music discrimination set (Scheirer & Slaney 1997: spectral flux,
4 Hz modulation energy, low-energy frame ratio, zero crossings) plus log-mel statistics and a
frame harmonicity measure; the classifier is a multinomial logistic regression trained by
``fakescope train audio`` (weights ``weights/content.npz``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fakescope.audio.dsp import SPEECH_RATE, frame_energy_db, log_mel, power_spectrogram

CLASSES = ("speech", "music", "vocals")
CONTENT_RATE = SPEECH_RATE
SEGMENT_S = 4.0
VOICE_THRESHOLD = 0.25
MUSIC_THRESHOLD = 0.5


def content_features(x: np.ndarray, rate: int = CONTENT_RATE) -> np.ndarray:
    """Speech/music features of one mono segment (1-D vector of fixed length).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> content_features(rng.standard_normal(8000).astype(np.float32)).shape
    (58,)
    """
    x = np.asarray(x, dtype=np.float32)
    if len(x) < rate // 4:
        x = np.pad(x, (0, rate // 4 - len(x)))
    peak = float(np.abs(x).max())
    x = x / peak if peak > 0 else x
    mel = log_mel(x, rate, n_mels=40)
    mel_std = mel.std(axis=0)

    p = power_spectrogram(x, n_fft=256, hop=int(0.010 * rate), win=int(0.025 * rate))
    mag = np.sqrt(p)
    mag_n = mag / (mag.sum(axis=1, keepdims=True) + 1e-9)
    flux = np.sqrt((np.diff(mag_n, axis=0) ** 2).sum(axis=1)) if len(mag_n) > 1 else np.zeros(1)
    flatness = np.exp(np.mean(np.log(p + 1e-10), axis=1)) / (np.mean(p, axis=1) + 1e-10)

    e_db = frame_energy_db(x, int(0.025 * rate), int(0.010 * rate))
    e_lin = 10 ** (e_db / 10)
    low_energy = float(np.mean(e_lin < 0.5 * e_lin.mean()))
    mod4 = _modulation_share(e_lin, frame_rate=100.0)

    frames = _frames(x, int(0.030 * rate), int(0.010 * rate))
    zcr = np.mean(np.abs(np.diff(np.signbit(frames), axis=1)), axis=1)
    harm = _harmonicity(frames, rate)
    f_db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    active = f_db > f_db.max() - 30

    stats = [
        flux.mean(),
        flux.std(),
        flatness.mean(),
        flatness.std(),
        low_energy,
        mod4,
        zcr.mean(),
        zcr.std(),
        harm.mean(),
        harm.std(),
        float(np.mean(harm[active] > 0.5)) if active.any() else 0.0,
        float(active.mean()),
        e_db.std() / 10.0,
        np.log(len(x) / rate + 1e-3),
        float(np.mean(np.abs(np.diff(mel, axis=0)))),
        float(np.std(np.diff(e_db))) / 10.0,
        float(np.median(harm)),
        float(np.percentile(flux, 90)),
    ]
    # no absolute spectral shape: it describes the recording channel more than the content
    return np.concatenate([mel_std, np.asarray(stats, dtype=np.float32)]).astype(np.float32)


def _frames(x: np.ndarray, frame: int, hop: int) -> np.ndarray:
    if len(x) < frame:
        x = np.pad(x, (0, frame - len(x)))
    n = 1 + (len(x) - frame) // hop
    idx = np.arange(frame)[None, :] + hop * np.arange(n)[:, None]
    return x[idx]


def _modulation_share(energy: np.ndarray, frame_rate: float) -> float:
    """Share of the energy envelope's modulation between 2 and 8 Hz (syllable rate of speech)."""
    env = energy - energy.mean()
    if len(env) < 8:
        return 0.0
    spec = np.abs(np.fft.rfft(env * np.hanning(len(env)))) ** 2
    freqs = np.fft.rfftfreq(len(env), 1.0 / frame_rate)
    band = (freqs >= 2) & (freqs <= 8)
    return float(spec[band].sum() / (spec[1:].sum() + 1e-12))


def _harmonicity(frames: np.ndarray, rate: int) -> np.ndarray:
    """Normalised autocorrelation peak per frame over pitch lags 60-400 Hz."""
    f = frames - frames.mean(axis=1, keepdims=True)
    n = f.shape[1]
    spec = np.fft.rfft(f, n=2 * n, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :n]
    lo, hi = int(rate / 400), min(n - 1, int(rate / 60))
    return (ac[:, lo:hi].max(axis=1) / (ac[:, 0] + 1e-9)).clip(0, 1)


class ContentClassifier:
    """Speech / music / vocals classifier over :func:`content_features`.

    Parameters
    ----------
    weights : path, optional
        ``.npz`` with ``mean``, ``scale``, ``coef``, ``intercept`` (defaults to the shipped file).

    Examples
    --------
    >>> clf = ContentClassifier()  # doctest: +SKIP
    >>> clf.predict_proba(np.zeros((1, 58), dtype=np.float32)).shape  # doctest: +SKIP
    (1, 3)
    """

    def __init__(self, weights: str | Path | None = None) -> None:
        from fakescope.audio.weights_io import weights_path

        data = np.load(weights or weights_path("content.npz"))
        self.mean_ = data["mean"]
        self.scale_ = data["scale"]
        self.coef_ = data["coef"]
        self.intercept_ = data["intercept"]

    def predict_proba(self, feats: np.ndarray) -> np.ndarray:
        z = ((feats - self.mean_) / self.scale_) @ self.coef_.T + self.intercept_
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def save_content_model(path: str | Path, mean, scale, coef, intercept) -> None:
    np.savez(
        path, mean=mean, scale=scale, coef=coef, intercept=intercept, classes=np.array(CLASSES)
    )


_DEFAULT: ContentClassifier | None = None


def classify_clip(clip) -> dict:
    """Content of a whole :class:`~fakescope.audio.clip.AudioClip`, memoised on the clip.

    Returns ``{"label", "probs", "segments", "has_voice", "has_music"}``: the label is the class
    with the highest mean probability over 4 s segments; a voice is present when
    P(speech) + P(vocals) >= 0.25 and music when P(music) + P(vocals) >= 0.5 (vocals over music
    go to both sides).
    """
    if "content" in clip.cache:
        return clip.cache["content"]
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = ContentClassifier()
    out = route(segment_probs(clip.mono_at(CONTENT_RATE), _DEFAULT))
    clip.cache["content"] = out
    return out


def segment_probs(x: np.ndarray, classifier: ContentClassifier) -> np.ndarray:
    """Class probabilities ``(n_segments, 3)`` of a mono signal at :data:`CONTENT_RATE`, in 4 s
    segments with 1 s of overlap (the segments :func:`classify_clip` routes on)."""
    from fakescope.audio.dsp import segment_bounds

    bounds = segment_bounds(len(x), CONTENT_RATE, SEGMENT_S, 1.0)
    feats = np.stack([content_features(x[a:b]) for a, b in bounds])
    return classifier.predict_proba(feats)


def route(
    probs: np.ndarray,
    voice_threshold: float = VOICE_THRESHOLD,
    music_threshold: float = MUSIC_THRESHOLD,
) -> dict:
    """The routing decision from per-segment probabilities (see :func:`classify_clip`).

    Examples
    --------
    >>> r = route(np.array([[0.6, 0.3, 0.1]]))
    >>> r["label"], r["has_voice"], r["has_music"]
    ('speech', True, False)
    """
    probs = np.atleast_2d(np.asarray(probs, dtype=np.float64))
    mean = probs.mean(axis=0)
    p_speech, p_music, p_vocals = (float(v) for v in mean)
    return {
        "label": CLASSES[int(np.argmax(mean))],
        "probs": {c: round(float(p), 4) for c, p in zip(CLASSES, mean, strict=True)},
        "segments": [CLASSES[int(i)] for i in probs.argmax(axis=1)],
        # routing: a voice is present -> voice-clone detectors; music is present -> music one
        # a missed voice hides a clone, a music file sent to the voice detectors only costs time,
        # so the voice side gets the benefit of the doubt
        "has_voice": p_speech + p_vocals >= voice_threshold,
        "has_music": p_music + p_vocals >= music_threshold,
    }
