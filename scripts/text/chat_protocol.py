"""Leave-one-generator-out and leave-one-domain-out protocol on the chat-era sample.

Usage (from the repo root; reads the cached features, takes seconds to a few minutes)::

    .venv/bin/python scripts/text/chat_protocol.py --data /work/data/text/chat \\
        --candidates A,B,C,D --out /work/data/text/chat/protocol.md

The rules (held-out units, candidates, how one is chosen) are in docs/text.md and were written
before any held-out number was computed (/work/data/notes/issue21_protocol.md). In short:

- LOGO: for each generator family G, fit on the "fit" half of every other family's machine
  texts plus the fit-half human texts, and test on all of G's texts against the test-half human
  texts (pooled over domains; also against the test-half humans of G's own domain groups).
- LODO: for each domain group D, fit on the fit half of all other domain groups, test on D.
- TOEFL human essays (non-native writers) are never fitted on; their share called "likely
  synthetic" is reported separately, as is gpt-4-edit-of-human (human essays polished by GPT-4).
- "likely synthetic" = at or above the 99th percentile of the fitting humans' fused scores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from fakescope.core import metrics
from fakescope.text.fitting import fit_weights
from fakescope.text.scoring import DEFAULT_WINDOW

CLAUDE_PERSUASION = {
    "claude-1.3",
    "claude-2",
    "claude-3-haiku",
    "claude-3-opus",
    "claude-instant-1.2",
}
EDIT = "gpt-4-edit-of-human"
BASE = ["loglik", "log_rank", "curvature", "surprisal_tail"]
EXTENDED = BASE + ["entropy", "loglik_std", "top10", "tail_share", "binoculars1"]
TARGET_FPR = 0.01


def family(generator: str) -> str:
    return "claude-persuasion" if generator in CLAUDE_PERSUASION else generator


def load(data: Path, tag: str) -> list[dict]:
    with (data / "sample.jsonl").open() as fh:
        sample = {r["id"]: r for r in map(json.loads, fh)}
    rows = []
    with (data / f"features-{tag}.jsonl").open() as fh:
        for rec in map(json.loads, fh):
            if not rec["judged"]:
                continue
            r = dict(sample[rec["id"]])
            f = dict(rec["features"])
            f["binoculars1"] = -f["loglik"] / max(f["entropy"], 1e-6)
            r["features"] = f
            r["family"] = family(r["generator"]) if r["label"] else "human"
            rows.append(r)
    pooled_dir = data / f"pooled-{tag}"
    if pooled_dir.is_dir():
        by_id = {}
        for path in sorted(pooled_dir.glob("*.npz")):
            with np.load(path) as z:
                for i, vec in zip(z["ids"], z["pooled"], strict=True):
                    by_id[str(i)] = (vec.astype(np.float32), tuple(z["layers"].tolist()))
        for r in rows:
            if r["id"] in by_id:
                r["pooled"], r["layers"] = by_id[r["id"]]
    embed_path = data / "embed-minilm.npz"
    if embed_path.is_file():
        with np.load(embed_path) as z:
            emb = {str(i): v.astype(np.float32) for i, v in zip(z["ids"], z["embed"], strict=True)}
        for r in rows:
            if r["id"] in emb:
                r["embed"] = emb[r["id"]]
    return rows


# -- candidates: fit(train rows) -> score(rows) ------------------------------------------------
Scorer = Callable[[list[dict]], np.ndarray]


def fit_shipped(train: list[dict], nonnegative: bool, c: float) -> Scorer:
    weights = fit_weights(
        [r["features"] for r in train],
        [r["label"] for r in train],
        nonnegative=nonnegative,
        c=c,
    )
    return lambda rows: np.array([weights.fused_probability(r["features"]) for r in rows])


EMBED = -1
"""``layer`` value meaning: the MiniLM sentence embedding instead of an LM layer."""


def _matrix(rows: list[dict], names: list[str], layer: int | None) -> np.ndarray:
    x = np.array([[r["features"][n] for n in names] for r in rows], dtype=np.float64)
    if layer == EMBED:
        x = np.hstack([x, np.stack([r["embed"] for r in rows]).astype(np.float64)])
    elif layer is not None:
        k = rows[0]["layers"].index(layer)
        h = np.stack([r["pooled"][k] for r in rows]).astype(np.float64)
        x = np.hstack([x, h])
    return x


def fit_linear(train: list[dict], names: list[str], layer: int | None, c: float) -> Scorer:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
    model.fit(_matrix(train, names, layer), [r["label"] for r in train])
    return lambda rows: model.predict_proba(_matrix(rows, names, layer))[:, 1]


def candidate(name: str, head: tuple[int, float] | None) -> Callable[[list[dict]], Scorer]:
    if name == "A":
        return lambda tr: fit_shipped(tr, True, 0.001)
    if name == "B":
        return lambda tr: fit_shipped(tr, False, 1.0)
    if name == "C":
        return lambda tr: fit_linear(tr, EXTENDED, None, 1.0)
    if name in {"D", "E"}:
        assert head is not None
        layer, c = head
        return lambda tr: fit_linear(tr, EXTENDED, layer, c)
    raise ValueError(name)


# -- evaluation ------------------------------------------------------------------------------
def threshold_of(scores: np.ndarray) -> float:
    return float(np.quantile(scores, 1.0 - TARGET_FPR)) if len(scores) else 1.0


def measure(fit: Callable, train: list[dict], test_m: list[dict], test_h: list[dict]) -> dict:
    scorer = fit(train)
    thr = threshold_of(scorer([r for r in train if r["label"] == 0]))
    return measure_fitted(scorer, thr, test_m, test_h)


def measure_fitted(scorer: Scorer, thr: float, test_m: list[dict], test_h: list[dict]) -> dict:
    sm = scorer(test_m) if test_m else np.array([])
    sh = scorer(test_h) if test_h else np.array([])
    out: dict = {"n_machine": len(sm), "n_human": len(sh), "threshold": thr}
    if len(sh):
        out["human_fpr_at_threshold"] = float(np.mean(sh >= thr))
    if len(sm):
        out["tpr_at_threshold"] = float(np.mean(sm >= thr))
    if len(sm) and len(sh):
        y = np.r_[np.zeros(len(sh)), np.ones(len(sm))]
        s = np.r_[sh, sm]
        out["roc_auc"] = float(metrics.roc_auc(y, s))
        out["tpr_at_1pct_fpr"] = float(metrics.tpr_at_fpr(y, s, 0.01))
    return out


def logo(rows: list[dict], fit: Callable) -> dict[str, dict]:
    fams = sorted({r["family"] for r in rows if r["label"] and r["family"] != EDIT})
    human_test = [r for r in rows if r["label"] == 0 and r["half"] == "test"]
    human_test = [r for r in human_test if r["domain_group"] != "toefl"]
    base_train = [
        r
        for r in rows
        if r["half"] == "fit" and r["domain_group"] != "toefl" and r["family"] != EDIT
    ]
    out = {}
    for fam in fams + [EDIT]:
        train = [r for r in base_train if r["family"] != fam]
        test_m = [r for r in rows if r["family"] == fam]
        scorer = fit(train)
        thr = threshold_of(scorer([r for r in train if r["label"] == 0]))
        res = measure_fitted(scorer, thr, test_m, human_test)
        groups = {r["domain_group"] for r in test_m}
        matched = [r for r in human_test if r["domain_group"] in groups]
        if len(matched) >= 10:
            res["domain_matched"] = measure_fitted(scorer, thr, test_m, matched)
        out[fam] = res
    return out


def lodo(rows: list[dict], fit: Callable) -> dict[str, dict]:
    out = {}
    train_pool = [r for r in rows if r["half"] == "fit" and r["family"] != EDIT]
    for group in sorted({r["domain_group"] for r in rows}):
        train = [r for r in train_pool if r["domain_group"] not in {group, "toefl"}]
        test = [r for r in rows if r["domain_group"] == group and r["family"] != EDIT]
        out[group] = measure(
            fit, train, [r for r in test if r["label"]], [r for r in test if not r["label"]]
        )
    return out


def choose_head(rows: list[dict], layers: tuple[int, ...]) -> tuple[int, float]:
    """Layer (or the sentence embedding) and C for a head by LOGO inside the fit half only."""
    fit_rows = [
        r
        for r in rows
        if r["half"] == "fit" and r["domain_group"] != "toefl" and r["family"] != EDIT
    ]
    humans = [r for r in fit_rows if r["label"] == 0]
    fams = sorted({r["family"] for r in fit_rows if r["label"]})
    best, best_auc = (layers[-1], 0.1), -1.0
    for layer in layers:
        for c in (0.01, 0.1, 1.0):
            aucs = []
            for fam in fams:
                # inner split: humans by group parity inside the fit half
                hh = [h for h in humans if _inner_half(h["group"]) == 0]
                ht = [h for h in humans if _inner_half(h["group"]) == 1]
                train = [r for r in fit_rows if r["label"] and r["family"] != fam] + hh
                test_m = [r for r in fit_rows if r["family"] == fam]
                fit = candidate("D", (layer, c))
                res = measure(fit, train, test_m, ht)
                aucs.append(res.get("roc_auc", np.nan))
            mean = float(np.nanmean(aucs))
            print(f"  head layer {layer} C={c}: inner LOGO mean AUC {mean:.4f}", flush=True)
            if mean > best_auc:
                best, best_auc = (layer, c), mean
    return best


def _inner_half(group: str) -> int:
    return int(hashlib.sha1(f"inner|{group}".encode()).hexdigest(), 16) % 2


def summary(res: dict[str, dict], skip: set[str]) -> dict:
    keys = [k for k in res if k not in skip and "roc_auc" in res[k]]
    aucs = [res[k]["roc_auc"] for k in keys]
    tprs = [res[k]["tpr_at_1pct_fpr"] for k in keys]
    worst = min(keys, key=lambda k: res[k]["roc_auc"]) if keys else None
    return {
        "mean_auc": float(np.mean(aucs)) if aucs else float("nan"),
        "worst": worst,
        "worst_auc": res[worst]["roc_auc"] if worst else float("nan"),
        "mean_tpr_1pct": float(np.mean(tprs)) if tprs else float("nan"),
    }


def table(res: dict[str, dict], title: str) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| held out | machine | human | ROC-AUC | TPR@1%FPR | detected at threshold | human FPR at "
        "threshold | domain-matched AUC |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def f(v: float | None) -> str:
        return "" if v is None else f"{v:.3f}"

    for k, v in res.items():
        dm = v.get("domain_matched", {}).get("roc_auc")
        lines.append(
            f"| {k} | {v['n_machine']} | {v['n_human']} | {f(v.get('roc_auc'))} | "
            f"{f(v.get('tpr_at_1pct_fpr'))} | {f(v.get('tpr_at_threshold'))} | "
            f"{f(v.get('human_fpr_at_threshold'))} | {f(dm)} |"
        )
    return lines + [""]


def fit_shipping(rows: list[dict], name: str, out: Path) -> None:
    """Fit the shipped weights on the fit half of every family and domain (TOEFL humans and
    gpt-4-edit-of-human excluded), with the same function ``fakescope train text`` calls."""
    from fakescope.text.training import score_features, summary_metrics

    train = [
        r
        for r in rows
        if r["half"] == "fit" and r["domain_group"] != "toefl" and r["family"] != EDIT
    ]
    if name not in {"A", "B", "C"}:
        raise SystemExit(f"candidate {name} has no shipping recipe in fakescope train text")
    nonnegative, c = (False, 1.0) if name == "B" else (True, 0.001)
    feats = [r["features"] for r in train]
    labels = [r["label"] for r in train]
    statistics = EXTENDED if name == "C" else None
    weights = fit_weights(
        feats, labels, nonnegative=nonnegative, c=c, statistics=statistics, window=DEFAULT_WINDOW
    )
    scores = score_features(weights, feats)
    weights.info = {
        "n_human": labels.count(0),
        "n_machine": labels.count(1),
        "max_tokens": 256,
        "target_fpr": TARGET_FPR,
        "nonnegative": nonnegative,
        "ridge_c": c,
        "fusion": "statistics" if statistics else "detectors",
        "train_metrics": {k: summary_metrics(v, labels) for k, v in scores.items()},
        "data": "fit half of the chat-era sample (docs/text.md, scripts/text/chat_data.py)",
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    weights.save(out)
    for label, fname in ((0, "fit_human.jsonl"), (1, "fit_machine.jsonl")):
        with (out.parent / fname).open("w") as fh:
            for r in train:
                if r["label"] == label:
                    fh.write(json.dumps({"text": r["text"], "id": r["id"]}) + "\n")
    print(f"wrote {out} ({labels.count(0)} human, {labels.count(1)} machine texts)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("/work/data/text/chat"))
    ap.add_argument("--model-tag", default="smollm2-135m")
    ap.add_argument("--candidates", default="A,B,C,D")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument(
        "--head",
        default="",
        help="LAYER,C for D/E without the inner selection (-1 = the sentence embedding)",
    )
    ap.add_argument(
        "--fit-out",
        type=Path,
        default=None,
        help="fit candidate A, B or C (the first in --candidates) on the whole fit half, write "
        "the weights there and the texts to fit_human.jsonl / fit_machine.jsonl beside it",
    )
    args = ap.parse_args()
    rows = load(args.data, args.model_tag)
    print(f"{len(rows)} judged texts", flush=True)
    if args.fit_out:
        fit_shipping(rows, args.candidates.split(",")[0], args.fit_out)
        return
    report: list[str] = []
    results = {}
    head = None
    for name in args.candidates.split(","):
        if name in {"D", "E"}:
            key = "pooled" if name == "D" else "embed"
            if not all(key in r for r in rows):
                print(f"{name} skipped: {key} missing for some texts")
                continue
            layers = tuple(rows[0]["layers"]) if name == "D" else (EMBED,)
            if args.head:
                layer, c = args.head.split(",")
                head = (int(layer), float(c))
            else:
                head = choose_head(rows, layers)
            print(f"{name}: layer {head[0]}, C {head[1]} (chosen inside the fit half)", flush=True)
        fit = candidate(name, head)
        lo = logo(rows, fit)
        ld = lodo(rows, fit)
        toefl = [r for r in rows if r["domain_group"] == "toefl" and not r["label"]]
        train_all = [
            r
            for r in rows
            if r["half"] == "fit" and r["domain_group"] != "toefl" and r["family"] != EDIT
        ]
        tf = measure(fit, train_all, [], toefl)
        s_lo = summary(lo, {EDIT})
        s_ld = summary(ld, set())
        over = [k for k, v in ld.items() if v.get("human_fpr_at_threshold", 0) > 0.02]
        results[name] = {
            "logo": lo,
            "lodo": ld,
            "toefl": tf,
            "logo_summary": s_lo,
            "lodo_summary": s_ld,
            "lodo_fpr_over_2pct": over,
            "head": head,
        }
        line = (
            f"{name}: LOGO mean AUC {s_lo['mean_auc']:.4f}, worst {s_lo['worst']} "
            f"{s_lo['worst_auc']:.4f}, mean TPR@1% {s_lo['mean_tpr_1pct']:.3f}; LODO mean AUC "
            f"{s_ld['mean_auc']:.4f} (worst {s_ld['worst']} {s_ld['worst_auc']:.4f}); LODO "
            f"human FPR > 2 %: {over}; TOEFL human FPR {tf.get('human_fpr_at_threshold', 0):.3f}"
        )
        print(line, flush=True)
        report += [f"## Candidate {name}", "", line, ""]
        report += table(lo, f"{name}: leave one generator family out")
        report += table(ld, f"{name}: leave one domain group out")
    if args.out:
        args.out.write_text("\n".join(report) + "\n")
        args.out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
