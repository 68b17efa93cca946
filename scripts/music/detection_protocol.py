"""Leave-one-generator-out evaluation of music-verdict candidates (issue 17 protocol).

Reads the clips cached by ``prepare_detection_data.py``, computes (and caches) features of every
variant, and for each held-out family F and each of 5 folds of the real sources (grouped by
source repository) trains on the other families + the other reals (+ offline real music, +
simulations when asked) and scores F's clips and the held-out reals, in the "clean" and the
"laundered" condition. Prints per-family ROC-AUC, mean, worst, and the share of real clips at
P >= 0.5 / 0.7. The rule that decides between candidates is in
/work/data/notes/issue17_protocol.md (written before the first run).

Usage::

    .venv/bin/python scripts/music/detection_protocol.py --data /work/data/music/det \
        --candidates summary,fpvec,summary+fpvec --json /work/data/music/lofo.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

FOLDS = 5


def load_set(data: Path, name: str) -> dict | None:
    p = data / f"{name}.npz"
    if not p.exists():
        return None
    d = np.load(p)
    return {k: d[k] for k in d.files}


def features(data: Path, name: str, kind: str, arrays: dict) -> dict[str, np.ndarray]:
    """Features per variant, cached in ``<data>/feat_<name>_<kind>.npz``."""
    cache = data / f"feat_{name}_{kind}.npz"
    have = dict(np.load(cache)) if cache.exists() else {}
    variants = [k for k in arrays if k != "meta" and k not in have]
    if kind == "whisper":
        variants = [v for v in variants if v in ("clean", "laundered", "train0")]
    if variants:
        fn = _extractor(kind, wide=name.endswith("_wide"))
        for v in variants:
            have[v] = np.stack([fn(x) for x in arrays[v]])
            np.savez(cache, **have)
            print(f"features {name}/{kind}/{v}: {have[v].shape}", flush=True)
    return have


def _extractor(kind: str, wide: bool = False):
    from fakescope.audio import music_fakeprint as mf
    from fakescope.audio.dsp import resample

    spec = mf.WIDE if wide else mf.NARROW
    if kind == "summary":
        return lambda x: mf.segment_features(x, spec)
    if kind == "fpvec":
        return lambda x: mf.fakeprint_vector(
            mf.power_frames(x / (np.abs(x).max() or 1.0), spec), spec
        )
    if kind == "cues":  # rhythm / timing statistics of the music analysis (16 kHz input)
        import os

        from fakescope.audio.music_analysis import MusicAnalyzer
        from fakescope.audio.music_analysis.cues import rhythm_cues

        analyzer = MusicAnalyzer(os.environ.get("MUSIC_ANALYSIS_WEIGHTS"))

        def cues(x: np.ndarray) -> np.ndarray:
            if wide:
                x = resample(x, 32000, 16000)
            v = rhythm_cues(analyzer.analyze(x, 16000))
            return np.r_[np.nan_to_num(v, nan=0.0), np.isnan(v).astype(float)]

        return cues
    if kind == "whisper":
        from fakescope.audio.whisper_encoder import load_encoder

        enc = load_encoder()
        return lambda x: enc.pooled_features(x / (np.abs(x).max() or 1.0) * 0.9)
    raise ValueError(kind)


def real_folds(sources: np.ndarray, labels: np.ndarray) -> dict[str, int]:
    """Greedy balanced assignment of real sources to FOLDS folds (largest first)."""
    names, counts = np.unique(sources[labels == 0], return_counts=True)
    order = np.argsort(-counts, kind="stable")
    load = np.zeros(FOLDS)
    out = {}
    for i in order:
        k = int(np.argmin(load))
        out[str(names[i])] = k
        load[k] += counts[i]
    return out


def make_model(candidate: str):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if candidate.endswith(":gb"):
        return HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_depth=3, class_weight="balanced", random_state=0
        )
    c = {"summary": 0.3, "fpvec": 0.05, "whisper": 0.001, "cues": 0.3}
    kinds = candidate.split("+")
    cval = min(c[k] for k in kinds)
    return make_pipeline(
        StandardScaler(), LogisticRegression(C=cval, max_iter=3000, class_weight="balanced")
    )


def matrix(
    feats: dict[str, dict[str, dict[str, np.ndarray]]],
    set_name: str,
    kinds: list[str],
    variant: str,
) -> np.ndarray:
    return np.concatenate([feats[set_name][k][variant] for k in kinds], axis=1)


def branch_scores(data: Path, suffix: str, cand: str, cond: str, sim: bool) -> dict:
    """LOFO scores of one branch: ``{"fake": {id: score}, "real": {family: {id: score}}}``.

    Fakes are scored by the models trained without their family (mean over the real folds);
    reals by the model trained without the held-out family and without their source's fold.
    """
    kinds = cand.split(":")[0].split("+")
    names = ["shared", "offline"] + (["sim"] if sim else [])
    sets = {n: load_set(data, n + suffix) for n in names}
    sets = {n: v for n, v in sets.items() if v is not None}
    feats = {n: {k: features(data, n + suffix, k, v) for k in kinds} for n, v in sets.items()}
    meta = sets["shared"]["meta"]
    label = (meta[:, 1] == "fake").astype(int)
    family, source, ids = meta[:, 2], meta[:, 3], meta[:, 0]
    folds = real_folds(source, label)
    fold_of = np.array(
        [folds.get(s, -1) if y == 0 else -1 for s, y in zip(source, label, strict=True)]
    )
    tv = sorted(v for v in sets["shared"] if v.startswith("train"))
    if "whisper" in kinds:
        tv = ["train0"]
    x_test = matrix(feats, "shared", kinds, cond)
    out = {"fake": {}, "real": {}}
    # "__none__": no family held out (real scores for families this branch never sees)
    for fam in [*sorted(set(family[label == 1])), "__none__"]:
        fake_sum = np.zeros(len(label))
        for k in range(FOLDS):
            train = ((label == 1) & (family != fam)) | ((label == 0) & (fold_of != k))
            xs = [matrix(feats, "shared", kinds, v)[train] for v in tv]
            ys = [label[train] for _ in tv]
            for es in names[1:]:
                if es in feats:
                    y_es = (sets[es]["meta"][:, 1] == "fake").astype(int)
                    for v in tv:
                        xs.append(matrix(feats, es, kinds, v))
                        ys.append(y_es)
            model = make_model(cand).fit(np.concatenate(xs), np.concatenate(ys))
            p = model.predict_proba(x_test)[:, 1]
            held = (label == 0) & (fold_of == k)
            out["real"].setdefault(fam, {}).update(
                zip(ids[held].tolist(), p[held].tolist(), strict=True)
            )
            fake_sum += p / FOLDS
        if fam != "__none__":
            out["fake"].update(
                zip(ids[family == fam].tolist(), fake_sum[family == fam].tolist(), strict=True)
            )
    return out


def run(args) -> dict:
    from sklearn.metrics import roc_auc_score

    shared = load_set(args.data, "shared")
    meta = shared["meta"]
    label = (meta[:, 1] == "fake").astype(int)
    family, ids = meta[:, 2], meta[:, 0]
    fams = sorted(set(family[label == 1]))
    results = {}
    for cand in args.candidates.split(","):
        wide = cand.startswith("wide:")
        base = cand.split(":", 1)[1] if wide else cand
        res = {}
        for cond in ("clean", "laundered"):
            narrow = branch_scores(args.data, "", base, cond, args.sim)
            if wide:
                w = branch_scores(args.data, "_wide", base, cond, args.sim)
                # a clip with a wide-branch score takes it; others keep the 16 kHz one
                narrow["fake"].update(w["fake"])
                # a family the wide branch never sees (all its clips < 32 kHz) takes the wide
                # scores of the reals from the models trained without their source fold only
                for fam in fams:
                    narrow["real"][fam].update(w["real"].get(fam, w["real"]["__none__"]))
            aucs, reals = {}, {}
            for fam in fams:
                f_sc = np.array([narrow["fake"][i] for i in ids[family == fam]])
                r_d = narrow["real"][fam]
                r_ids = ids[label == 0]
                # reals: the family-held-out model's score (wide branch when it applies)
                r_sc = np.array([r_d[i] for i in r_ids])
                for i, v in zip(r_ids, r_sc, strict=True):
                    reals.setdefault(i, []).append(v)
                y = np.r_[np.zeros(len(r_sc)), np.ones(len(f_sc))]
                aucs[fam] = float(roc_auc_score(y, np.r_[r_sc, f_sc]))
            real_mean = np.array([np.mean(v) for v in reals.values()])
            fake_all = np.array([narrow["fake"][i] for i in ids[label == 1]])
            res[cond] = {
                "auc": aucs,
                "mean": float(np.mean(list(aucs.values()))),
                "worst": float(min(aucs.values())),
                "real_ge_0.5": float(np.mean(real_mean >= 0.5)),
                "real_ge_0.7": float(np.mean(real_mean >= 0.7)),
                "fake_ge_0.5": float(np.mean(fake_all >= 0.5)),
                "real_scores": {i: round(float(np.mean(v)), 4) for i, v in reals.items()},
                "fake_scores": {i: round(float(narrow["fake"][i]), 4) for i in ids[label == 1]},
            }
            line = " ".join(f"{f}={a:.3f}" for f, a in aucs.items())
            print(
                f"{cand:24s} {cond:9s} mean {res[cond]['mean']:.3f} worst "
                f"{res[cond]['worst']:.3f} | {line} | real>=.5 {res[cond]['real_ge_0.5']:.2f}"
                f" >=.7 {res[cond]['real_ge_0.7']:.2f} fake>=.5 {res[cond]['fake_ge_0.5']:.2f}",
                flush=True,
            )
        res["score"] = {
            "worst": (res["clean"]["worst"] + res["laundered"]["worst"]) / 2,
            "mean": (res["clean"]["mean"] + res["laundered"]["mean"]) / 2,
        }
        results[cand + (" +sim" if args.sim else "")] = res
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("/work/data/music/det"))
    ap.add_argument("--candidates", default="summary,fpvec,summary+fpvec,summary:gb")
    ap.add_argument("--sim", action="store_true", help="add the simulated machine music")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results = run(args)
    for cand, r in results.items():
        print(
            f"{cand:28s} protocol score: worst {r['score']['worst']:.3f} "
            f"mean {r['score']['mean']:.3f}"
        )
    if args.json:
        old = json.loads(args.json.read_text()) if args.json.exists() else {}
        old.update(results)
        args.json.write_text(json.dumps(old, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
