"""Train the audio weights: content classifier, ``lfcc-gmm``, ``spec-cnn``, music model, fuser.

``fakescope train audio`` calls :func:`train_all`, one step per model; the longer per-model
recipes have their own modules (:mod:`~fakescope.audio.content_training`,
:mod:`~fakescope.audio.spec_cnn_training`, :mod:`~fakescope.audio.fuser_training`). Real and
synthetic speech pass through exactly the same chain: decode -> mono -> 8 kHz -> random channel
(noise, telephone band, mu-law, MP3, Opus; the same distribution for both classes) -> the
detectors' front end (band 70-3700 Hz, silence trimmed, peak-normalised). The detectors therefore
cannot learn the source's sample rate, band or codec, only the voice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from fakescope.audio.augment import random_channel

# per-model recipes live in their own modules; importable from here too, as callers always have
from fakescope.audio.content_training import music_files, train_content
from fakescope.audio.corpus import Item, real_items, tts_items
from fakescope.audio.dsp import SPEECH_RATE, resample, speech_frontend
from fakescope.audio.fuser_training import fit_speech_fusers
from fakescope.audio.spec_cnn_training import train_spec_cnn

Log = Callable[[str], None]
__all__ = [
    "Prepared",
    "fit_calibration",
    "music_files",
    "prepare_speech",
    "train_all",
    "train_content",
    "train_lfcc_gmm",
    "train_spec_cnn",
    "train_whisper_embed",
]


@dataclass
class Prepared:
    """Front-end audio of one item (possibly one of several augmented copies)."""

    item: Item
    audio: np.ndarray  # 8 kHz front-end output
    copy: int


def _read_mono(path: Path) -> tuple[np.ndarray, int]:
    import soundfile as sf

    x, rate = sf.read(str(path), dtype="float32", always_2d=True)
    return x.mean(axis=1), int(rate)


def prepare_speech(
    items: list[Item],
    copies: dict[str, int],
    seed: int,
    cache: Path | None,
    log: Log,
    progress: Callable[[int, int], None] | None = None,
) -> list[Prepared]:
    """Decode, augment and front-end every item (``copies[split]`` versions each).

    Copy 0 of a calibration or test item is left clean; further copies get a random channel,
    copies from the third on also a speed perturbation.
    Results are cached per (file, copy, seed) in ``cache`` (an ``.npz`` per source) so that
    leave-one-engine-out runs reuse them.
    """
    out: list[Prepared] = []
    memo: dict[str, np.ndarray] = {}
    cache_file = None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        cache_file = cache / f"speech_seed{seed}.npz"
        if cache_file.exists():
            with np.load(cache_file) as data:
                memo = {k: data[k] for k in data.files}
            log(f"reusing {len(memo)} cached front-end clips from {cache_file}")
    n_new = 0
    for idx, item in enumerate(items):
        n_copies = copies.get(item.split, 1)
        for c in range(n_copies):
            key = f"{item.path}|{c}"
            if key not in memo:
                rng = np.random.default_rng(_stable_seed(item.path.name, item.source, c, seed))
                x, rate = _read_mono(item.path)
                x = resample(x, rate, SPEECH_RATE)
                if c >= 2:
                    # speed perturbation (pitch and tempo x0.88-1.12): new "speakers" for both
                    # classes, so the detectors do not learn the few training speakers' voices
                    x = resample(
                        x, SPEECH_RATE, int(round(SPEECH_RATE * rng.uniform(0.88, 1.12), -2))
                    )
                if c > 0 or item.split == "train":
                    x, _ = random_channel(rng, p=0.7)(x, SPEECH_RATE, rng)
                y = speech_frontend(x, SPEECH_RATE)
                memo[key] = y
                n_new += 1
            if len(memo[key]) >= int(0.2 * SPEECH_RATE):
                out.append(Prepared(item, memo[key], c))
        if progress is not None:
            progress(idx + 1, len(items))
    if cache_file is not None and n_new:
        np.savez(cache_file, **memo)
    return out


def train_whisper_embed(
    train: list[Prepared],
    calib: list[Prepared],
    y_cal: np.ndarray,
    out: Path,
    log: Log,
    progress_factory=None,
) -> np.ndarray | None:
    """Fit and calibrate the `whisper-embed` head; its calibrated logits on ``calib``.

    Returns None (and trains nothing) when no Whisper encoder is installed.
    """
    from fakescope.audio.whisper_embed import WEIGHTS_FILE, fit_head, whisper_features
    from fakescope.audio.whisper_encoder import WhisperUnavailable, load_encoder

    try:
        encoder = load_encoder()
    except WhisperUnavailable as exc:
        log(f"whisper-embed not trained: {exc}")
        (out / WEIGHTS_FILE).unlink(missing_ok=True)
        return None
    with _progress(progress_factory, "whisper features", len(train) + len(calib)) as tick:
        feats = whisper_features(encoder, [p.audio for p in train + calib], tick)
    head = fit_head(feats[: len(train)], np.array([p.item.label for p in train]), encoder=encoder)
    raw = head.raw(feats[len(train) :])
    head.cal = fit_calibration(raw, y_cal)
    head.save(out / WEIGHTS_FILE)
    log(f"whisper-embed head trained on {len(train)} clips ({encoder.source})")
    return head.logits(feats[len(train) :])


def _stable_seed(*parts) -> int:
    import hashlib

    return int(hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


# -- lfcc-gmm ---------------------------------------------------------------------------------
def train_lfcc_gmm(train: list[Prepared], n_components: int, seed: int, log: Log):
    from sklearn.mixture import GaussianMixture

    from fakescope.audio.lfcc_gmm import segment_lfcc

    rng = np.random.default_rng(seed)
    gmms = {}
    for label in (0, 1):
        frames = np.concatenate([segment_lfcc(p.audio) for p in train if p.item.label == label])
        if len(frames) > 120_000:
            frames = frames[rng.choice(len(frames), 120_000, replace=False)]
        t = time.time()
        gm = GaussianMixture(
            n_components,
            covariance_type="diag",
            max_iter=60,
            reg_covar=1e-3,
            random_state=seed,
            init_params="k-means++",
        ).fit(frames)
        log(
            f"lfcc-gmm: {'spoof' if label else 'bona fide'} GMM on {len(frames)} frames "
            f"({time.time() - t:.0f} s)"
        )
        gmms[label] = gm
    return gmms[0], gmms[1]


def fit_calibration(raw: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt scaling: ``logit = a * raw + b`` fitted on held-out data."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=10.0).fit(raw[:, None], labels)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


# -- the whole run ----------------------------------------------------------------------------
def train_all(
    out: Path,
    fsdd: Path,
    tts: Path,
    music_dirs: list[Path],
    holdout: str | None,
    epochs: int = 10,
    gmm_components: int = 64,
    seed: int = 0,
    cnn_members: int = 2,
    cache: Path | None = None,
    music_corpus: Path | None = None,
    log: Log = print,
    progress_factory=None,
    adversarial: bool = False,
) -> dict:
    """Train every audio model and write the weights folder ``out``; returns the training info.

    One step per model, in order: the content classifier (routing), ``lfcc-gmm``, the
    ``spec-cnn`` ensemble, ``whisper-embed`` when an encoder is installed, then the fusers over
    their calibrated scores on the calibration clips.
    """
    import torch

    torch.set_num_threads(1)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    items = real_items(fsdd) + tts_items(tts, holdout)
    items = [i for i in items if i.split in ("train", "calib")]
    counts = {}
    for i in items:
        key = f"{i.split}/{'fake' if i.label else 'real'}/{i.source}"
        counts[key] = counts.get(key, 0) + 1
    log("items: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    copies = {"train": 3, "calib": 2}
    with _progress(progress_factory, "front end", len(items)) as tick:
        prepared = prepare_speech(items, copies, seed, cache, log, tick)
    train = [p for p in prepared if p.item.split == "train"]
    calib = [p for p in prepared if p.item.split == "calib"]
    log(
        f"prepared {len(train)} training and {len(calib)} calibration clips "
        f"({time.time() - t0:.0f} s)"
    )
    y_cal = np.array([p.item.label for p in calib])

    content_accuracy = _fit_content(out, train, music_dirs, seed, log)
    hardening = None
    if adversarial:
        from fakescope.robustness.adversarial import AudioAdversarialTraining

        hardening = AudioAdversarialTraining()
    scores = {
        "lfcc-gmm": _fit_lfcc_gmm(out, train, calib, y_cal, gmm_components, seed, log),
        "spec-cnn": _fit_spec_cnn(
            out, train, calib, y_cal, epochs, cnn_members, seed, hardening, log, progress_factory
        ),
    }
    whisper_logits = train_whisper_embed(train, calib, y_cal, out, log, progress_factory)
    if whisper_logits is not None:
        from fakescope.core.fusion import sigmoid

        scores["whisper-embed"] = [sigmoid(v) for v in whisper_logits]
    music_info = None
    if music_corpus is not None and Path(music_corpus).is_dir():
        from fakescope.audio.music import train_music

        music_info = train_music(Path(music_corpus), out / "music.npz", seed, log)
    # after the music weights: the music fuser is written only where they are
    calib_metrics = fit_speech_fusers(out, scores, y_cal, holdout, log)

    info = {
        "holdout_engine": holdout,
        "seed": seed,
        "epochs": epochs,
        "spec_cnn_members": cnn_members,
        "adversarial": None if hardening is None else asdict(hardening),
        "gmm_components": gmm_components,
        "counts": counts,
        "calibration_metrics": calib_metrics,
        "content_training_accuracy": content_accuracy,
        "music": music_info,
        "seconds": round(time.time() - t0, 1),
    }
    (out / "training_info.json").write_text(json.dumps(info, indent=2) + "\n")
    log(f"weights written to {out} in {time.time() - t0:.0f} s")
    return info


def _fit_content(
    out: Path, train: list[Prepared], music_dirs: list[Path], seed: int, log: Log
) -> float:
    """The content classifier (routing) to ``out/content.npz``; its training accuracy."""
    from fakescope.audio.content import save_content_model

    m_files = music_files(music_dirs)
    if not m_files:
        raise FileNotFoundError(
            "no music files found for the content classifier "
            f"(looked in {', '.join(map(str, music_dirs))})"
        )
    mean, scale, coef, intercept, acc = train_content([p.audio for p in train], m_files, seed, log)
    save_content_model(out / "content.npz", mean, scale, coef, intercept)
    return acc


def _fit_lfcc_gmm(
    out: Path,
    train: list[Prepared],
    calib: list[Prepared],
    y_cal: np.ndarray,
    components: int,
    seed: int,
    log: Log,
) -> list[float]:
    """``lfcc-gmm`` fitted and calibrated to ``out/lfcc_gmm.npz``; its P(fake) on ``calib``."""
    from fakescope.audio.lfcc_gmm import LfccGmmDetector, save_lfcc_gmm
    from fakescope.core.fusion import sigmoid

    bona, spoof = train_lfcc_gmm(train, components, seed, log)
    save_lfcc_gmm(out / "lfcc_gmm.npz", bona, spoof, (1.0, 0.0))
    raw = LfccGmmDetector(out / "lfcc_gmm.npz").raw_llr([p.audio for p in calib])
    a, b = fit_calibration(raw, y_cal)
    save_lfcc_gmm(out / "lfcc_gmm.npz", bona, spoof, (a, b))
    return [sigmoid(a * v + b) for v in raw]


def _fit_spec_cnn(
    out: Path,
    train: list[Prepared],
    calib: list[Prepared],
    y_cal: np.ndarray,
    epochs: int,
    members: int,
    seed: int,
    hardening,
    log: Log,
    progress_factory=None,
) -> list[float]:
    """The ``spec-cnn`` ensemble to ``out/spec_cnn.pt``, each member calibrated; its P(fake).

    Members come from consecutive seeds: averaging their calibrated logits generalised better
    to held-out engines than any one of them (docs/audio.md).
    """
    import torch

    from fakescope.audio.spec_cnn import SpecCnnDetector, average_calibrated
    from fakescope.core.fusion import sigmoid

    width = 8
    nets = []
    for m in range(members):
        with _progress(progress_factory, f"spec-cnn {m + 1}/{members} epochs", epochs) as tick:
            model = train_spec_cnn(train, epochs, seed + m, width, log, tick, hardening)
        nets.append({"state_dict": model.state_dict(), "width": width, "cal": [1.0, 0.0]})
    torch.save({"members": nets}, out / "spec_cnn.pt")
    raw_members = SpecCnnDetector(out / "spec_cnn.pt").raw_logits([p.audio for p in calib])
    for net, raw in zip(nets, raw_members, strict=True):
        net["cal"] = list(fit_calibration(raw, y_cal))
    torch.save({"members": nets}, out / "spec_cnn.pt")
    logits = average_calibrated(raw_members, [tuple(n["cal"]) for n in nets])
    return [sigmoid(v) for v in logits]


class _NullTick:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _progress(factory, label: str, total: int):
    """A context manager giving a ``tick(done, total)`` callback (rich bar when available)."""
    if factory is None:
        return _NullTick()
    return factory(label, total)
