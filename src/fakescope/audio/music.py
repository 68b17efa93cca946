"""``music-artifacts``: is this music machine-made? The spectral-peak fakeprint, at 16 kHz.

Every input is mixed to mono and brought to one fixed rate, 16 kHz, whatever its own, so that a
file's sample rate or a band limit above 8 kHz (the traits that separated generator clips from
real ones in the data sets, not the generators themselves) cannot decide the score.

Each 3 s segment gets the spectral-peak "fakeprint" of :mod:`fakescope.audio.music_fakeprint`
(the long-term average spectrum over its lower envelope, 0.5-7.8 kHz, in ~31 Hz steps: the
regular peaks of decoder up-sampling layers). A logistic regression (``weights/music.npz``,
trained by ``fakescope train music`` on six generator families against real music, every clip
through the same random codec chains) maps it to log-odds, calibrated on
leave-one-generator-out scores. Evidence: the file's fakeprint, the per-segment
timeline, the native band limit (shown, not scored), and the music analysis (tempo, beats,
drums, vocals) of :mod:`fakescope.audio.music_analysis`.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from fakescope.audio import music_fakeprint as mf
from fakescope.audio.dsp import segment_bounds
from fakescope.audio.timeline import aggregate_logits, segments_timeline
from fakescope.core.evidence import Artefact, Evidence
from fakescope.core.fusion import sigmoid
from fakescope.core.media import Media

RATE = mf.RATE
SEGMENT_S = 3.0
MIN_RATE = 16000
# the feature groups of the shipped model: the fakeprint vector won the issue-17 protocol over
# the summary statistics, their union and a 32 kHz wide-band branch (docs/music.md)
KINDS = ("fpvec",)


def kind_features(
    x: np.ndarray, kinds: tuple[str, ...] = KINDS, spec: mf.Spec = mf.NARROW
) -> np.ndarray:
    """The model's input for one mono segment at ``spec.rate``: the named feature groups.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal(48000).astype(np.float32)
    >>> kind_features(x).shape
    (233,)
    >>> kind_features(x, ("summary", "fpvec")).shape
    (281,)
    """
    x = np.asarray(x, np.float32)
    peak = float(np.abs(x).max())
    xn = x / peak if peak > 0 else x
    parts = []
    for kind in kinds:
        if kind == "summary":
            parts.append(mf.segment_features(xn, spec))
        elif kind == "fpvec":
            parts.append(mf.fakeprint_vector(mf.power_frames(xn, spec), spec))
        else:
            raise ValueError(f"unknown music feature group {kind!r}")
    return np.concatenate(parts).astype(np.float32)


class MusicModel:
    """Standardiser + logistic regression + Platt calibration, evaluated in NumPy."""

    def __init__(self, path: str | Path) -> None:
        d = np.load(path, allow_pickle=False)
        if "coef" not in d.files:
            raise ValueError(
                f"{path}: not a music-artifacts model of this release (retrain it with "
                "`fakescope train music`)"
            )
        self.kinds = tuple(str(k) for k in d["kinds"])
        self.spec = mf.SPECS[str(d["spec"])] if "spec" in d.files else mf.NARROW
        self.mean, self.scale = d["mean"], d["scale"]
        self.coef, self.intercept = d["coef"], float(d["intercept"])
        self.cal = d["cal"]

    def raw(self, feats: np.ndarray) -> np.ndarray:
        return ((feats - self.mean) / self.scale) @ self.coef + self.intercept

    def logits(self, feats: np.ndarray) -> np.ndarray:
        return self.cal[0] * self.raw(feats) + self.cal[1]


def save_music_model(
    path: str | Path, kinds, scaler, lr, cal=(1.0, 0.0), info: str = "", spec=mf.NARROW
) -> None:
    """Write the model file that :class:`MusicModel` reads."""
    np.savez(
        path,
        kinds=np.array(kinds),
        spec=np.array(spec.name),
        mean=scaler.mean_,
        scale=np.maximum(scaler.scale_, 1e-6),
        coef=lr.coef_[0],
        intercept=np.array(lr.intercept_[0]),
        cal=np.array(cal, dtype=np.float64),
        info=np.array(info),
    )


def music_segments(x: np.ndarray, rate: int = RATE) -> list[tuple[float, float, np.ndarray]]:
    """3 s segments of mono audio (a last piece of 1.5 s or more is kept)."""
    return [(a / rate, b / rate, x[a:b]) for a, b in segment_bounds(len(x), rate, SEGMENT_S, 1.5)]


def native_band_limit(clip) -> float | None:
    """Where the file's own spectrum stops (Hz, -60 dB under its peak), at its own rate."""
    x = clip.mono()[: clip.sample_rate * 30]
    if len(x) < 2048:
        return None
    n = 2048
    frames = x[: len(x) // n * n].reshape(-1, n) * np.hanning(n)
    p = (np.abs(np.fft.rfft(frames, axis=1)) ** 2).mean(axis=0) + 1e-20
    db = 10 * np.log10(p)
    above = np.flatnonzero(db > db.max() - 60)
    return float(above[-1] * clip.sample_rate / n) if above.size else None


class MusicArtifactsDetector:
    """Machine-made music detector (fakeprint + band statistics, logistic regression).

    Examples
    --------
    >>> det = MusicArtifactsDetector()  # doctest: +SKIP
    >>> det.score(media).details["segments"][0]["score"]  # doctest: +SKIP
    0.93
    """

    name = "music-artifacts"
    modality = "audio"
    abilities = {"weights": "audio"}  # see fakescope.testing

    def __init__(self, weights: str | Path | None = None, analysis: bool = True) -> None:
        from fakescope.audio.weights_io import weights_path

        self.model = MusicModel(weights or weights_path("music.npz"))
        self.analysis = analysis

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
                f"sample rate {clip.sample_rate} Hz is too low to "
                f"judge music artefacts (needs {MIN_RATE} Hz or more)",
                details={"content": content},
            )
        if clip.duration < 1.0:
            return Evidence(
                self.name,
                None,
                "too short to judge (under 1 s of music)",
                details={"content": content},
            )
        x16 = clip.mono_at(RATE)
        model = self.model
        rate = model.spec.rate
        segs = music_segments(clip.mono_at(rate), rate)
        feats = np.stack([kind_features(s, model.kinds, model.spec) for _, _, s in segs])
        z_seg = model.logits(feats)
        lengths = np.array([len(s) for _, _, s in segs], dtype=np.float64)
        z = aggregate_logits(z_seg, lengths)
        p = sigmoid(z)
        seg_scores = [sigmoid(float(v)) for v in z_seg]
        fp_power = mf.power_frames(_head(clip.mono_at(rate), rate), model.spec)
        fp_info = fakeprint_details(fp_power, model.spec)
        band = native_band_limit(clip)
        if p >= 0.7:
            reason = "spectral-peak pattern and band statistics look machine-generated"
        elif p <= 0.3:
            reason = "no traces of machine-generated music found"
        else:
            reason = "some traces of machine-generated music, not conclusive"
        if band is not None and band < min(12000.0, 0.7 * clip.sample_rate / 2):
            reason += (
                f" (the file's spectrum stops at {band / 1000:.1f} kHz: shown, not "
                "scored, as real recordings can be band-limited too)"
            )
        artefacts = [fakeprint_artefact(fp_power, model.spec)]
        title = "music-artifacts: P(machine-made) per segment"
        artefacts += segments_timeline(segs, seg_scores, title)
        details = {
            "log_odds": round(z, 4),
            "content": content,
            "analysis_rate_hz": rate,
            "native_band_limit_hz": None if band is None else round(band),
            "fakeprint": fp_info,
            "segments": [
                {"start_s": round(a, 3), "end_s": round(b, 3), "score": round(s, 4)}
                for (a, b, _), s in zip(segs, seg_scores, strict=True)
            ],
        }
        if self.analysis:
            analysis = _analysis(clip, x16)
            if analysis is not None:
                from fakescope.audio.music_analysis.plot import analysis_png

                details["music_analysis"] = analysis.to_dict()
                # the picture keeps what it draws from: the analysis' mel frames, or else the
                # first minute of sound, never the whole file
                sound = x16[:0] if analysis.mel is not None else x16[: int(60 * RATE)]
                draw = partial(analysis_png, sound.copy(), analysis)
                artefacts.append(Artefact(kind="image", title="music analysis", render=draw))
        return Evidence(self.name, p, reason, artefacts=artefacts, details=details)


