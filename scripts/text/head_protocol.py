"""Round 2 of the chat-era protocol: zero-shot statistics, unigram statistics and learned heads.

Usage (from the repo root; reads only cached features, minutes)::

    .venv/bin/python scripts/text/head_protocol.py --data /work/data/text/chat \\
        --unigram /work/data/text/chat/unigram.npy --out /work/data/text/chat/round2

The rules were written before any held-out number (/work/data/notes/issue21_round2_protocol.md);
this script applies them. Candidates: C (nine statistics), CU (+ unigram statistics), H (+ pooled
hidden states; layer, pooling, C and logistic vs MLP chosen by LOGO inside the fit half only), HU,
M (+ MiniLM sentence embedding). Folds: leave one generator family out (clean families decide;
confounded sets and the older set's families are reported apart), leave one domain group out
(share of the held-out domain's human texts flagged), TOEFL. Thresholds: T99, TDOM, TDOM995.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from protocol_data import EDIT, load  # noqa: E402

from fakescope.core import metrics  # noqa: E402
from fakescope.text.feature_fusion import STATISTICS  # noqa: E402
from fakescope.text.unigram import UNIGRAM_STATISTICS  # noqa: E402

THRESHOLDS = ("T99", "TDOM", "TDOM995")
MIN_FAMILY = 30
MIN_DOMAIN_HUMANS = 30
Scorer = Callable[[list[dict]], np.ndarray]


# -- recipes ------------------------------------------------------------------------------------
def design(rows: list[dict], spec: dict) -> np.ndarray:
    cols = [np.array([[r["features"][n] for n in spec["stats"]] for r in rows], dtype=np.float64)]
    if spec.get("hidden"):
        cols.append(np.stack([r["hidden"][spec["hidden"]] for r in rows]).astype(np.float64))
    if spec.get("embed"):
        cols.append(np.stack([r["embed"] for r in rows]).astype(np.float64))
    return np.hstack(cols)


def fit(train: list[dict], spec: dict) -> Scorer:
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    x = design(train, spec)
    mean, scale = x.mean(0), x.std(0)
    scale[scale == 0] = 1.0
    y = np.array([r["label"] for r in train])
    if spec.get("mlp"):
        model = MLPClassifier(
            hidden_layer_sizes=(64,),
            alpha=spec["alpha"],
            early_stopping=True,
            max_iter=300,
            random_state=0,
        )
    else:
        model = LogisticRegression(C=spec.get("C", 1.0), max_iter=1000, tol=1e-4)
    model.fit((x - mean) / scale, y)
    return lambda rows: model.predict_proba((design(rows, spec) - mean) / scale)[:, 1]


def name_of(spec: dict) -> str:
    parts = [spec["name"]]
    if spec.get("hidden"):
        parts.append(f"{spec['hidden'][0]}{spec['hidden'][1]}")
    parts.append(f"mlp a={spec['alpha']}" if spec.get("mlp") else f"C={spec.get('C', 1.0)}")
    return " ".join(parts)


# -- thresholds and measures ----------------------------------------------------------------------
def thresholds(scorer: Scorer, humans: list[dict]) -> dict[str, float]:
    s = scorer(humans)
    groups = sorted({r["domain_group"] for r in humans})
    per = {g: s[[r["domain_group"] == g for r in humans]] for g in groups}
    per = {g: v for g, v in per.items() if len(v) >= 20}
    return {
        "T99": float(np.quantile(s, 0.99)),
        "TDOM": max(float(np.quantile(v, 0.99)) for v in per.values()),
        "TDOM995": max(float(np.quantile(v, 0.995)) for v in per.values()),
    }


def measure(scorer: Scorer, thr: dict, test_m: list[dict], test_h: list[dict]) -> dict:
    sm = scorer(test_m) if test_m else np.array([])
    sh = scorer(test_h) if test_h else np.array([])
    out: dict = {"n_machine": len(sm), "n_human": len(sh)}
    for k, t in thr.items():
        if len(sh):
            out[f"flagged_{k}"] = float(np.mean(sh >= t))
        if len(sm):
            out[f"detected_{k}"] = float(np.mean(sm >= t))
    if len(sm) and len(sh):
        y = np.r_[np.zeros(len(sh)), np.ones(len(sm))]
        out["roc_auc"] = float(metrics.roc_auc(y, np.r_[sh, sm]))
        out["tpr_1pct"] = float(metrics.tpr_at_fpr(y, np.r_[sh, sm], 0.01))
    return out


# -- folds ---------------------------------------------------------------------------------------
def trainable(r: dict) -> bool:
    return r["half"] == "fit" and r["domain_group"] != "toefl" and not r["confounded"]


def clean_families(rows: list[dict], kind: str = "chat") -> list[str]:
    counts: dict[str, int] = {}
    for r in rows:
        if r["label"] and not r["confounded"] and r["set"] == kind:
            counts[r["family"]] = counts.get(r["family"], 0) + 1
    return sorted(f for f, n in counts.items() if n >= MIN_FAMILY)


def logo(rows: list[dict], spec: dict, use_fdg: bool = True) -> dict[str, dict]:
    base = [r for r in rows if trainable(r) and (use_fdg or r["set"] == "chat")]
    humans = [r for r in rows if not r["label"] and r["half"] == "test"]
    chat_h = [r for r in humans if r["set"] == "chat" and r["domain_group"] != "toefl"]
    fdg_h = [r for r in humans if r["set"] == "fdg"]
    out: dict[str, dict] = {}
    for fam in clean_families(rows):
        train = [r for r in base if r["family"] != fam]
        sc = fit(train, spec)
        thr = thresholds(sc, [r for r in train if not r["label"]])
        test = [r for r in rows if r["family"] == fam and not r["confounded"]]
        out[fam] = measure(sc, thr, test, chat_h) | {"kind": "clean"}
    if use_fdg:
        for fam in clean_families(rows, "fdg"):
            train = [r for r in base if r["family"] != fam]
            sc = fit(train, spec)
            thr = thresholds(sc, [r for r in train if not r["label"]])
            test = [r for r in rows if r["family"] == fam]
            out[fam] = measure(sc, thr, test, fdg_h) | {"kind": "fdg"}
    # confounded sets are in no training set: one fit on everything trainable measures them
    sc = fit(base, spec)
    thr = thresholds(sc, [r for r in base if not r["label"]])
    conf: dict[str, list[dict]] = {}
    for r in rows:
        if r["confounded"]:
            key = r["family"] if not r["source"].startswith("mixset/") else f"mixset:{r['family']}"
            conf.setdefault(key, []).append(r)
    for key, test in sorted(conf.items()):
        out[key] = measure(sc, thr, test, chat_h) | {"kind": "confounded"}
    return out


def lodo(rows: list[dict], spec: dict, use_fdg: bool = True) -> dict[str, dict]:
    base = [r for r in rows if trainable(r) and (use_fdg or r["set"] == "chat")]
    out = {}
    groups = sorted({r["domain_group"] for r in rows if use_fdg or r["set"] == "chat"})
    for g in groups:
        if g == "toefl":
            continue
        train = [r for r in base if r["domain_group"] != g]
        sc = fit(train, spec)
        thr = thresholds(sc, [r for r in train if not r["label"]])
        test = [r for r in rows if r["domain_group"] == g and r["family"] != EDIT]
        test_m = [r for r in test if r["label"] and not r["confounded"]]
        res = measure(sc, thr, test_m, [r for r in test if not r["label"]])
        conf_m = [r for r in test if r["confounded"]]
        if conf_m:
            res["confounded_machine"] = measure(
                sc, thr, conf_m, [r for r in test if not r["label"]]
            )
        out[g] = res
    sc = fit(base, spec)
    thr = thresholds(sc, [r for r in base if not r["label"]])
    toefl = [r for r in rows if r["domain_group"] == "toefl" and not r["label"]]
    edit = [r for r in rows if r["family"] == EDIT]
    out["toefl (all, never fitted)"] = measure(sc, thr, edit, toefl)
    return out


def decision_domains(res: dict[str, dict]) -> list[str]:
    return [
        g
        for g, v in res.items()
        if g not in {"fiction"} and "toefl" not in g and v["n_human"] >= MIN_DOMAIN_HUMANS
    ]


def summarise(lo: dict, ld: dict, thr: str = "T99") -> dict:
    clean = {k: v for k, v in lo.items() if v["kind"] == "clean"}
    allchat = {k: v for k, v in lo.items() if v["kind"] in {"clean", "confounded"}}
    allchat = {k: v for k, v in allchat.items() if "roc_auc" in v and k != EDIT}
    worst = min(clean, key=lambda k: clean[k]["roc_auc"])
    dd = decision_domains(ld)
    aucs = [ld[g]["roc_auc"] for g in dd if "roc_auc" in ld[g]]
    return {
        "S": float(np.mean([v["roc_auc"] for v in clean.values()])),
        "worst": worst,
        "worst_auc": clean[worst]["roc_auc"],
        "tpr_1pct": float(np.mean([v["tpr_1pct"] for v in clean.values()])),
        "all_chat_auc": float(np.mean([v["roc_auc"] for v in allchat.values()])),
        "all_chat_worst": min(v["roc_auc"] for v in allchat.values()),
        "all_chat_tpr": float(np.mean([v["tpr_1pct"] for v in allchat.values()])),
        "lodo_auc": float(np.mean(aucs)),
        "fpr_count": {t: sum(ld[g][f"flagged_{t}"] > 0.02 for g in dd) for t in THRESHOLDS},
        "detected": {
            t: float(np.mean([v[f"detected_{t}"] for v in clean.values()])) for t in THRESHOLDS
        },
        "decision_domains": dd,
    }


# -- inner selection (fit half only) --------------------------------------------------------------
def _inner_half(group: str) -> int:
    return int(hashlib.sha1(f"inner|{group}".encode()).hexdigest(), 16) % 2


def inner_score(rows: list[dict], spec: dict) -> float:
    fit_rows = [r for r in rows if trainable(r)]
    humans = [r for r in fit_rows if not r["label"]]
    h_train = [r for r in humans if _inner_half(r["group"]) == 0]
    h_test = [r for r in humans if _inner_half(r["group"]) == 1 and r["set"] == "chat"]
    aucs = []
    for fam in clean_families(rows):
        test_m = [r for r in fit_rows if r["family"] == fam]
        if len(test_m) < 10:
            continue
        train = [r for r in fit_rows if r["label"] and r["family"] != fam] + h_train
        sc = fit(train, spec)
        aucs.append(measure(sc, {}, test_m, h_test)["roc_auc"])
    return float(np.mean(aucs))


def select_head(rows: list[dict], base: dict, keys: list[tuple], log: list[str]) -> dict:
    """Hidden-state key, then C, then logistic vs a small MLP: all by inner LOGO (fit half)."""
    memo: dict[str, float] = {}

    def score(spec: dict) -> float:
        name = name_of(spec)
        if name not in memo:
            t = time.time()
            memo[name] = inner_score(rows, spec)
            log.append(f"inner {name}: {memo[name]:.4f} ({time.time() - t:.0f} s)")
            print(log[-1], flush=True)
        return memo[name]

    best_key = max(keys, key=lambda k: score(dict(base, hidden=k, C=0.05)))
    best = max((dict(base, hidden=best_key, C=c) for c in (0.005, 0.05, 0.5)), key=score)
    for alpha in (1e-2, 1.0):
        spec = dict(base, hidden=best_key, mlp=True, alpha=alpha)
        if score(spec) > score(best):
            best = spec
    return best


def select_c(rows: list[dict], base: dict, log: list[str]) -> dict:
    scores = {}
    for c in (0.005, 0.05, 0.5):
        spec = dict(base, C=c)
        scores[c] = inner_score(rows, spec)
        log.append(f"inner {name_of(spec)}: {scores[c]:.4f}")
        print(log[-1], flush=True)
    return dict(base, C=max(scores, key=lambda c: scores[c]))


# -- report ----------------------------------------------------------------------------------------
def fmt(v: float | None) -> str:
    return "" if v is None else f"{v:.3f}"


def tables(name: str, lo: dict, ld: dict) -> list[str]:
    lines = [f"### {name}: leave one generator family out", ""]
    lines += [
        "| held out | kind | machine | human | ROC-AUC | TPR@1%FPR | detected T99 / TDOM / "
        "TDOM995 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for k, v in lo.items():
        det = " / ".join(fmt(v.get(f"detected_{t}")) for t in THRESHOLDS)
        lines.append(
            f"| {k} | {v['kind']} | {v['n_machine']} | {v['n_human']} | "
            f"{fmt(v.get('roc_auc'))} | {fmt(v.get('tpr_1pct'))} | {det} |"
        )
    lines += ["", f"### {name}: leave one domain group out", ""]
    lines += [
        "| held out | machine | human | ROC-AUC | TPR@1%FPR | humans flagged T99 / TDOM / "
        "TDOM995 | detected T99 / TDOM / TDOM995 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for k, v in ld.items():
        fl = " / ".join(fmt(v.get(f"flagged_{t}")) for t in THRESHOLDS)
        det = " / ".join(fmt(v.get(f"detected_{t}")) for t in THRESHOLDS)
        lines.append(
            f"| {k} | {v['n_machine']} | {v['n_human']} | {fmt(v.get('roc_auc'))} | "
            f"{fmt(v.get('tpr_1pct'))} | {fl} | {det} |"
        )
        conf = v.get("confounded_machine")
        if conf:
            lines.append(
                f"| {k}: confounded machine | {conf['n_machine']} | {conf['n_human']} | "
                f"{fmt(conf.get('roc_auc'))} | {fmt(conf.get('tpr_1pct'))} | | |"
            )
    return lines + [""]


def run(rows: list[dict], spec: dict, results: dict, report: list[str], label: str) -> dict:
    t = time.time()
    lo, ld = logo(rows, spec), lodo(rows, spec)
    summ = summarise(lo, ld)
    results[label] = {"spec": name_of(spec), "summary": summ, "logo": lo, "lodo": ld}
    line = (
        f"{label} [{name_of(spec)}, n={len(rows)}]: clean LOGO {summ['S']:.4f}, worst "
        f"{summ['worst']} {summ['worst_auc']:.3f}, TPR@1% {summ['tpr_1pct']:.3f}; all-chat "
        f"LOGO {summ['all_chat_auc']:.4f} (worst {summ['all_chat_worst']:.3f}, TPR "
        f"{summ['all_chat_tpr']:.3f}); LODO {summ['lodo_auc']:.4f}; FPR>2% count "
        f"{summ['fpr_count']}; detected {summ['detected']} ({time.time() - t:.0f} s)"
    )
    print(line, flush=True)
    report.extend([f"## {label}", "", line, ""] + tables(label, lo, ld))
    return summ


def passes_head(h: dict, z: dict) -> bool:
    return (
        h["S"] >= z["S"] + 0.01
        and h["worst_auc"] >= z["worst_auc"] - 0.01
        and h["lodo_auc"] >= z["lodo_auc"] - 0.01
        and h["fpr_count"]["T99"] <= z["fpr_count"]["T99"]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("/work/data/text/chat"))
    ap.add_argument("--unigram", type=Path, default=Path("/work/data/text/chat/unigram.npy"))
    ap.add_argument("--out", type=Path, default=Path("/work/data/text/chat/round2"))
    ap.add_argument("--candidates", default="C,CU,H,HU,M")
    ap.add_argument(
        "--token-texts",
        choices=("round2", "all"),
        default="round2",
        help="token subset: the texts first scored in round 2 (the decision), or every text "
        "with token arrays (round 1's re-scored texts too; a later, supplementary measure)",
    )
    ap.add_argument("--head", default="", help="skip the inner search: e.g. mean,8,0.05")
    args = ap.parse_args()
    rows = load(args.data, unigram=args.unigram)
    print(f"{len(rows)} judged texts ({sum(r['set'] == 'fdg' for r in rows)} older set)")
    keys = sorted(set.intersection(*(set(r["hidden"]) for r in rows)))
    print(f"hidden-state keys present for every text: {keys}")
    # addendum (b): the texts first scored in round 2 (token arrays for all of them, both
    # halves); round 1's texts re-scored later for the shipped fit (fit half only) stay out
    tok = [
        r for r in rows if r.get("has_tokens") and (args.token_texts == "all" or not r["round1"])
    ]
    print(f"texts with token arrays (unigram statistics), {args.token_texts}: {len(tok)}")
    want = args.candidates.split(",")
    results: dict = {}
    report: list[str] = []
    log: list[str] = []
    c_spec = {"name": "C", "stats": list(STATISTICS), "C": 1.0}
    cu_spec = {"name": "CU", "stats": list(STATISTICS) + list(UNIGRAM_STATISTICS), "C": 1.0}
    summ = {"C": run(rows, c_spec, results, report, "C")}
    zero, z_spec = "C", c_spec
    if "CU" in want and len(tok) >= 500:
        summ["C@tok"] = run(tok, c_spec, results, report, "C@tok")
        summ["CU@tok"] = run(tok, cu_spec, results, report, "CU@tok")
        a, b = summ["CU@tok"], summ["C@tok"]
        if a["S"] >= b["S"] and a["fpr_count"]["T99"] <= b["fpr_count"]["T99"]:
            # addendum (b): CU exists on the token subset only, so CU and every head are
            # compared there, each fitted and tested on the same texts
            zero, z_spec = "CU@tok", cu_spec
            log.append("rule 2: CU replaces C (compared on the token subset)")
        else:
            log.append("rule 2: C stays (CU not better on the token subset)")
        print(log[-1], flush=True)
    heads = {}
    if "H" in want:
        if args.head:
            pool, layer, c = args.head.split(",")
            h_spec = dict(c_spec, name="H", hidden=(pool, int(layer)), C=float(c))
        else:
            h_spec = select_head(rows, dict(c_spec, name="H"), keys, log)
        h_all = run(rows, h_spec, results, report, "H")
        heads["H"] = (h_spec, h_all)
        if "HU" in want and len(tok) >= 500:
            hu = dict(h_spec, name="HU", stats=cu_spec["stats"])
            hu_s = run(tok, hu, results, report, "HU@tok")
            h_tok = run(tok, h_spec, results, report, "H@tok")
            log.append(f"HU@tok S {hu_s['S']:.4f} vs H@tok {h_tok['S']:.4f}")
            if zero == "CU@tok":
                heads = {"H": (h_spec, h_tok), "HU": (hu, hu_s)}
    if "M" in want and all("embed" in r for r in rows if r["set"] == "chat"):
        chat = [r for r in rows if r["set"] == "chat"]
        m_spec = select_c(chat, dict(c_spec, name="M", embed=True), log)
        c_chat = run(chat, c_spec, results, report, "C@chat")
        m_s = run(chat, m_spec, results, report, "M@chat")
        log.append(f"M is compared with C on chat texts only: C@chat S {c_chat['S']:.4f}")
        # rule 3 for M: it must pass against the zero-shot recipe on the same (chat) texts
        log.append(
            f"rule 3: M ({name_of(m_spec)}) vs C@chat: "
            f"{'passes' if passes_head(m_s, c_chat) else 'fails'}"
        )
        print(log[-1], flush=True)
    z = summ[zero]
    chosen, chosen_s = zero, z
    for name, (spec, s) in heads.items():
        ok = passes_head(s, z)
        log.append(f"rule 3: {name} ({name_of(spec)}) vs {zero}: {'passes' if ok else 'fails'}")
        print(log[-1], flush=True)
        if ok and s["S"] > chosen_s["S"]:
            chosen, chosen_s = name, s
    fpr = chosen_s["fpr_count"]
    thr = min(THRESHOLDS, key=lambda t: (fpr[t], -chosen_s["detected"][t]))
    log.append(f"chosen recipe {chosen}; threshold rule 4: {thr} (FPR>2% counts {fpr})")
    print(log[-1], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "protocol.md").write_text("\n".join(["# Round 2", ""] + log + [""] + report))
    results["log"] = log
    results["chosen"] = {"recipe": chosen, "threshold": thr, "zero_shot": name_of(z_spec)}
    spec = heads[chosen][0] if chosen in heads else z_spec
    results["chosen"]["spec"] = {
        k: (list(v) if isinstance(v, tuple) else v) for k, v in spec.items()
    }
    (args.out / "protocol.json").write_text(json.dumps(results, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
