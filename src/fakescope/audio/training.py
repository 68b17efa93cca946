"""Train the audio weights: content classifier, ``lfcc-gmm``, ``spec-cnn``, music model, fuser.

``fakescope train audio`` calls :func:`train_all`. Real and synthetic speech pass through exactly
the same chain: decode -> mono -> 8 kHz -> random channel (noise, telephone band, mu-law, MP3,
Opus; the same distribution for both classes) -> the detectors' front end (band 70-3700 Hz, silence
trimmed, peak-normalised). The detectors therefore cannot learn the source's sample rate, band or
codec, only the voice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from fakescope.audio.augment import random_channel
from fakescope.audio.corpus import Item, real_items, tts_items
from fakescope.audio.dsp import SPEECH_RATE, resample, speech_frontend

Log = Callable[[str], None]


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


# -- spec-cnn ---------------------------------------------------------------------------------
def train_spec_cnn(
    train: list[Prepared],
    epochs: int,
    seed: int,
    width: int,
    log: Log,
    progress: Callable[[int, int], None] | None = None,
    adversarial=None,
):
    import torch

    from fakescope.audio.spec_cnn import build_model, log_spectrogram, repeat_pad

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    specs = [log_spectrogram(p.audio) for p in train]
    labels = np.array([p.item.label for p in train], dtype=np.float32)
    crop = 96
    model = build_model(width)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
    steps_per_epoch = int(np.ceil(len(specs) / 64))
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=3e-3, total_steps=epochs * steps_per_epoch
    )
    pos_weight = torch.tensor((labels == 0).sum() / max((labels == 1).sum(), 1))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(specs))
        total = 0.0
        for b in range(steps_per_epoch):
            idx = order[b * 64 : (b + 1) * 64]
            batch = []
            for i in idx:
                s = repeat_pad(specs[i], crop)
                start = int(rng.integers(0, s.shape[1] - crop + 1))
                s = s[:, start : start + crop].copy()  # a view of specs[i] otherwise
                # SpecAugment: two frequency masks (up to 16 rows) and two time masks
                for _ in range(2):
                    if rng.random() < 0.5:
                        f0 = int(rng.integers(0, 120))
                        s[f0 : f0 + int(rng.integers(1, 17))] = 0.0
                for _ in range(2):
                    if rng.random() < 0.5:
                        t0 = int(rng.integers(0, crop - 10))
                        s[:, t0 : t0 + int(rng.integers(2, 10))] = 0.0
                batch.append(s)
            xb = torch.from_numpy(np.stack(batch))[:, None]
            yb = torch.from_numpy(labels[idx])
            # mixup (alpha 0.4) with soft labels
            lam = float(rng.beta(0.4, 0.4))
            perm = torch.from_numpy(rng.permutation(len(idx)))
            xb = lam * xb + (1 - lam) * xb[perm]
            yb = lam * yb + (1 - lam) * yb[perm]
            if adversarial is not None:  # PGD copies of waveform crops (fakescope.robustness)
                from fakescope.robustness.adversarial import audio_adversarial_batch

                waves = [train[i].audio for i in idx]
                xa, ya = audio_adversarial_batch(model, waves, labels[idx], rng, adversarial)
                xb, yb = torch.cat([xb, xa]), torch.cat([yb, ya])
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(idx)
        log(f"spec-cnn: epoch {epoch + 1}/{epochs} loss {total / len(specs):.4f}")
        if progress is not None:
            progress(epoch + 1, epochs)
    model.eval()
    return model


# -- content classifier -----------------------------------------------------------------------
def music_files(dirs: list[Path]) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        if Path(d).is_dir():
            files += sorted(
                p
                for p in Path(d).iterdir()
                if p.suffix.lower() in (".ogg", ".wav", ".flac", ".mp3")
            )
    return files


def train_content(speech: list[np.ndarray], music_paths: list[Path], seed: int, log: Log):
    """Speech / music / vocals (speech over music at -3 to 9 dB SNR) logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from fakescope.audio.content import content_features
    from fakescope.audio.loader import load_audio

    rng = np.random.default_rng(seed)
    music: list[np.ndarray] = []
    for p in music_paths:
        clip = load_audio(p)[0].data
        x = clip.mono_at(SPEECH_RATE)
        for _ in range(12):
            n = int(rng.uniform(0.4, 4.0) * SPEECH_RATE)
            if len(x) <= n:
                continue
            a = int(rng.integers(0, len(x) - n))
            seg = x[a : a + n]
            if np.abs(seg).max() > 1e-3:
                music.append(seg / np.abs(seg).max())
    log(f"content: {len(speech)} speech and {len(music)} music excerpts")
    vocals = []
    for _ in range(len(music)):
        s = speech[int(rng.integers(0, len(speech)))]
        m = music[int(rng.integers(0, len(music)))]
        n = min(len(m), max(len(s), int(1.0 * SPEECH_RATE)))
        s = np.resize(s, n) if len(s) < n else s[:n]
        snr = rng.uniform(-3, 9)
        ps, pm = np.mean(s**2) + 1e-9, np.mean(m[:n] ** 2) + 1e-9
        mix = s + m[:n] * np.sqrt(ps / pm / 10 ** (snr / 10))
        vocals.append((mix / np.abs(mix).max()).astype(np.float32))
    sp = [
        speech[i] for i in rng.choice(len(speech), min(len(speech), 2 * len(music)), replace=False)
    ]
    # continuous speech: several utterances with pauses and a noise floor, 1.5-4 s long, so that
    # untrimmed recordings with pauses are recognised as speech too
    for _ in range(len(music)):
        parts = []
        for _ in range(int(rng.integers(2, 7))):
            parts.append(speech[int(rng.integers(0, len(speech)))])
            parts.append(np.zeros(int(rng.uniform(0.05, 0.6) * SPEECH_RATE), np.float32))
        x = np.concatenate(parts)[: int(4.0 * SPEECH_RATE)]
        x = x + rng.uniform(0.0005, 0.01) * rng.standard_normal(len(x)).astype(np.float32)
        sp.append((x / np.abs(x).max()).astype(np.float32))
    X = np.stack([content_features(x) for x in sp + music + vocals])
    y = np.array([0] * len(sp) + [1] * len(music) + [2] * len(vocals))
    scaler = StandardScaler().fit(X)
    clf = LogisticRegression(C=0.05, max_iter=2000, class_weight="balanced").fit(
        scaler.transform(X), y
    )
    acc = float((clf.predict(scaler.transform(X)) == y).mean())
    log(f"content: training accuracy {acc:.3f}")
    return scaler.mean_, scaler.scale_, clf.coef_, clf.intercept_, acc


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
    """Train every audio model and write the weights folder ``out``; returns the training info."""
    import torch

    from fakescope.audio.lfcc_gmm import LfccGmmDetector, save_lfcc_gmm
    from fakescope.core.fusion import LogisticFuser

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

    # content classifier (routing)
    content_path = out / "content.npz"
    from fakescope.audio.content import save_content_model

    m_files = music_files(music_dirs)
    if m_files:
        mean, scale, coef, intercept, acc = train_content(
            [p.audio for p in train], m_files, seed, log
        )
        save_content_model(content_path, mean, scale, coef, intercept)
    else:
        raise FileNotFoundError(
            "no music files found for the content classifier "
            f"(looked in {', '.join(map(str, music_dirs))})"
        )

    # lfcc-gmm
    bona, spoof = train_lfcc_gmm(train, gmm_components, seed, log)
    save_lfcc_gmm(out / "lfcc_gmm.npz", bona, spoof, (1.0, 0.0))
    det = LfccGmmDetector(out / "lfcc_gmm.npz")
    y_cal = np.array([p.item.label for p in calib])
    raw_gmm = det.raw_llr([p.audio for p in calib])
    cal_gmm = fit_calibration(raw_gmm, y_cal)
    save_lfcc_gmm(out / "lfcc_gmm.npz", bona, spoof, cal_gmm)

    # spec-cnn
    from fakescope.audio.spec_cnn import SpecCnnDetector, average_calibrated

    # an ensemble of CNNs from consecutive seeds: averaging their calibrated logits
    # generalised better to held-out engines than any one of them (docs/audio.md)
    width = 8
    members = []
    hardening = None
    if adversarial:
        from fakescope.robustness.adversarial import AudioAdversarialTraining

        hardening = AudioAdversarialTraining()
    for m in range(cnn_members):
        with _progress(progress_factory, f"spec-cnn {m + 1}/{cnn_members} epochs", epochs) as tick:
            model = train_spec_cnn(train, epochs, seed + m, width, log, tick, hardening)
        members.append({"state_dict": model.state_dict(), "width": width, "cal": [1.0, 0.0]})
    torch.save({"members": members}, out / "spec_cnn.pt")
    raw_members = SpecCnnDetector(out / "spec_cnn.pt").raw_logits([p.audio for p in calib])
    for member, raw in zip(members, raw_members, strict=True):
        member["cal"] = list(fit_calibration(raw, y_cal))
    torch.save({"members": members}, out / "spec_cnn.pt")
    cnn_logits = average_calibrated(raw_members, [tuple(m["cal"]) for m in members])

    # fuser over calibrated per-detector probabilities of the calibration clips
    from fakescope.core.fusion import sigmoid

    scores = {
        "lfcc-gmm": [sigmoid(cal_gmm[0] * v + cal_gmm[1]) for v in raw_gmm],
        "spec-cnn": [sigmoid(v) for v in cnn_logits],
    }
    whisper_logits = train_whisper_embed(train, calib, y_cal, out, log, progress_factory)
    if whisper_logits is not None:
        scores["whisper-embed"] = [sigmoid(v) for v in whisper_logits]
    # the default fusion (lfcc-gmm + spec-cnn); whisper-embed is opt-in and gets its own fusion,
    # used when it votes (docs/audio.md: it helped on 19 of 30 held-out pairs, not enough)
    fuser = LogisticFuser.fit({k: scores[k] for k in ("lfcc-gmm", "spec-cnn")}, list(y_cal))
    variants = [LogisticFuser.fit(scores, list(y_cal))] if len(scores) > 2 else []
    from fakescope.core import metrics

    fused = {"fused": _fuse_all(fuser, scores)}
    for variant in variants:
        fused["fused with whisper-embed"] = _fuse_all(variant, scores)
    calib_metrics = {}
    for name, values in (*scores.items(), *fused.items()):
        calib_metrics[name] = {
            "roc_auc": metrics.roc_auc(y_cal, values),
            "eer": metrics.equal_error_rate(y_cal, values)[0],
        }
    log(
        "calibration split: "
        + ", ".join(
            f"{k} AUC {v['roc_auc']:.4f} EER {v['eer']:.2%}" for k, v in calib_metrics.items()
        )
    )

    music_info = None
    if music_corpus is not None and Path(music_corpus).is_dir():
        from fakescope.audio.music import train_music

        music_info = train_music(Path(music_corpus), out / "music.npz", seed, log)
    music_fuser = None
    if (out / "music.npz").exists():
        music_fuser = {"coef": {"music-artifacts": 1.0}, "intercept": 0.0}
    info = {
        "holdout_engine": holdout,
        "seed": seed,
        "epochs": epochs,
        "spec_cnn_members": cnn_members,
        "adversarial": None if hardening is None else asdict(hardening),
        "gmm_components": gmm_components,
        "counts": counts,
        "calibration_metrics": calib_metrics,
        "content_training_accuracy": acc,
        "music": music_info,
        "seconds": round(time.time() - t0, 1),
    }
    fuser.info = {
        "trained_on": "calibration split (FSDD speaker nicolas, 30% of Asterisk "
        "prompts, 25% of the training engines' voice settings, vocoded copies of the "
        "calibration speakers when the corpus has them)",
        "holdout_engine": holdout,
    }
    for variant in variants:
        variant.info = dict(fuser.info)
    payload = {
        "speech": fuser.to_dict(),
        "speech_variants": [v.to_dict() for v in variants],
        "music": music_fuser,
    }
    (out / "fuser.json").write_text(json.dumps(payload, indent=2) + "\n")
    (out / "training_info.json").write_text(json.dumps(info, indent=2) + "\n")
    log(f"weights written to {out} in {time.time() - t0:.0f} s")
    return info


def _fuse_all(fuser, scores: dict[str, list[float]]) -> list[float]:
    """``fuser`` applied clip by clip to the calibrated scores of the detectors it was fitted on."""
    from fakescope.core.evidence import Evidence

    names = list(fuser.coef)
    rows = zip(*(scores[n] for n in names), strict=True)
    return [
        fuser.fuse([Evidence(n, v, "") for n, v in zip(names, row, strict=True)]) for row in rows
    ]


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
