"""``music-artifacts``: traces that machine-made music leaves in spectrum, phase and stereo.

Generated music is usually produced at 16-32 kHz and up-sampled, decoded from a neural codec
(quantised magnitudes, regenerated high band, re-synthesised phase) and often mono or
pseudo-stereo. The features below measure exactly those traces on 5 s segments at 44.1 kHz:

- spectral shape and roll-off: where the spectrum stops, how steep the cut is;
- spectral peaks: periodic narrow peaks left by up-sampling layers;
- high-band regeneration: correlation between the envelopes of adjacent high bands;
- phase: deviation of the instantaneous frequency of strong partials from a coherent phase;
- stereo: left/right correlation, side-to-mid energy per band, inter-channel phase spread.

A small MLP (weights ``weights/music.npz``) maps them to P(machine-made). It is trained on real
recordings against *simulated* machine music (see ``scripts/audio/build_music_corpus.py``), not on
the output of commercial music generators, which cannot be obtained offline.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.ndimage import median_filter

from fakescope.audio.dsp import resample, segment_bounds
from fakescope.audio.timeline import aggregate_logits, timeline_artefact
from fakescope.core.evidence import Evidence
from fakescope.core.fusion import sigmoid
from fakescope.core.media import Media

MUSIC_RATE = 44100
SEGMENT_S = 5.0
MIN_RATE = 32000
N_FFT, HOP = 2048, 1024
N_BANDS = 24


def _stft(x: np.ndarray) -> np.ndarray:
    if len(x) < N_FFT:
        x = np.pad(x, (0, N_FFT - len(x)))
    n = 1 + (len(x) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n)[:, None]
    return np.fft.rfft(x[idx] * np.hanning(N_FFT).astype(np.float32), axis=1)


FEATURE_NAMES = [f"band{i}" for i in range(N_BANDS)] + [
    "rolloff85",
    "rolloff95",
    "rolloff99",
    "cutoff",
    "cutoff_steepness",
    "peak_max",
    "peak_std",
    "peak_count",
    "hf_envelope_corr",
    "hf_energy_std",
    "hf_flatness",
    "hf_zero_share",
    "if_deviation",
    "if_deviation_hf",
    "lr_corr",
    "side_mid_db",
    "side_mid_low",
    "side_mid_mid",
    "side_mid_high",
    "ipd_std",
    "is_mono",
    "frame_energy_std",
]


def music_features(stereo: np.ndarray, rate: int = MUSIC_RATE) -> np.ndarray:
    """Feature vector of one segment ``(n, channels)`` at ``rate`` (44.1 kHz expected).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> music_features(rng.standard_normal((44100, 2)).astype(np.float32) * 0.1).shape
    (46,)
    """
    stereo = np.asarray(stereo, dtype=np.float32)
    if stereo.ndim == 1:
        stereo = stereo[:, None]
    peak = float(np.abs(stereo).max()) or 1.0
    stereo = stereo / peak
    mono = stereo.mean(axis=1)
    X = _stft(mono)
    P = (X.real**2 + X.imag**2) + 1e-12
    nyq = rate / 2
    freqs = np.linspace(0, nyq, P.shape[1])
    avg = 10 * np.log10(P.mean(axis=0))
    top = avg.max()

    edges = np.linspace(0, P.shape[1], N_BANDS + 1).astype(int)
    bands = np.array([avg[a:b].mean() for a, b in zip(edges[:-1], edges[1:], strict=True)])
    bands = (bands - bands.mean()) / 20.0

    cum = np.cumsum(P.mean(axis=0))
    cum /= cum[-1]
    roll = [freqs[int(np.searchsorted(cum, q))] / nyq for q in (0.85, 0.95, 0.99)]
    above = np.flatnonzero(avg > top - 70)
    cut_i = int(above[-1]) if above.size else len(avg) - 1
    cutoff = freqs[cut_i] / nyq
    width = max(1, int(1000 / (nyq / (P.shape[1] - 1))))
    lo = max(0, cut_i - width)
    steep = (avg[lo] - avg[min(len(avg) - 1, cut_i + width)]) / 60.0

    resid = avg - median_filter(avg, size=31, mode="nearest")
    hf = freqs > 2000
    peak_max = float(resid[hf].max()) / 10 if hf.any() else 0.0
    peak_std = float(resid[hf].std()) / 10 if hf.any() else 0.0
    peak_count = float(np.mean(resid[hf] > 6.0)) if hf.any() else 0.0

    def band_env(f0: float, f1: float) -> np.ndarray:
        m = (freqs >= f0) & (freqs < f1)
        return np.log10(P[:, m].mean(axis=1))

    e1, e2 = band_env(5500, 11000), band_env(11000, min(16500, nyq))
    hf_corr = (
        float(np.corrcoef(e1, e2)[0, 1]) if len(e1) > 2 and e1.std() > 0 and e2.std() > 0 else 0.0
    )
    hf_std = float(e2.std()) if len(e2) > 1 else 0.0
    hfm = freqs > 8000
    hf_flat = float(np.mean(np.exp(np.mean(np.log(P[:, hfm]), axis=1)) / P[:, hfm].mean(axis=1)))
    hf_zero = float(np.mean(10 * np.log10(P[:, hfm]) < top - 90))

    if_dev, if_dev_hf = _if_deviation(X, freqs)

    if stereo.shape[1] >= 2:
        left, right = stereo[:, 0], stereo[:, 1]
        lr = float(np.corrcoef(left, right)[0, 1]) if left.std() > 0 and right.std() > 0 else 1.0
        mid, side = (left + right) / 2, (left - right) / 2
        M, S = _stft(mid), _stft(side)
        pm, ps = np.abs(M) ** 2 + 1e-12, np.abs(S) ** 2 + 1e-12

        def ratio(f0: float, f1: float) -> float:
            m = (freqs >= f0) & (freqs < f1)
            return float(np.clip(10 * np.log10(ps[:, m].sum() / pm[:, m].sum()), -60, 10)) / 20

        sm = [ratio(0, nyq), ratio(0, 1000), ratio(1000, 6000), ratio(6000, nyq)]
        L, R = _stft(left), _stft(right)
        strong = (np.abs(M) > np.percentile(np.abs(M), 95)) & ((freqs > 200) & (freqs < 6000))
        ipd = np.angle(L[strong] * np.conj(R[strong])) if strong.any() else np.zeros(1)
        ipd_std = float(np.std(ipd))
        is_mono = float(np.max(np.abs(left - right)) < 1e-4)
    else:
        lr, sm, ipd_std, is_mono = 1.0, [-3.0, -3.0, -3.0, -3.0], 0.0, 1.0
    fe = 10 * np.log10(P.sum(axis=1))
    stats = [
        *roll,
        cutoff,
        steep,
        peak_max,
        peak_std,
        peak_count,
        hf_corr,
        hf_std,
        hf_flat,
        hf_zero,
        if_dev,
        if_dev_hf,
        lr,
        *sm,
        ipd_std,
        is_mono,
        float(fe.std()) / 10,
    ]
    return np.nan_to_num(np.concatenate([bands, np.asarray(stats)]).astype(np.float32))


def _if_deviation(X: np.ndarray, freqs: np.ndarray) -> tuple[float, float]:
    """Mean |wrapped phase advance - expected advance| of strong bins (0.2-5 kHz and 5-12 kHz)."""
    if len(X) < 3:
        return 0.0, 0.0
    k = np.arange(X.shape[1])
    expected = 2 * np.pi * k * HOP / N_FFT
    dphi = np.angle(X[1:]) - np.angle(X[:-1]) - expected[None, :]
    dev = np.abs(np.angle(np.exp(1j * dphi)))
    mag = np.abs(X[1:])
    out = []
    for f0, f1 in ((200, 5000), (5000, 12000)):
        band = (freqs >= f0) & (freqs < f1)
        m = mag[:, band]
        strong = m > np.percentile(m, 90)
        # a true partial keeps its phase advance between neighbouring bins' expectations
        out.append(float(dev[:, band][strong].mean()) if strong.any() else 0.0)
    return out[0], out[1]


class MusicModel:
    """Standardiser + one-hidden-layer MLP evaluated in NumPy."""

    def __init__(self, path: str | Path) -> None:
        d = np.load(path)
        self.mean, self.scale = d["mean"], d["scale"]
        self.w1, self.b1, self.w2, self.b2 = d["w1"], d["b1"], d["w2"], d["b2"]
        self.cal = d["cal"] if "cal" in d.files else np.array([1.0, 0.0])

    def logits(self, feats: np.ndarray) -> np.ndarray:
        h = np.maximum(((feats - self.mean) / self.scale) @ self.w1 + self.b1, 0)
        z = (h @ self.w2 + self.b2)[:, 0]
        return self.cal[0] * z + self.cal[1]


def save_music_model(path: str | Path, scaler, mlp, cal=(1.0, 0.0)) -> None:
    np.savez(
        path,
        mean=scaler.mean_,
        scale=scaler.scale_,
        w1=mlp.coefs_[0],
        b1=mlp.intercepts_[0],
        w2=mlp.coefs_[1],
        b2=mlp.intercepts_[1],
        cal=np.array(cal),
        names=np.array(FEATURE_NAMES),
    )


def music_segments(clip) -> list[tuple[float, float, np.ndarray]]:
    """5 s segments of the clip at 44.1 kHz, all channels kept."""
    x = clip.samples
    if clip.sample_rate != MUSIC_RATE:
        x = resample(x, clip.sample_rate, MUSIC_RATE)
    return [
        (a / MUSIC_RATE, b / MUSIC_RATE, x[a:b])
        for a, b in segment_bounds(len(x), MUSIC_RATE, SEGMENT_S, 2.0)
    ]


class MusicArtifactsDetector:
    """Machine-made music detector over spectral, phase and stereo features.

    Examples
    --------
    >>> det = MusicArtifactsDetector()  # doctest: +SKIP
    >>> det.score(media).details["content"]["label"]  # doctest: +SKIP
    'music'
    """

    name = "music-artifacts"
    modality = "audio"
    abilities = {"weights": "audio"}  # see fakescope.testing

    def __init__(self, weights: str | Path | None = None) -> None:
        from fakescope.audio.weights_io import weights_path

        self.model = MusicModel(weights or weights_path("music.npz"))

    def score(self, media: Media) -> Evidence:
        from fakescope.audio.threads import single_thread

        with single_thread():
            return self._score(media)

    def _score(self, media: Media) -> Evidence:
        from fakescope.audio.content import classify_clip

        clip = media.data
        content = classify_clip(clip)
        if not content.get("has_music", content["label"] != "speech"):
            return Evidence(
                self.name,
                None,
                "sounds like speech, not music: music check not applied",
                details={"content": content},
            )
        if clip.sample_rate < MIN_RATE:
            return Evidence(
                self.name,
                None,
                f"sample rate {clip.sample_rate} Hz is too low to judge music artefacts "
                f"(needs {MIN_RATE} Hz or more)",
                details={"content": content},
            )
        if clip.duration < 1.0:
            return Evidence(
                self.name,
                None,
                "too short to judge (under 1 s of music)",
                details={"content": content},
            )
        segs = music_segments(clip)
        feats = np.stack([music_features(s) for _, _, s in segs])
        z_seg = self.model.logits(feats)
        lengths = np.array([len(s) for _, _, s in segs], dtype=np.float64)
        z = aggregate_logits(z_seg, lengths)
        p = sigmoid(z)
        mean_feats = feats.mean(axis=0)
        named = dict(zip(FEATURE_NAMES, mean_feats.tolist(), strict=True))
        cues = []
        if named["cutoff"] < 0.8:
            cues.append(f"the spectrum stops at {named['cutoff'] * MUSIC_RATE / 2000:.1f} kHz")
        if named["is_mono"] > 0.5 and clip.channels > 1:
            cues.append("both channels are identical")
        if p >= 0.7:
            reason = "spectral, phase and stereo traces look machine-generated"
        elif p <= 0.3:
            reason = "no traces of machine-generated music found"
        else:
            reason = "some traces of machine-generated music, not conclusive"
        if cues:
            reason += " (" + "; ".join(cues) + ")"
        seg_scores = [sigmoid(float(v)) for v in z_seg]
        artefacts = [_spectrum_artefact(segs)]
        if len(segs) > 1:
            artefacts.append(
                timeline_artefact(
                    [a for a, _, _ in segs],
                    [b for _, b, _ in segs],
                    seg_scores,
                    "music-artifacts: P(machine-made) per segment",
                )
            )
        details = {
            "log_odds": round(z, 4),
            "content": content,
            "features": {k: round(v, 4) for k, v in named.items()},
            "segments": [
                {"start_s": round(a, 3), "end_s": round(b, 3), "score": round(s, 4)}
                for (a, b, _), s in zip(segs, seg_scores, strict=True)
            ],
        }
        return Evidence(self.name, p, reason, artefacts=artefacts, details=details)


def _spectrum_artefact(segs):
    """Average spectrum (dB) of the file: where it stops and where peaks stand out."""
    from fakescope.core.evidence import Artefact
    from fakescope.core.plotting import figure_to_png, new_figure

    acc = None
    for _, _, s in segs[:12]:
        m = s.mean(axis=1) if s.ndim == 2 else s
        p = (np.abs(_stft(m)) ** 2).mean(axis=0)
        acc = p if acc is None else acc + p
    db = 10 * np.log10(acc / len(segs[:12]) + 1e-12)
    freqs = np.linspace(0, MUSIC_RATE / 2000, len(db))
    fig, ax = new_figure(6.0, 2.4)
    ax.plot(freqs, db - db.max(), lw=0.8, color="#2c3e50")
    ax.set_xlabel("frequency (kHz)")
    ax.set_ylabel("dB")
    ax.set_ylim(-110, 5)
    ax.set_title("average spectrum (cut-offs and peaks are up-sampling / codec traces)", fontsize=9)
    return Artefact(kind="image", title="music spectrum", png=figure_to_png(fig))


# -- training ---------------------------------------------------------------------------------
def corpus_features(root: Path, split: str, log) -> tuple[np.ndarray, np.ndarray]:
    """Features of ``root/<split>/{real,fake}/*.wav`` (one 5 s segment per excerpt start)."""
    from fakescope.audio.loader import load_audio

    xs, ys = [], []
    for label, sub in ((0, "real"), (1, "fake")):
        for p in sorted((root / split / sub).glob("*.wav")):
            clip = load_audio(p)[0].data
            for _, _, seg in music_segments(clip):
                xs.append(music_features(seg))
                ys.append(label)
    log(f"music: {split}: {ys.count(0)} real and {ys.count(1)} fake segments")
    return np.stack(xs), np.array(ys)


def train_music(root: Path, out: Path, seed: int, log) -> dict:
    """Fit the music MLP on ``root/train`` and calibrate on ``root/calib``."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import StandardScaler

    from fakescope.core import metrics

    xtr, ytr = corpus_features(root, "train", log)
    xca, yca = corpus_features(root, "calib", log)
    scaler = StandardScaler().fit(xtr)
    scaler.scale_ = np.maximum(scaler.scale_, 1e-6)
    mlp = MLPClassifier((32,), alpha=1e-2, max_iter=2000, random_state=seed).fit(
        scaler.transform(xtr), ytr
    )
    save_music_model(out, scaler, mlp)
    raw = MusicModel(out).logits(xca)
    lr = LogisticRegression(C=1.0).fit(raw[:, None], yca)
    cal = (float(lr.coef_[0, 0]), float(lr.intercept_[0]))
    save_music_model(out, scaler, mlp, cal)
    scores = [sigmoid(v) for v in MusicModel(out).logits(xca)]
    info = {
        "calib_roc_auc": metrics.roc_auc(yca, scores),
        "calib_eer": metrics.equal_error_rate(yca, scores)[0],
        "n_train": int(len(ytr)),
        "n_calib": int(len(yca)),
    }
    log(f"music: calibration AUC {info['calib_roc_auc']:.4f} EER {info['calib_eer']:.2%}")
    return info
