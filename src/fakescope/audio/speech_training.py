"""Training of the 16 kHz speech detectors on many real sources and synthesis families.

Used by ``fakescope train audio`` (the shipped weights) and by the leave-one-out protocol
(``scripts/audio/generalise_protocol.py``), so that what is measured is what ships:

- :func:`fit_whisper_head`: logistic regression on standardised Whisper statistics;
- :func:`train_spec_cnn16`: the spectrogram CNN on 1 s crops of 16 kHz copies, with weighted
  sampling (:func:`~fakescope.audio.speech_protocol.balance_weights`), SpecAugment and mixup.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fakescope.audio.whisper_embed import WhisperHead

Log = Callable[[str], None]
WHISPER_C = 1e-3  # chosen on the calibration split of the previous release (docs/audio.md)


def fit_whisper_head(
    features: np.ndarray, labels: np.ndarray, weights: np.ndarray, c: float = WHISPER_C
) -> WhisperHead:
    """Weighted logistic regression on standardised features.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[rng.normal(0, 1, (50, 4)), rng.normal(1, 1, (50, 4))]
    >>> y = np.r_[np.zeros(50), np.ones(50)]
    >>> head = fit_whisper_head(x, y, np.ones(100), c=1.0)
    >>> bool(head.raw(x[50:]).mean() > head.raw(x[:50]).mean())
    True
    """
    from sklearn.linear_model import LogisticRegression

    w = np.asarray(weights, dtype=np.float64)
    mean = np.average(features, axis=0, weights=w)
    scale = np.sqrt(np.average((features - mean) ** 2, axis=0, weights=w)) + 1e-6
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit((features - mean) / scale, labels, sample_weight=w * len(w) / w.sum())
    return WhisperHead(mean, scale, model.coef_[0], float(model.intercept_[0]), sample_rate=16000)


RAWBOOST_P = 0.5  # share of training crops that get a RawBoost draw (both classes alike)


def train_spec_cnn16(
    audios: list[np.ndarray],
    labels: np.ndarray,
    weights: np.ndarray,
    epochs: int,
    seed: int,
    width: int = 8,
    log: Log = print,
    progress: Callable[[int, int], None] | None = None,
    rate: int = 16000,
    rawboost_p: float = RAWBOOST_P,
):
    """Train one spec-cnn network on front-end copies at ``rate``.

    Each step draws 64 clips with probability proportional to ``weights`` (so the class,
    source and band balance of :func:`balance_weights` holds in every batch), takes a random
    1 s waveform crop of each (repeated when shorter; ``audios`` may be int16, converted crop by
    crop), applies RawBoost with probability
    ``rawboost_p`` (:func:`~fakescope.audio.channel.rawboost`), computes its log spectrogram,
    applies two frequency and two time masks (SpecAugment) and mixup (alpha 0.4, soft labels).
    An epoch is ``len(audios)`` draws.
    """
    import torch

    from fakescope.audio.channel import rawboost
    from fakescope.audio.spec_cnn import STFT, build_model, log_spectrogram, n_bins
    from fakescope.audio.spec_cnn_training import mixup, spec_augment
    from fakescope.audio.speech_cache import pcm_to_float

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    y = np.asarray(labels, dtype=np.float32)
    p = np.asarray(weights, dtype=np.float64)
    p = p / p.sum()
    bins, crop = n_bins(rate), 100
    _, hop, win = STFT[rate]
    n_samples = (crop - 1) * hop + win
    model = build_model(width, bins)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-3)
    steps = int(np.ceil(len(audios) / 64))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=epochs * steps)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    f_mask = bins // 8
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for _ in range(steps):
            idx = rng.choice(len(audios), size=64, p=p)
            batch = []
            for i in idx:
                a = audios[i]
                if len(a) < n_samples:
                    a = np.resize(a, n_samples)  # repeat (RawNet2-style padding)
                start = int(rng.integers(0, len(a) - n_samples + 1))
                a = pcm_to_float(a[start : start + n_samples])
                if rng.random() < rawboost_p:
                    a = rawboost(a, rate, rng)
                s = log_spectrogram(a, rate)
                batch.append(spec_augment(s, rng, max_f0=bins - 8, f_mask=f_mask, crop=crop))
            xb = torch.from_numpy(np.stack(batch))[:, None]
            xb, yb = mixup(xb, torch.from_numpy(y[idx]), rng)
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach())
        log(f"spec-cnn: epoch {epoch + 1}/{epochs} loss {total / steps:.4f}")
        if progress is not None:
            progress(epoch + 1, epochs)
    return model.eval()


def fit_lfcc_gmms(
    frames: Callable[[int], np.ndarray],
    idx: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray,
    components: int = 32,
    max_clips: int = 1500,
    max_frames: int = 60_000,
    seed: int = 0,
):
    """Bona fide and spoof diagonal GMMs (scikit-learn) on LFCC frames of the clips ``idx``.

    ``frames(i)`` gives the LFCC frames of clip ``i``; ``labels`` and ``weights`` are aligned with
    ``idx``. Per class, at most ``max_clips`` clips are drawn without replacement with
    probability proportional to the balance weights (so that big groups do not define the class
    model), and at most ``max_frames`` of their frames are kept.
    """
    from sklearn.mixture import GaussianMixture

    rng = np.random.default_rng(seed)
    labels, weights = np.asarray(labels), np.asarray(weights, dtype=np.float64)
    gmms = []
    for label in (0, 1):
        m = labels == label
        p = weights[m] / weights[m].sum()
        size = min(int(np.count_nonzero(p)), max_clips)
        pick = rng.choice(np.asarray(idx)[m], size=size, replace=False, p=p)
        f = np.concatenate([frames(int(i)) for i in pick])
        if len(f) > max_frames:
            f = f[rng.choice(len(f), max_frames, replace=False)]
        gm = GaussianMixture(
            components, covariance_type="diag", max_iter=60, reg_covar=1e-3, random_state=seed
        ).fit(f)
        gmms.append(gm)
    return gmms[0], gmms[1]


def cnn_raw_logits(model, audios: list[np.ndarray], rate: int = 16000) -> np.ndarray:
    """Uncalibrated logits of one network on whole front-end clips (float or int16)."""
    import torch

    from fakescope.audio.spec_cnn import MIN_FRAMES, log_spectrogram, repeat_pad
    from fakescope.audio.speech_cache import pcm_to_float

    out = np.empty(len(audios))
    with torch.inference_mode():
        for i, a in enumerate(audios):
            spec = log_spectrogram(pcm_to_float(a), rate)
            s = torch.from_numpy(repeat_pad(spec, MIN_FRAMES))[None, None]
            out[i] = float(model(s)[0])
    return out


def anchored_fuser(names: list[str], z_cal: np.ndarray, y_cal: np.ndarray, g_cal: np.ndarray):
    """Logistic fusion of calibrated detector logits, anchored on real speech of many sources.

    The fusion is fitted on the calibration part; its intercept is then shifted so that the
    "likely synthetic" threshold of the verdict (0.7) sits at the protective threshold of
    :func:`~fakescope.audio.speech_protocol.calibrate` (no real calibration source more than
    5 % flagged, plus a margin). A shift keeps the ranking (EER, AUC) and makes the false-alarm
    rate on real speech the thing that is calibrated.
    """
    from sklearn.linear_model import LogisticRegression

    from fakescope.audio.speech_protocol import calibrate
    from fakescope.core.fusion import DEFAULT_THRESHOLDS, LogisticFuser, logit

    z_cal = np.asarray(z_cal, dtype=np.float64).reshape(len(y_cal), -1)
    if z_cal.shape[1] == 1:
        coef, intercept = np.ones(1), 0.0
    else:
        lr = LogisticRegression(C=1.0).fit(z_cal, y_cal)
        coef, intercept = lr.coef_[0], float(lr.intercept_[0])
    fused = z_cal @ coef + intercept
    cal = calibrate(fused, y_cal, g_cal)
    # fused logit -> calibrated logit a*f+b, then shifted so that cal.threshold maps to 0.7
    shift = logit(DEFAULT_THRESHOLDS[1]) - logit(cal.threshold)
    fuser = LogisticFuser(
        coef={n: float(cal.a * c) for n, c in zip(names, coef, strict=True)},
        intercept=float(cal.a * intercept + cal.b + shift),
    )
    return fuser, cal


def train_speech(
    out,
    items,
    cache,
    seed: int = 0,
    epochs: int = 6,
    cnn_members: int = 2,
    gmm_components: int = 32,
    log: Log = print,
    progress_factory=None,
    whisper_layers: int | None = None,
    cnn_rate: int = 16000,
    cnn_max_train: int | None = None,
) -> dict:
    """Train and calibrate every speech detector and the speech fusions into folder ``out``.

    ``items``: the recordings (``fakescope.audio.speech_data.all_items``).

    The recipe is the one the protocol measures: all families and sources, 75 % of the groups
    (hashed) to fit, 25 % to calibrate; spec-cnn (16 kHz, ``cnn_members`` networks from seeds
    ``seed, seed+1, ...``), the whisper-embed head (16 kHz, when a Whisper encoder is installed),
    lfcc-gmm (16 kHz); fusions anchored on many real sources (:func:`anchored_fuser`).
    Returns the training info, including the 8 kHz copies that train the content router.
    """
    import time
    from pathlib import Path

    import torch

    from fakescope.audio.dsp import speech_frontend
    from fakescope.audio.fusion import DEFAULT_SPEECH, FALLBACK_SPEECH, OPT_IN_SPEECH
    from fakescope.audio.lfcc_gmm import LfccGmmDetector, save_lfcc_gmm
    from fakescope.audio.speech_cache import prepare_copies, whisper_stats
    from fakescope.audio.speech_protocol import balance_weights, calibrate, inner_split, summarise
    from fakescope.audio.training import _progress
    from fakescope.audio.whisper_embed import WEIGHTS_FILE
    from fakescope.audio.whisper_encoder import WhisperUnavailable, load_encoder

    t0 = time.time()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with _progress(progress_factory, "front end (16 kHz copies)", len(items)) as tick:
        copies = prepare_copies(items, 2, seed, cache, tick)
    y = np.array([c.item.label for c in copies])
    g = np.array([c.item.group for c in copies])
    narrow = np.array([c.narrow for c in copies])
    # copy-synthesis items go to the side of the real source they were made from
    cal = inner_split(np.array([c.item.split_group for c in copies]))
    fit = np.flatnonzero(~cal)
    cal = np.flatnonzero(cal)
    counts: dict[str, int] = {}
    for c in copies:
        if c.copy == 0:
            key = f"{'fake' if c.item.label else 'real'}/{c.item.group}"
            counts[key] = counts.get(key, 0) + 1
    log(
        f"{len(items)} recordings, {len(copies)} copies; {len(fit)} to fit, {len(cal)} to calibrate"
    )
    w = balance_weights(y[fit], g[fit], narrow[fit])
    logits: dict[str, np.ndarray] = {}

    # spec-cnn, at 16 kHz or on the 8 kHz front end of the same copies
    def cnn_audio(idx):
        if cnn_rate == 16000:
            return [copies[i].pcm for i in idx]
        return [speech_frontend(copies[i].audio, 16000) for i in idx]

    members = []
    for m in range(cnn_members):
        sub = fit
        if cnn_max_train and len(fit) > cnn_max_train:  # a CPU budget: a random subset
            sub = np.sort(np.random.default_rng(seed + m).choice(fit, cnn_max_train, replace=False))
        w_sub = balance_weights(y[sub], g[sub], narrow[sub])
        with _progress(progress_factory, f"spec-cnn {m + 1}/{cnn_members} epochs", epochs) as tk:
            model = train_spec_cnn16(
                cnn_audio(sub), y[sub], w_sub, epochs, seed + m, 8, log, tk, rate=cnn_rate
            )
        raw = cnn_raw_logits(model, cnn_audio(cal), cnn_rate)
        c = calibrate(raw, y[cal], g[cal])
        members.append({"state_dict": model.state_dict(), "width": 8, "cal": [c.a, c.b]})
        logits.setdefault("spec-cnn", np.zeros(len(cal)))
        logits["spec-cnn"] = logits["spec-cnn"] + c.logits(raw) / cnn_members
    torch.save({"members": members, "sample_rate": cnn_rate}, out / "spec_cnn.pt")

    # whisper-embed, 16 kHz
    try:
        encoder = load_encoder()
    except WhisperUnavailable as exc:
        encoder = None
        log(f"whisper-embed not trained: {exc}")
        (out / WEIGHTS_FILE).unlink(missing_ok=True)
    if encoder is not None:
        with _progress(progress_factory, "whisper statistics", len(copies)) as tick:
            x = whisper_stats(copies, encoder, seed, cache, tick)
        used = encoder.n_layers if whisper_layers is None else whisper_layers
        x = x[:, : (used + 1) * 2 * encoder.width]
        head = fit_whisper_head(x[fit], y[fit], w)
        head.encoder_width, head.encoder_layers = encoder.width, encoder.n_layers
        head.layers_used = used
        c = calibrate(head.raw(x[cal]), y[cal], g[cal])
        head.cal = (c.a, c.b)
        head.save(out / WEIGHTS_FILE)
        logits["whisper-embed"] = c.logits(head.raw(x[cal]))

    # lfcc-gmm at 16 kHz on the same copies, weighted draws (as the protocol measures it)
    from fakescope.audio.lfcc_gmm import segment_lfcc

    memo: dict[int, np.ndarray] = {}

    def frames(i: int) -> np.ndarray:
        if i not in memo:
            memo[i] = segment_lfcc(copies[i].audio, 16000).astype(np.float32)
        return memo[i]

    t = time.time()
    bona, spoof = fit_lfcc_gmms(frames, fit, y[fit], w, gmm_components, seed=seed)
    log(f"lfcc-gmm: {gmm_components}-component GMMs ({time.time() - t:.0f} s)")
    save_lfcc_gmm(out / "lfcc_gmm.npz", bona, spoof, (1.0, 0.0), rate=16000)
    raw = LfccGmmDetector(out / "lfcc_gmm.npz").raw_llr([copies[i].audio for i in cal])
    c = calibrate(raw, y[cal], g[cal])
    save_lfcc_gmm(out / "lfcc_gmm.npz", bona, spoof, (c.a, c.b), rate=16000)
    logits["lfcc-gmm"] = c.logits(raw)
    seg8 = {i: speech_frontend(copies[i].audio, 16000) for i in fit if copies[i].copy == 0}

    # fusions: the default detectors, and the default detectors with each opt-in one
    sets = [list(DEFAULT_SPEECH)] + [[*DEFAULT_SPEECH, o] for o in OPT_IN_SPEECH]
    sets += [list(FALLBACK_SPEECH)] + [[*FALLBACK_SPEECH, o] for o in OPT_IN_SPEECH]
    sets = [s for k, s in enumerate(sets) if s not in sets[:k] and len(set(s)) == len(s)]
    sets = [s for s in sets if all(n in logits for n in s)]
    fusers, metrics = [], {}
    for names in sets:
        fuser, fcal = anchored_fuser(names, np.c_[tuple(logits[n] for n in names)], y[cal], g[cal])
        fuser.info = {
            "trained_on": "calibration part (25 % of the real sources and synthesis families, "
            "hashed by group) of the training data",
            "likely_synthetic_anchor": "0.7 = the largest 95th percentile of any real "
            "calibration source, plus a margin of 1 logit",
        }
        fusers.append(fuser)
        z = np.array(
            [
                fuser.intercept + sum(fuser.coef[n] * logits[n][k] for n in names)
                for k in range(len(cal))
            ]
        )
        metrics["+".join(names)] = summarise(y[cal], z, 0.7)
    for n, z in logits.items():
        metrics[n] = summarise(y[cal], z)
    log(
        "calibration part: "
        + "; ".join(f"{k} EER {v['eer']:.2%} AUC {v['auc']:.4f}" for k, v in metrics.items())
    )
    info = {
        "whisper_layers": whisper_layers,
        "seed": seed,
        "epochs": epochs,
        "spec_cnn_members": cnn_members,
        "spec_cnn_rate": cnn_rate,
        "spec_cnn_max_train": cnn_max_train,
        "gmm_components": gmm_components,
        "counts": counts,
        "calibration_metrics": metrics,
        "seconds": round(time.time() - t0, 1),
    }
    speech_fusers = {
        "speech": fusers[0].to_dict(),
        "speech_variants": [f.to_dict() for f in fusers[1:]],
    }
    content_speech = list(seg8.values())
    return {"info": info, "fusers": speech_fusers, "content_speech": content_speech}
