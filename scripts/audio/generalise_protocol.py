"""Leave-one-system-out and leave-one-real-source-out evaluation of the speech detectors.

Data: ``../shared/datasets/audio/speech-train`` (real clips of many corpora, ~30 synthesis /
voice-conversion systems), FSDD (one source per speaker), the Asterisk voices, pocketsphinx
clips, and the project's engines and vocoded copies (``--engines``, from
``scripts/audio/build_speech_corpus.py`` and ``build_vocoded_corpus.py``). Families and sources
are defined in ``fakescope.audio.speech_data``; every file gets a clean copy and two copies
through a channel drawn alike for both classes (``fakescope.audio.channel``).

Schemes (``fakescope.audio.speech_protocol``):

- ``loso``: every synthesis family held out with every one of 5 real-source folds (each score
  from a model that saw neither the file's family nor its source), plus every real source held
  out alone (flagged share at the model's many-source "likely synthetic" threshold);
- ``grouped``: 5 splits, each holding out a fifth of the families and of the sources (used for
  the CNN and the fusion, which are too slow to train 100+ times on 2 cores).

Recipes: ``whisper-lr`` (logistic head on Whisper tiny.en statistics), ``spec-cnn`` (16 kHz
spectrogram CNN), ``fusion`` (both, fused on the calibration part), ``before`` (the previous
release's shipped lfcc-gmm + spec-cnn weights at 8 kHz, untrained here: ``--before-weights``).

Usage::

    .venv/bin/python scripts/audio/generalise_protocol.py --recipe whisper-lr --scheme loso \\
        --engines /work/data/audio/tts --json /work/data/audio/g20/whisper-lr_loso.json
    .venv/bin/python scripts/audio/generalise_protocol.py --tables /work/data/audio/g20/*.json \\
        --docs docs/audio.md
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from protocol_tables import pair_table, pairs, table

from fakescope.audio.speech_cache import prepare_copies, whisper_stats
from fakescope.audio.speech_data import all_items
from fakescope.audio.speech_protocol import (
    Calibration,
    balance_weights,
    calibrate,
    grouped_splits,
    lorso_splits,
    loso_splits,
    real_folds,
    run_splits,
    summarise,
)

PRIMARY, CLEAN = 1, 0  # test copies: channel draw (primary), clean
DOC_BEGIN, DOC_END = "<!-- protocol:begin -->", "<!-- protocol:end -->"


def log(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {msg}", flush=True)


class Data:
    def __init__(self, engines: Path | None, cache: Path, seed: int = 0) -> None:
        items = all_items(engines=engines)
        log(f"{len(items)} recordings")
        self.copies = prepare_copies(items, 2, seed, cache)
        c = self.copies
        self.labels = np.array([x.item.label for x in c])
        self.groups = np.array([x.item.group for x in c])
        self.copy = np.array([x.copy for x in c])
        self.narrow = np.array([x.narrow for x in c])
        self.cache, self.seed = cache, seed
        log(f"{len(c)} prepared copies")

    def whisper(self, layers: int | None = None) -> np.ndarray:
        """Whisper statistics of every copy (the first ``layers`` layers' part with ``layers``)."""
        from fakescope.audio.whisper_encoder import load_encoder

        encoder = load_encoder()
        x = whisper_stats(self.copies, encoder, self.seed, self.cache)
        if layers is not None:
            x = x[:, : (layers + 1) * 2 * encoder.width]
        return x


def recipe_whisper(data: Data, layers: int | None = None):
    """The whisper-embed head; ``layers``: statistics of the stem and the first ``layers``
    encoder layers only (a faster encoder run)."""
    from fakescope.audio.speech_training import fit_whisper_head

    x = data.whisper(layers)

    def fit_score(train, cal, test):
        w = balance_weights(data.labels[train], data.groups[train], data.narrow[train])
        head = fit_whisper_head(x[train], data.labels[train], w)
        calib = calibrate(head.raw(x[cal]), data.labels[cal], data.groups[cal])
        return head.raw(x[test]), calib

    return fit_score


def _audio(data: Data, idx, rate: int) -> list[np.ndarray]:
    """Front-end audio of copies: 16 kHz as prepared, or the 8 kHz front end of it."""
    if rate == 16000:
        return [data.copies[i].audio for i in idx]
    from fakescope.audio.dsp import speech_frontend

    return [speech_frontend(data.copies[i].audio, 16000) for i in idx]


MAX_TRAIN = None  # --max-train: a random subset of the training copies (CPU budget)


def _cnn_fit(data: Data, train, epochs: int, seed: int, rate: int = 16000):
    from fakescope.audio.speech_training import train_spec_cnn16

    if MAX_TRAIN and len(train) > MAX_TRAIN:
        train = np.sort(np.random.default_rng(seed).choice(train, MAX_TRAIN, replace=False))
    w = balance_weights(data.labels[train], data.groups[train], data.narrow[train])
    audios = _audio(data, train, rate)
    return train_spec_cnn16(
        audios, data.labels[train], w, epochs, seed, log=lambda m: None, rate=rate
    )


def recipe_cnn(data: Data, epochs: int, members: int = 1, rate: int = 16000):
    from fakescope.audio.speech_training import cnn_raw_logits

    def fit_score(train, cal, test):
        raws_cal, raws_test = [], []
        for m in range(members):
            model = _cnn_fit(data, train, epochs, m, rate)
            raws_cal.append(cnn_raw_logits(model, _audio(data, cal, rate), rate))
            raws_test.append(cnn_raw_logits(model, _audio(data, test, rate), rate))
        raw_cal, raw_test = np.mean(raws_cal, axis=0), np.mean(raws_test, axis=0)
        return raw_test, calibrate(raw_cal, data.labels[cal], data.groups[cal])

    return fit_score


def recipe_fusion(data: Data, epochs: int, layers: int | None = None):
    """whisper-lr and spec-cnn, each calibrated, fused by logistic regression on the calibration
    part (the fused score is the raw score; the threshold comes from the same part)."""
    from sklearn.linear_model import LogisticRegression

    from fakescope.audio.speech_training import cnn_raw_logits, fit_whisper_head

    x = data.whisper(layers)

    def fit_score(train, cal, test):
        w = balance_weights(data.labels[train], data.groups[train], data.narrow[train])
        head = fit_whisper_head(x[train], data.labels[train], w)
        model = _cnn_fit(data, train, epochs, 0)
        y_cal, g_cal = data.labels[cal], data.groups[cal]
        cal_w = calibrate(head.raw(x[cal]), y_cal, g_cal)
        raw_c = cnn_raw_logits(model, [data.copies[i].audio for i in cal])
        cal_c = calibrate(raw_c, y_cal, g_cal)
        z_cal = np.c_[cal_w.logits(head.raw(x[cal])), cal_c.logits(raw_c)]
        raw_c_test = cnn_raw_logits(model, [data.copies[i].audio for i in test])
        z_test = np.c_[cal_w.logits(head.raw(x[test])), cal_c.logits(raw_c_test)]
        lr = LogisticRegression(C=1.0).fit(z_cal, y_cal)
        fused_cal = lr.decision_function(z_cal)
        return lr.decision_function(z_test), calibrate(fused_cal, y_cal, g_cal)

    return fit_score


def recipe_before(data: Data, weights: Path):
    """The previous release's default detectors, as shipped (trained on none of this data)."""
    import os

    os.environ["FAKESCOPE_AUDIO_WEIGHTS"] = str(weights)
    from fakescope.audio.dsp import SPEECH_RATE, speech_frontend
    from fakescope.audio.fusion import AudioFuser
    from fakescope.audio.lfcc_gmm import LfccGmmDetector
    from fakescope.audio.spec_cnn import SpecCnnDetector
    from fakescope.core.evidence import Evidence
    from fakescope.core.fusion import logit, sigmoid

    gmm, cnn, fuser = LfccGmmDetector(), SpecCnnDetector(), AudioFuser()
    memo: dict[int, float] = {}

    def score(i: int) -> float:
        if i not in memo:
            seg = speech_frontend(data.copies[i].audio, 16000)
            if len(seg) < 0.2 * SPEECH_RATE:
                seg = np.resize(seg, int(0.2 * SPEECH_RATE))
            ev = [
                Evidence("lfcc-gmm", sigmoid(float(gmm.segment_logits([seg])[0])), ""),
                Evidence("spec-cnn", sigmoid(float(cnn.segment_logits([seg])[0])), ""),
            ]
            memo[i] = logit(fuser.fuse(ev))
        return memo[i]

    def fit_score(train, cal, test):
        return np.array([score(i) for i in test]), Calibration(1.0, 0.0, 0.7)

    return fit_score


def aggregate(data: Data, scored, scheme: str) -> dict:
    """Per-family (LOSO) and per-source (LORSO) rows for both test conditions."""
    out: dict = {"families": {}, "sources": {}}
    fam_splits = [s for s in scored if s.split.families]
    src_splits = [s for s in scored if not s.split.families] or fam_splits
    families = sorted({f for s in fam_splits for f in s.split.families})
    for cond, copy in (("channel", PRIMARY), ("clean", CLEAN)):
        # fakes: mean logit over the splits that held the family out; reals: per family (loso)
        # or every real's one out-of-source score (grouped)
        fake_logit: dict[int, list[float]] = {}
        for s in fam_splits:
            for i, z in zip(s.index, s.logits, strict=True):
                if data.labels[i] == 1 and data.copy[i] == copy:
                    fake_logit.setdefault(int(i), []).append(float(z))
        for fam in families:
            fakes = [i for i in fake_logit if data.groups[i] == fam]
            real_z, real_t = [], []
            for s in fam_splits:
                if scheme == "loso" and fam not in s.split.families:
                    continue
                for i, z in zip(s.index, s.logits, strict=True):
                    if data.labels[i] == 0 and data.copy[i] == copy:
                        real_z.append(float(z))
                        real_t.append(s.threshold)
            fake_thr = [
                np.mean([s.threshold for s in fam_splits if fam in s.split.families])
            ] * len(fakes)
            y = np.r_[np.ones(len(fakes)), np.zeros(len(real_z))]
            z = np.r_[[np.mean(fake_logit[i]) for i in fakes], real_z]
            out["families"].setdefault(fam, {})[cond] = summarise(y, z, np.r_[fake_thr, real_t])
        all_fake = np.array([np.mean(v) for v in fake_logit.values()])
        sources = sorted({g for g, lab in zip(data.groups, data.labels, strict=True) if lab == 0})
        for src in sources:
            z, t = [], []
            for s in src_splits:
                if src not in s.split.sources:
                    continue
                for i, zz in zip(s.index, s.logits, strict=True):
                    if data.labels[i] == 0 and data.copy[i] == copy and data.groups[i] == src:
                        z.append(float(zz))
                        t.append(s.threshold)
            y = np.r_[np.zeros(len(z)), np.ones(len(all_fake))]
            thr = np.r_[t, np.full(len(all_fake), np.inf)]
            row = summarise(y, np.r_[z, all_fake], thr)
            row.pop("fake_flagged", None)
            out["sources"].setdefault(src, {})[cond] = row
        fam_rows = [out["families"][f][cond] for f in families]
        eers = [r["eer"] for r in fam_rows if "eer" in r]
        flags = [out["sources"][s][cond].get("real_flagged", 0.0) for s in sources]
        out.setdefault("summary", {})[cond] = {
            "loso_mean_eer": float(np.mean(eers)),
            "loso_worst_eer": float(np.max(eers)),
            "loso_worst_family": families[int(np.argmax(eers))],
            "lorso_worst_flagged": float(np.max(flags)),
            "lorso_worst_source": sources[int(np.argmax(flags))],
            "lorso_sources_over_5pct": int(sum(f > 0.05 for f in flags)),
        }
    out["pairs"] = pairs(data, fam_splits, scheme)
    thresholds = [s.threshold for s in scored]
    out["thresholds"] = {"min": float(np.min(thresholds)), "max": float(np.max(thresholds))}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--recipe", choices=["whisper-lr", "spec-cnn", "fusion", "before"])
    ap.add_argument("--scheme", choices=["loso", "grouped"], default="loso")
    ap.add_argument("--engines", type=Path, default=Path("/work/data/audio/tts"))
    ap.add_argument("--cache", type=Path, default=Path("/work/data/audio/g20"))
    ap.add_argument("--before-weights", type=Path, default=Path("/work/data/audio/weights_before"))
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--members", type=int, default=1)
    ap.add_argument("--layers", type=int, help="whisper: use the first N encoder layers only")
    ap.add_argument("--max-train", type=int, help="spec-cnn: at most N training copies per fit")
    ap.add_argument("--rate", type=int, default=16000, choices=[8000, 16000], help="spec-cnn rate")
    ap.add_argument("--json", type=Path, help="write the result here")
    ap.add_argument("--tables", type=Path, nargs="*", help="result files to tabulate")
    ap.add_argument("--docs", type=Path, help="replace the protocol block of this Markdown file")
    args = ap.parse_args(argv)
    if args.tables:
        results = {}
        for p in args.tables:
            r = json.loads(p.read_text())
            results[f"{r['recipe']} ({r['scheme']})"] = r
        text = table(results, "channel") + "\n\n" + table(results, "clean")
        text += "\n\n" + pair_table(results)
        print(text)
        if args.docs:
            doc = args.docs.read_text()
            if DOC_BEGIN not in doc:
                raise SystemExit(f"{args.docs} has no {DOC_BEGIN} ... {DOC_END} block")
            head, rest = doc.split(DOC_BEGIN, 1)
            _, tail = rest.split(DOC_END, 1)
            args.docs.write_text(f"{head}{DOC_BEGIN}\n{text}\n{DOC_END}{tail}")
        return 0
    if not args.recipe:
        ap.error("--recipe or --tables is required")
    import torch

    global MAX_TRAIN
    MAX_TRAIN = args.max_train
    torch.set_num_threads(1)
    engines = args.engines if args.engines and args.engines.is_dir() else None
    data = Data(engines, args.cache)
    sizes: dict[str, int] = {}
    for g, lab, c in zip(data.groups, data.labels, data.copy, strict=True):
        if lab == 0 and c == 0:
            sizes[g] = sizes.get(g, 0) + 1
    folds = real_folds(sizes, 5)
    families = sorted({g for g, lab in zip(data.groups, data.labels, strict=True) if lab == 1})
    if args.recipe == "before":
        splits = grouped_splits(families, folds)
    elif args.scheme == "loso":
        splits = loso_splits(families, folds) + lorso_splits(sorted(sizes))
    else:
        splits = grouped_splits(families, folds)
    fit_score = {
        "whisper-lr": lambda: recipe_whisper(data, args.layers),
        "spec-cnn": lambda: recipe_cnn(data, args.epochs, args.members, args.rate),
        "fusion": lambda: recipe_fusion(data, args.epochs, args.layers),
        "before": lambda: recipe_before(data, args.before_weights),
    }[args.recipe]()
    is_test = np.isin(data.copy, [PRIMARY, CLEAN])
    t0 = time.time()
    scored = run_splits(splits, data.labels, data.groups, is_test, fit_score, log)
    result = aggregate(data, scored, "grouped" if args.recipe == "before" else args.scheme)
    result.update(
        recipe=args.recipe
        + (f"-{args.layers}L" if args.layers else "")
        + ("-8k" if args.recipe == "spec-cnn" and args.rate == 8000 else ""),
        scheme="none (untrained)" if args.recipe == "before" else args.scheme,
        folds=folds,
        seconds=round(time.time() - t0, 1),
        epochs=args.epochs if args.recipe in ("spec-cnn", "fusion") else None,
        max_train=args.max_train,
    )
    for cond in ("channel", "clean"):
        log(f"{cond}: {json.dumps(result['summary'][cond])}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
