"""Leave-one-FAMILY-out / leave-one-real-SOURCE-out protocol on the shared genuine image set.

Reads the cache of ``genuine_features.py``. Fold k holds out generator family k (18 families) and
real source k mod 8 (8 sources), so every family is held out once and every real source two or
three times; nothing of a held-out family or source is in that fold's training set, whose views
are the random web-laundered ``aug*`` views (both classes alike). A fake is scored by the fold
that held out its family; a real photo by the mean log-odds of the folds that held out its source.

Printed per family (fakes of that family vs every real photo, clean and after JPEG q90): ROC-AUC,
AP, TPR@1%FPR; per held-out real source: the share called "likely synthetic" at a threshold set
on the OTHER sources (quantile ``--quantile`` of their held-out scores, clean and q90 pooled).

    python scripts/image/genuine_protocol.py --cache /work/data/image/genuine \
        --design probe --design fused --md /work/data/image/genuine/table.md
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

CONDITIONS = ("clean", "jpeg90")
#: Column subsets of the MobileNetV2 features (means of stages 3,6,10,13,16,17,18, then stds of
#: 3,6,10,13): "early" = stages 3 and 6 (stride 4 and 8), "mid" = stages 3 to 13.
COLUMNS = {
    "early": np.r_[0:56, 1976:2032],
    "mid": np.r_[0:216, 1976:2192],
}
TINY = 10  # families with fewer crops are reported, not used for the decision criterion
EPS = 1e-6


@dataclass
class Data:
    label: np.ndarray  # 1 = fake
    group: np.ndarray  # family or real source
    feats: dict[str, dict[str, np.ndarray]]  # view -> name -> array
    aug_views: list[str]
    #: Extra real photos (never tested) added to every fold's training: view -> name -> array.
    extra: dict[str, dict[str, np.ndarray]] | None = None
    #: Simulated fakes (never tested) added to every fold's training.
    extra_fake: dict[str, dict[str, np.ndarray]] | None = None


def load_cache(cache: Path, extra_real: bool = False, extra_fake: bool = False) -> Data:
    with open(cache / "index.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    views = {p.stem: dict(np.load(p)) for p in sorted(cache.glob("*.npz"))}
    aug = sorted(v for v in views if v.startswith("aug"))
    return Data(
        label=np.array([r["label"] == "fake" for r in rows], dtype=int),
        group=np.array([r["group"] for r in rows]),
        feats=views,
        aug_views=aug,
        extra={v: dict(np.load(cache / "extra_real" / f"{v}.npz")) for v in aug}
        if extra_real
        else None,
        extra_fake={v: dict(np.load(cache / "extra_fake" / f"{v}.npz")) for v in aug}
        if extra_fake
        else None,
    )


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


def folds(data: Data) -> list[tuple[str, str]]:
    fams = sorted(set(data.group[data.label == 1]))
    srcs = sorted(set(data.group[data.label == 0]))
    return [(f, srcs[k % len(srcs)]) for k, f in enumerate(fams)]


class Probe:
    """Logistic regression on standardised backbone features (optionally with detector logits)."""

    def __init__(
        self, c: float, extra: tuple[str, ...] = (), blocks: tuple[str, ...] = ("mobilenet",)
    ) -> None:
        self.c, self.extra, self.blocks = c, extra, blocks

    def matrix_of(self, feats: dict[str, np.ndarray], idx=slice(None)) -> np.ndarray:
        parts = []
        for b in self.blocks:
            name, _, cols = b.partition(":")
            x = feats[name][idx]
            parts.append(np.nan_to_num(x[:, COLUMNS[cols]] if cols else x, posinf=0, neginf=0))
        return np.hstack(parts)

    def matrix(self, data: Data, view: str, idx: np.ndarray) -> np.ndarray:
        parts = [self.matrix_of(data.feats[view], idx)]
        parts += [logit(data.feats[view][n][idx])[:, None] for n in self.extra]
        return np.hstack(parts)

    def fit(self, data: Data, train: np.ndarray) -> Probe:
        x = np.vstack([self.matrix(data, v, train) for v in data.aug_views])
        y = np.concatenate([data.label[train]] * len(data.aug_views))
        if data.extra is not None:
            ex = [self.matrix_of(data.extra[v]) for v in data.aug_views]
            x = np.vstack([x, *ex])
            y = np.concatenate([y, np.zeros(sum(len(e) for e in ex), dtype=int)])
        if data.extra_fake is not None:
            ex = [self.matrix_of(data.extra_fake[v]) for v in data.aug_views]
            x = np.vstack([x, *ex])
            y = np.concatenate([y, np.ones(sum(len(e) for e in ex), dtype=int)])
        self.mu, self.sd = x.mean(0), x.std(0) + 1e-6
        self.lr = LogisticRegression(C=self.c, max_iter=3000).fit((x - self.mu) / self.sd, y)
        return self

    def score(self, data: Data, view: str, idx: np.ndarray) -> np.ndarray:
        return self.lr.decision_function((self.matrix(data, view, idx) - self.mu) / self.sd)


def fixed(name: str) -> Callable:
    """A shipped detector, not retrained: its logit on each view."""

    def run(data: Data, train: np.ndarray, view: str, idx: np.ndarray) -> np.ndarray:
        return logit(data.feats[view][name][idx])

    return run


def probe_design(
    c: float, extra: tuple[str, ...] = (), blocks: tuple[str, ...] = ("mobilenet",)
) -> Callable:
    cache: dict[bytes, Probe] = {}

    def run(data: Data, train: np.ndarray, view: str, idx: np.ndarray) -> np.ndarray:
        key = train.tobytes()
        if key not in cache:
            cache[key] = Probe(c, extra, blocks).fit(data, train)
        return cache[key].score(data, view, idx)

    return run


class NonNegativeFuser:
    """Logistic fusion whose detector weights are all >= 0: a detector with a negative weight
    (the more it says "machine-made", the more "real") is dropped and the rest refitted."""

    def __init__(self, lr: LogisticRegression, keep: np.ndarray) -> None:
        self.lr, self.keep = lr, keep

    def decision_function(self, x: np.ndarray) -> np.ndarray:
        if not self.keep.any():
            return np.zeros(len(x))
        return self.lr.decision_function(x[:, self.keep])


def fit_nonnegative(x: np.ndarray, y: np.ndarray) -> NonNegativeFuser:
    keep = np.ones(x.shape[1], dtype=bool)
    while keep.any():
        lr = LogisticRegression(C=1.0, max_iter=1000).fit(x[:, keep], y)
        if (lr.coef_[0] >= 0).all():
            return NonNegativeFuser(lr, keep)
        keep[np.flatnonzero(keep)[lr.coef_[0] < 0]] = False
    return NonNegativeFuser(None, keep)  # type: ignore[arg-type]


def fused_design(
    c: float,
    detectors: tuple[str, ...],
    inner: int = 4,
    blocks: tuple[str, ...] = ("mobilenet",),
) -> Callable:
    """Probe + shipped detectors fused by a logistic fuser fitted on INNER out-of-fold probe
    scores of the training crops (clean and q90 views), as ``fakescope train image`` does."""
    cache: dict[bytes, tuple[Probe, LogisticRegression]] = {}

    def fit(data: Data, train: np.ndarray):
        groups = sorted(set(data.group[train]))
        rng = np.random.default_rng(0)
        rng.shuffle(groups)
        inner_of = {g: i % inner for i, g in enumerate(groups)}
        fold_id = np.array([inner_of[g] for g in data.group[train]])
        rows, ys = [], []
        for k in range(inner):
            tr, te = train[fold_id != k], train[fold_id == k]
            p = Probe(c, blocks=blocks).fit(data, tr)
            for view in CONDITIONS:
                cols = [p.score(data, view, te)]
                cols += [logit(data.feats[view][n][te]) for n in detectors]
                rows.append(np.column_stack(cols))
                ys.append(data.label[te])
        fuser = fit_nonnegative(np.vstack(rows), np.concatenate(ys))
        return Probe(c, blocks=blocks).fit(data, train), fuser

    def run(data: Data, train: np.ndarray, view: str, idx: np.ndarray) -> np.ndarray:
        key = train.tobytes()
        if key not in cache:
            cache[key] = fit(data, train)
        probe, fuser = cache[key]
        cols = [probe.score(data, view, idx)] + [logit(data.feats[view][n][idx]) for n in detectors]
        return fuser.decision_function(np.column_stack(cols))

    return run


def held_out_scores(data: Data, design: Callable) -> dict[str, np.ndarray]:
    """Held-out log-odds of every crop, per condition."""
    out = {}
    for view in CONDITIONS:
        total = np.zeros(len(data.label))
        count = np.zeros(len(data.label))
        for fam, src in folds(data):
            test = (data.group == fam) | (data.group == src)
            train = np.flatnonzero(~test)
            idx = np.flatnonzero(test)
            total[idx] += design(data, train, view, idx)
            count[idx] += 1
        fake_count = count[data.label == 1]
        assert (fake_count == 1).all(), "every fake is held out exactly once"
        out[view] = total / np.maximum(count, 1)
    return out


#: Real sources with >= 100 crops: paired with every family in ``--paired`` mode.
BIG_SOURCES = ("dreambooth", "sunhays80", "urban100")


def paired_aucs(data: Data, design: Callable) -> dict[str, dict[str, list[float]]]:
    """Same-model comparisons only: one fold per (family, big real source) pair, holding out
    both; the AUC of that family's fakes against that source's reals under that fold's model.
    (Pooling scores of different folds, as :func:`held_out_scores` does, also measures how much
    the models' score scales differ between folds, which a learnt fusion inflates.)"""
    fams = sorted(set(data.group[data.label == 1]))
    out: dict[str, dict[str, list[float]]] = {v: {f: [] for f in fams} for v in CONDITIONS}
    for fam in fams:
        for src in BIG_SOURCES:
            test = (data.group == fam) | (data.group == src)
            train, idx = np.flatnonzero(~test), np.flatnonzero(test)
            for view in CONDITIONS:
                s = design(data, train, view, idx)
                out[view][fam].append(float(roc_auc_score(data.label[idx], s)))
    return out


def paired_markdown(name: str, aucs: dict[str, dict[str, list[float]]], n: dict) -> str:
    lines = [f"### {name} (paired: same-model AUC, mean over {', '.join(BIG_SOURCES)})", "",
             "| held-out family | n | AUC clean | AUC q90 |", "| --- " * 4 + "|"]  # fmt: skip
    for fam in aucs["clean"]:
        tiny = " (tiny)" if n[fam] < TINY else ""
        c, q = np.mean(aucs["clean"][fam]), np.mean(aucs["jpeg90"][fam])
        lines.append(f"| {fam}{tiny} | {n[fam]} | {c:.3f} | {q:.3f} |")
    crit = []
    for view in CONDITIONS:
        means = {f: float(np.mean(a)) for f, a in aucs[view].items()}
        big = {f: m for f, m in means.items() if n[f] >= TINY}
        worst = min(big, key=big.get)
        crit.append(big[worst])
        lines.append(f"\n{view}: mean family AUC **{np.mean(list(means.values())):.3f}**, worst "
                     f"with >= {TINY} crops {worst} {big[worst]:.3f}")  # fmt: skip
    lines.append(f"\ncriterion (paired) **{min(crit):.3f}**\n")
    return "\n".join(lines)


def tpr_at(y: np.ndarray, s: np.ndarray, fpr: float = 0.01) -> float:
    f, t, _ = roc_curve(y, s)
    return float(t[f <= fpr].max())


def summarise(data: Data, scores: dict[str, np.ndarray], quantile: float) -> dict:
    fams = sorted(set(data.group[data.label == 1]))
    srcs = sorted(set(data.group[data.label == 0]))
    real = data.label == 0
    table: dict = {"family": {}, "source": {}}
    for fam in fams:
        m = (data.group == fam) | real
        row = {"n": int((data.group == fam).sum())}
        for view in CONDITIONS:
            y, s = data.label[m], scores[view][m]
            row[view] = (roc_auc_score(y, s), average_precision_score(y, s), tpr_at(y, s))
        table["family"][fam] = row
    for src in srcs:
        own = data.group == src
        other = real & ~own
        thr = np.quantile(np.concatenate([scores[v][other] for v in CONDITIONS]), quantile)
        row = {"n": int(own.sum())}
        for view in CONDITIONS:
            row[view] = float((scores[view][own] > thr).mean())
        table["source"][src] = row
    pooled = np.concatenate([scores[v][real] for v in CONDITIONS])
    thr = np.quantile(pooled, quantile)
    fakes = data.label == 1
    table["flagged_fakes"] = {v: float((scores[v][fakes] > thr).mean()) for v in CONDITIONS}
    big = [f for f in fams if table["family"][f]["n"] >= TINY]
    for view in CONDITIONS:
        aucs = [table["family"][f][view][0] for f in fams]
        big_aucs = [table["family"][f][view][0] for f in big]
        table[view] = {
            "mean_auc": float(np.mean(aucs)),
            "worst": min(zip(aucs, fams, strict=True)),
            "worst_big": min(zip(big_aucs, big, strict=True)),
            "pooled_auc": float(roc_auc_score(data.label, scores[view])),
            "max_flagged": max(table["source"][s][view] for s in srcs),
        }
    table["criterion"] = min(table[v]["worst_big"][0] for v in CONDITIONS)
    return table


QUANTILES = (0.95, 0.97, 0.98, 0.99, 0.995, 0.999, 1.0)


def calibrate(data: Data, scores: dict[str, np.ndarray], target: float = 0.05) -> dict:
    """The smallest real-score quantile whose leave-one-source-out threshold flags at most
    ``target`` of every held-out real source (clean and q90), and the share of fakes flagged."""
    real = data.label == 0
    srcs = sorted(set(data.group[real]))
    rows = []
    for q in QUANTILES:
        worst = 0.0
        for src in srcs:
            own = data.group == src
            other = np.concatenate([scores[v][real & ~own] for v in CONDITIONS])
            thr = np.quantile(other, q)
            worst = max(worst, *(float((scores[v][own] > thr).mean()) for v in CONDITIONS))
        pooled = np.quantile(np.concatenate([scores[v][real] for v in CONDITIONS]), q)
        fakes = float(np.mean([(scores[v][data.label == 1] > pooled).mean() for v in CONDITIONS]))
        rows.append({"quantile": q, "max_flagged": worst, "fakes_flagged": fakes})
    ok = [r for r in rows if r["max_flagged"] <= target]
    return {"rows": rows, "chosen": ok[0] if ok else None}


def markdown(name: str, t: dict) -> str:
    head = "| held-out family | n | AUC clean | AP clean | TPR@1%FPR clean | AUC q90 | AP q90 | "
    lines = [f"### {name}", "", head + "TPR@1%FPR q90 |", "| --- " * 8 + "|"]
    for fam, row in t["family"].items():
        cells = [f"{v:.3f}" for view in CONDITIONS for v in row[view]]
        tiny = " (tiny)" if row["n"] < TINY else ""
        lines.append(f"| {fam}{tiny} | {row['n']} | " + " | ".join(cells) + " |")
    for view in CONDITIONS:
        s = t[view]
        lines.append(
            f"\n{view}: mean family AUC **{s['mean_auc']:.3f}**, worst {s['worst'][1]} "
            f"{s['worst'][0]:.3f}, worst with >= {TINY} crops {s['worst_big'][1]} "
            f"{s['worst_big'][0]:.3f}, pooled AUC {s['pooled_auc']:.3f}"
        )
    lines += ["", "| held-out real source | n | flagged clean | flagged q90 |", "| --- " * 4 + "|"]
    for src, row in t["source"].items():
        lines.append(f"| {src} | {row['n']} | {row['clean']:.1%} | {row['jpeg90']:.1%} |")
    fl = t["flagged_fakes"]
    lines.append(
        f"\nfakes called likely synthetic at the pooled threshold: clean {fl['clean']:.1%}, "
        f"q90 {fl['jpeg90']:.1%}; criterion (min worst-family AUC, >= {TINY} crops) "
        f"**{t['criterion']:.3f}**\n"
    )
    if "calibration" in t:
        cells = ", ".join(
            f"q{r['quantile']}: max source {r['max_flagged']:.1%} / fakes {r['fakes_flagged']:.1%}"
            for r in t["calibration"]["rows"]
        )
        chosen = t["calibration"]["chosen"]
        pick = f"quantile {chosen['quantile']}" if chosen else "none reaches <= 5 %"
        lines.append(f"threshold calibration (leave-one-source-out): {cells}; chosen: {pick}\n")
    return "\n".join(lines)


EARLY = ("mobilenet:early",)
DESIGNS: dict[str, Callable[[], Callable]] = {
    "spectrum": lambda: fixed("spectrum"),
    "residual-cnn": lambda: fixed("residual-cnn"),
    "anomaly": lambda: fixed("anomaly"),
    "probe-c0.01": lambda: probe_design(0.01),
    "probe-c0.1": lambda: probe_design(0.1),
    "probe-c1": lambda: probe_design(1.0),
    "probe-early": lambda: probe_design(0.1, blocks=("mobilenet:early",)),
    "probe-mid": lambda: probe_design(0.1, blocks=("mobilenet:mid",)),
    "probe-mid+spectrum-features": lambda: probe_design(
        0.1, blocks=("mobilenet:mid", "spectrum_features")
    ),
    "lowlevel-probe": lambda: probe_design(0.1, blocks=("lowlevel",)),
    "probe-early+lowlevel": lambda: probe_design(0.1, blocks=("mobilenet:early", "lowlevel")),
    "spectrum-probe": lambda: probe_design(0.1, blocks=("spectrum_features",)),
    "probe+spectrum-features": lambda: probe_design(0.1, blocks=("mobilenet", "spectrum_features")),
    "fused": lambda: fused_design(0.1, ("spectrum", "residual-cnn")),
    "fused+anomaly": lambda: fused_design(0.1, ("spectrum", "residual-cnn", "anomaly")),
    "fused-early": lambda: fused_design(0.1, ("spectrum", "residual-cnn"), blocks=EARLY),
    "probe-early+anomaly": lambda: fused_design(0.1, ("anomaly",), blocks=EARLY),
    "fused-early-no-spectrum": lambda: fused_design(0.1, ("residual-cnn",), blocks=EARLY),
    "fused-early+anomaly": lambda: fused_design(
        0.1, ("spectrum", "residual-cnn", "anomaly"), blocks=EARLY
    ),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--design", action="append", choices=sorted(DESIGNS), required=True)
    ap.add_argument("--quantile", type=float, default=0.97)
    ap.add_argument("--md", type=Path, help="also append the tables to this file")
    ap.add_argument(
        "--extra-real",
        action="store_true",
        help="add CACHE/extra_real (real photos from packages) to every training fold",
    )
    ap.add_argument(
        "--extra-fake",
        action="store_true",
        help="add CACHE/extra_fake (simulated decoder fakes) to every training fold",
    )
    ap.add_argument(
        "--paired",
        action="store_true",
        help="same-model AUCs over (family, big real source) folds instead",
    )
    args = ap.parse_args()
    data = load_cache(args.cache, args.extra_real, args.extra_fake)
    for name in args.design:
        if args.paired:
            n = {f: int((data.group == f).sum()) for f in set(data.group[data.label == 1])}
            text = paired_markdown(name, paired_aucs(data, DESIGNS[name]()), n)
            print(text, flush=True)
            if args.md:
                with open(args.md, "a") as f:
                    f.write(text + "\n")
            continue
        scores = held_out_scores(data, DESIGNS[name]())
        added = [w for w, on in (("extra real photos", args.extra_real),
                                 ("simulated fakes", args.extra_fake)) if on]  # fmt: skip
        label = f"{name} (+ {' + '.join(added)} in training)" if added else name
        table = summarise(data, scores, args.quantile)
        table["calibration"] = calibrate(data, scores)
        text = markdown(label, table)
        print(text, flush=True)
        if args.md:
            with open(args.md, "a") as f:
                f.write(text + "\n")
        suffix = "_extra" * args.extra_real + "_sim" * args.extra_fake
        np.savez(args.cache / f"heldout_{name}{suffix}.npz", **scores)


if __name__ == "__main__":
    main()