def _analysis(clip, x16):
    """The clip's music analysis (cached on the clip); ``None`` without analysis weights."""
    if "music_analysis" not in clip.cache:
        from fakescope.audio.music_analysis import analyze_music

        try:
            clip.cache["music_analysis"] = analyze_music(x16, RATE)
        except FileNotFoundError:
            clip.cache["music_analysis"] = None
    return clip.cache["music_analysis"]


def _head(x: np.ndarray, rate: int, seconds: float = 60.0) -> np.ndarray:
    """The first ``seconds`` of ``x``, peak-normalised (what the file-level pictures use)."""
    x = x[: int(rate * seconds)]
    return x / (float(np.abs(x).max()) or 1.0)


def fakeprint_details(power: np.ndarray, spec: mf.Spec = mf.NARROW) -> dict:
    """Readable fakeprint numbers of a file's power frames: strongest regular comb, peak
    stationarity, share of bins 3 dB over the envelope."""
    fp = mf.fakeprint(mf.ltas_db(power), spec)
    spacing, strength = mf.strongest_comb(fp, spec)
    stats = dict(zip(*reversed(mf.fakeprint_summary(power, spec)), strict=True))
    return {
        "strongest_comb_hz": round(spacing, 1),
        "comb_strength_db": round(strength, 2),
        "peak_stationarity": round(float(stats["fp_stationarity"]), 3),
        "peaks_over_3db_share": round(float(np.mean(fp > 3.0)), 3),
    }


