"""Tables of ``generalise_protocol.py`` results, and the previous release's headline pairs."""

from __future__ import annotations

import numpy as np

from fakescope.audio.speech_protocol import summarise

PRIMARY, CLEAN = 1, 0  # test copies: channel draw (primary), clean


# the previous release's headline pairs: (held-out family, real sources)
HEADLINE_PAIRS = {
    "theo vs pico": ("pico", ["fsdd-theo"]),
    "theo vs flite+festival": ("flite-festival", ["fsdd-theo"]),
    "4 Asterisk voices vs pico": (
        "pico",
        ["asterisk-june", "asterisk-menardi", "asterisk-carlo", "asterisk-ru"],
    ),
    "pocketsphinx vs pico": ("pico", ["pocketsphinx"]),
    "theo vs kokoro": ("kokoro", ["fsdd-theo"]),
}


def pairs(data, fam_splits, scheme: str) -> dict:
    """EER / AUC / TPR of the headline pairs, scores from models that saw neither side."""
    out: dict = {}
    for name, (fam, sources) in HEADLINE_PAIRS.items():
        for cond, copy in (("channel", PRIMARY), ("clean", CLEAN)):
            fake: dict[int, list[float]] = {}
            real: list[float] = []
            for s in fam_splits:
                if fam not in s.split.families:
                    continue
                for i, z in zip(s.index, s.logits, strict=True):
                    if data.copy[i] != copy:
                        continue
                    if data.labels[i] == 1 and data.groups[i] == fam:
                        fake.setdefault(int(i), []).append(float(z))
                    elif data.labels[i] == 0 and data.groups[i] in sources:
                        real.append(float(z))
            if scheme != "loso":  # grouped: reals come from whichever split held them out
                real = [
                    float(z)
                    for s in fam_splits
                    for i, z in zip(s.index, s.logits, strict=True)
                    if data.copy[i] == copy and data.labels[i] == 0 and data.groups[i] in sources
                ]
            if fake and real:
                y = np.r_[np.ones(len(fake)), np.zeros(len(real))]
                z = np.r_[[np.mean(v) for v in fake.values()], real]
                out.setdefault(name, {})[cond] = summarise(y, z)
    return out


def table(results: dict, cond: str = "channel") -> str:
    """Markdown tables of one or more result files (columns: recipes)."""
    names = list(results)
    how = {
        "channel": "through a channel drawn alike for both classes",
        "clean": "as they come, front end only",
    }[cond]
    lines = [f"Condition: **{cond}** (test copies {how}).", ""]
    lines.append(
        "| held-out family | n | " + " | ".join(f"{n}: EER / AUC / TPR@1%FPR" for n in names) + " |"
    )
    lines.append("| --- | --- |" + " --- |" * len(names))
    fams = sorted(set().union(*(r["families"] for r in results.values())))
    for f in fams:
        cells, n = [], ""
        for name in names:
            row = results[name]["families"].get(f, {}).get(cond)
            if row and "eer" in row:
                n = str(row["n_fake"])
                caught = f"{row['fake_flagged']:.0%}" if "fake_flagged" in row else "-"
                cells.append(
                    f"{row['eer']:.1%} / {row['auc']:.3f} / {row['tpr_1pct']:.0%} / {caught}"
                )
            else:
                cells.append("")
        lines.append(f"| {f} | {n} | " + " | ".join(cells) + " |")
    cells = []
    for r in results.values():
        m = r["summary"][cond]
        worst = f"{m['loso_worst_eer']:.1%} ({m['loso_worst_family']})"
        cells.append(f"**{m['loso_mean_eer']:.1%}** / {worst}")
    lines.append("| **mean / worst** | | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| held-out real source | n | "
        + " | ".join(f"{n}: flagged / EER / AUC" for n in names)
        + " |",
    ]
    lines.append("| --- | --- |" + " --- |" * len(names))
    srcs = sorted(set().union(*(r["sources"] for r in results.values())))
    for s in srcs:
        cells, n = [], ""
        for name in names:
            row = results[name]["sources"].get(s, {}).get(cond)
            if row and "eer" in row:
                n = str(row["n_real"])
                cells.append(f"{row['real_flagged']:.1%} / {row['eer']:.1%} / {row['auc']:.3f}")
            else:
                cells.append("")
        lines.append(f"| {s} | {n} | " + " | ".join(cells) + " |")
    cells = []
    for r in results.values():
        m = r["summary"][cond]
        n_over = m["lorso_sources_over_5pct"]
        cells.append(
            f"**{m['lorso_worst_flagged']:.1%}** ({m['lorso_worst_source']}; {n_over} > 5 %)"
        )
    lines.append("| **worst** | | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_table(results: dict, cond: str = "channel") -> str:
    """One row per recipe: what the round-2 decision rule compares (mean and worst family EER,
    AUC, the share of held-out fakes at or above the "likely synthetic" threshold, real sources
    with more than 5 % of their files flagged)."""
    lines = [
        f"| recipe ({cond}) | mean EER | worst family EER | mean AUC | worst AUC "
        "| fakes caught at the threshold (mean / worst family) | sources > 5 % flagged "
        "| worst source flagged |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        rows = [f[cond] for f in r["families"].values() if "eer" in f.get(cond, {})]
        m = r["summary"][cond]
        auc = [x["auc"] for x in rows]
        caught = [x["fake_flagged"] for x in rows if "fake_flagged" in x]
        worst_auc = min(r["families"], key=lambda f: r["families"][f][cond].get("auc", 1.0))
        caught_cell = f"{np.mean(caught):.1%} / {np.min(caught):.1%}" if caught else "-"
        lines.append(
            f"| {name} | **{m['loso_mean_eer']:.1%}** | {m['loso_worst_eer']:.1%} "
            f"({m['loso_worst_family']}) | {np.mean(auc):.3f} | {np.min(auc):.3f} ({worst_auc}) "
            f"| {caught_cell} | {m['lorso_sources_over_5pct']} of {len(r['sources'])} "
            f"| {m['lorso_worst_flagged']:.1%} ({m['lorso_worst_source']}) |"
        )
    return "\n".join(lines)


def pair_table(results: dict) -> str:
    """The previous release's headline pairs, per recipe (channel / clean EER)."""
    names = list(results)
    lines = ["| pair (EER, channel / clean) | " + " | ".join(names) + " |"]
    lines.append("| --- |" + " --- |" * len(names))
    for pair in HEADLINE_PAIRS:
        cells = []
        for r in results.values():
            row = r.get("pairs", {}).get(pair, {})
            if "channel" in row and "eer" in row["channel"]:
                cells.append(f"{row['channel']['eer']:.1%} / {row['clean']['eer']:.1%}")
            else:
                cells.append("")
        lines.append(f"| {pair} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
