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
        --design probe-early --design fused-early --md /work/data/image/genuine/table.md
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
from genuine_designs import (
    CONDITIONS,
    DESIGNS,
    TINY,
    Data,
    folds,
    load_cache,
)
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve


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
    # Round 2 rule (issue19_round2_protocol.md): S weighs the mean family AUC M with C.
    table["mean"] = float(np.mean([table[v]["mean_auc"] for v in CONDITIONS]))
    table["score"] = 0.5 * table["mean"] + 0.5 * table["criterion"]
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
        f"**{t['criterion']:.3f}**; mean M {t['mean']:.3f}, S = (M + C) / 2 **{t['score']:.3f}**\n"
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


def summary_line(name: str, t: dict) -> str:
    """One row of the candidates table: M, C, S, worst families, calibrated threshold."""
    chosen = t["calibration"]["chosen"]
    cal = (f"q{chosen['quantile']}: max source {chosen['max_flagged']:.1%}, fakes "
           f"{chosen['fakes_flagged']:.1%}" if chosen else "no quantile keeps <= 5 %")  # fmt: skip
    w = [f"{t[v]['worst_big'][1]} {t[v]['worst_big'][0]:.3f}" for v in CONDITIONS]
    return (f"| {name} | {t['clean']['mean_auc']:.3f} / {t['jpeg90']['mean_auc']:.3f} | "
            f"{w[0]} / {w[1]} | {t['criterion']:.3f} | {t['score']:.3f} | {cal} |")  # fmt: skip


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
    ap.add_argument(
        "--aug-views",
        type=int,
        help="train on the first N web-laundered views only (to compare backbones whose "
        "caches hold different numbers of views)",
    )
    args = ap.parse_args()
    data = load_cache(args.cache, args.extra_real, args.extra_fake)
    if args.aug_views:
        data.aug_views = data.aug_views[: args.aug_views]
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
        print("SUMMARY " + summary_line(label, table), flush=True)
        if args.md:
            with open(args.md, "a") as f:
                f.write(text + "\n")
        suffix = "_extra" * args.extra_real + "_sim" * args.extra_fake
        suffix += f"_aug{args.aug_views}" if args.aug_views else ""
        np.savez(args.cache / f"heldout_{name}{suffix}.npz", **scores)


if __name__ == "__main__":
    main()