def fakeprint_artefact(power: np.ndarray, spec: mf.Spec = mf.NARROW) -> Artefact:
    """The file's fakeprint (peaks over the spectral envelope) as a picture."""
    from fakescope.audio.music_analysis.plot import line_plot_png

    fp = mf.fakeprint(mf.ltas_db(power), spec)
    freqs = (np.arange(len(fp)) * spec.bin_hz + spec.low_hz) / 1000
    spacing, strength = mf.strongest_comb(fp, spec)
    marks = None
    if strength > 1.0:
        marks = np.arange(np.ceil(spec.low_hz / spacing) * spacing, spec.high_hz, spacing) / 1000
    title = "fakeprint: dB over the spectral envelope"
    if marks is not None:
        title += f" (red: strongest regular comb, {spacing:.0f} Hz apart)"
    return Artefact(
        kind="image",
        title="music fakeprint",
        render=partial(line_plot_png, freqs, fp, title, "kHz", marks),
        data={"strongest_comb_hz": round(spacing, 1)},
    )


def train_music(root: Path, out: Path, seed: int, log) -> None:
    """Called by ``fakescope train audio``: the music model is trained by ``fakescope train
    music`` (real generator clips, codec chains), not from the speech corpus; the shipped music
    files are copied next to the new speech weights so that the folder is complete."""
    import shutil

    from fakescope.audio.weights_io import SHIPPED

    for name in ("music.npz", "music_analysis.pt"):
        target = Path(out).parent / name
        if not target.exists() and (SHIPPED / name).exists():
            shutil.copyfile(SHIPPED / name, target)
    log(
        f"music: copied the shipped music weights (train them with `fakescope train music`); "
        f"{root} not used"
    )
    return None
