"""Leave-one-system-out and leave-one-real-source-out evaluation of the speech detectors.

Data: ``../shared/datasets/audio/speech-train`` (real clips of many corpora, ~30 synthesis /
voice-conversion systems), FSDD (one source per speaker), the Asterisk voices, pocketsphinx
clips, the project's engines (``--engines``, from ``scripts/audio/build_speech_corpus.py``) and
copy-synthesis fakes of every real recording (``--copies``, from
``scripts/audio/build_copy_synthesis.py``; training data only, held out with their origin
source). Families and sources are defined in ``fakescope.audio.speech_data``; every file gets a
clean copy and two copies through a channel drawn alike for both classes
(``fakescope.audio.channel``).

Schemes (``fakescope.audio.speech_protocol``):

- ``loso``: every genuine synthesis family held out with every one of 5 real-source folds (each
  score from a model that saw neither the file's family nor its source), plus every real source
  held out alone (flagged share at the model's "likely synthetic" threshold);
- ``grouped``: 5 splits, each holding out a fifth of the families and of the sources (used for
  the CNN and the GMM, which are too slow to train 100+ times on 2 cores).

Recipes (``protocol_recipes.py``): ``whisper-lr`` (logistic head on Whisper tiny.en statistics),
``spec-cnn`` (16 kHz spectrogram CNN with RawBoost), ``lfcc-gmm`` (16 kHz LFCC GMMs),
``cnn-gmm`` (spec-cnn and lfcc-gmm fused; also writes each member's result), ``fusion``
(whisper-lr and spec-cnn), ``before`` (the previous release's shipped lfcc-gmm + spec-cnn weights
at 8 kHz, untrained here: ``--before-weights``).

Usage::

    .venv/bin/python scripts/audio/generalise_protocol.py --recipe cnn-gmm --scheme grouped \
        --json /work/data/audio/g20/r2_cnn-gmm_grouped.json
    .venv/bin/python scripts/audio/generalise_protocol.py --tables /work/data/audio/g20/r2_*.json \
        --docs docs/audio.md
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import protocol_recipes as recipes
from protocol_tables import pair_table, pairs, summary_table, table

from fakescope.audio.speech_cache import prepare_copies, whisper_stats
from fakescope.audio.speech_data import COPY_VOCODERS, all_items, is_copy_family
from fakescope.audio.speech_protocol import (
    Scored,
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
    def __init__(
        self,
        engines: Path | None,
        cache: Path,
        seed: int = 0,
        copies: Path | None = None,
        copy_vocoders: tuple[str, ...] | None = None,
    ) -> None:
        items = all_items(engines=engines, copies=copies, copy_vocoders=copy_vocoders)
        log(f"{len(items)} recordings ({sum(is_copy_family(i.group) for i in items)} copies)")
        self.copies = prepare_copies(items, 2, seed, cache)
        c = self.copies
        self.labels = np.array([x.item.label for x in c])
        self.groups = np.array([x.item.group for x in c])
        self.origins = np.array([x.item.origin for x in c], dtype=object)
        self.copy = np.array([x.copy for x in c])
        self.narrow = np.array([x.narrow for x in c])
        self.cache, self.seed = cache, seed
        self.side_scores: dict[str, list] = {}
        listing = "\n".join(f"{x.item.path}|{x.copy}" for x in c)
        self.fingerprint = hashlib.sha1(listing.encode()).hexdigest()[:16]
        log(f"{len(c)} prepared copies (fingerprint {self.fingerprint})")

    def whisper(self, layers: int | None = None) -> np.ndarray:
        """Whisper statistics of every copy (the first ``layers`` layers' part with ``layers``)."""
        from fakescope.audio.whisper_encoder import load_encoder

        encoder = load_encoder()
        x = whisper_stats(self.copies, encoder, self.seed, self.cache)
        if layers is not None:
            x = x[:, : (layers + 1) * 2 * encoder.width]
        return x


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
    ap.add_argument(
        "--recipe", choices=["whisper-lr", "spec-cnn", "lfcc-gmm", "cnn-gmm", "fusion", "before"]
    )
    ap.add_argument("--scheme", choices=["loso", "grouped"], default="loso")
    ap.add_argument("--engines", type=Path, default=Path("/work/data/audio/tts_stage"))
    ap.add_argument("--copies", type=Path, default=Path("/work/data/audio/copysynth"))
    ap.add_argument(
        "--copy-vocoders",
        nargs="*",
        choices=COPY_VOCODERS,
        help="copy-synthesis vocoders to train with (default: every one built; none: no copies)",
    )
    ap.add_argument("--no-copies", action="store_true", help="train without copy-synthesis")
    ap.add_argument("--cache", type=Path, default=Path("/work/data/audio/g20"))
    ap.add_argument("--before-weights", type=Path, default=Path("/work/data/audio/weights_before"))
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--members", type=int, default=1)
    ap.add_argument("--rawboost", type=float, default=0.5, help="spec-cnn: RawBoost share")
    ap.add_argument("--layers", type=int, help="whisper: use the first N encoder layers only")
    ap.add_argument("--max-train", type=int, help="spec-cnn: at most N training copies per fit")
    ap.add_argument("--rate", type=int, default=16000, choices=[8000, 16000], help="cnn/gmm rate")
    ap.add_argument("--tag", default="", help="suffix of the recipe name in the tables")
    ap.add_argument(
        "--split-index",
        type=int,
        help="run only this split and write its scores to --parts (several processes)",
    )
    ap.add_argument("--parts", type=Path, help="folder of per-split scores (--split-index)")
    ap.add_argument(
        "--merge-parts", action="store_true", help="tabulate the per-split scores in --parts"
    )
    ap.add_argument("--json", type=Path, help="write the result here (members: NAME.<member>.json)")
    ap.add_argument("--tables", type=Path, nargs="*", help="result files to tabulate")
    ap.add_argument("--docs", type=Path, help="replace the protocol block of this Markdown file")
    args = ap.parse_args(argv)
    if args.tables:
        return write_tables(args.tables, args.docs)
    if not args.recipe:
        ap.error("--recipe or --tables is required")
    import torch

    recipes.MAX_TRAIN = args.max_train
    torch.set_num_threads(1)
    engines = args.engines if args.engines and args.engines.is_dir() else None
    copies = None if args.no_copies or args.recipe == "before" else args.copies
    if copies is not None and not (copies / "MANIFEST.tsv").is_file():
        raise SystemExit(
            f"{copies}/MANIFEST.tsv not found: build_copy_synthesis.py, or --no-copies"
        )
    vocoders = tuple(args.copy_vocoders) if args.copy_vocoders is not None else None
    data = Data(engines, args.cache, copies=copies, copy_vocoders=vocoders)
    sizes: dict[str, int] = {}
    for g, lab, c in zip(data.groups, data.labels, data.copy, strict=True):
        if lab == 0 and c == 0:
            sizes[g] = sizes.get(g, 0) + 1
    folds = real_folds(sizes, 5)
    families = sorted(
        {g for g, lab in zip(data.groups, data.labels, strict=True) if lab == 1}
        - {g for g in data.groups if is_copy_family(g)}
    )
    if args.recipe == "before" or args.scheme == "grouped":
        splits = grouped_splits(families, folds)
    else:
        splits = loso_splits(families, folds) + lorso_splits(sorted(sizes))
    rate, layers = args.rate, args.layers
    make = {
        "whisper-lr": lambda: recipes.recipe_whisper(data, layers),
        "spec-cnn": lambda: recipes.recipe_cnn(
            data, args.epochs, args.members, rate, args.rawboost
        ),
        "lfcc-gmm": lambda: recipes.recipe_lfcc_gmm(data, rate),
        "cnn-gmm": lambda: recipes.recipe_fusion(
            data,
            {
                "spec-cnn": recipes.recipe_cnn(
                    data, args.epochs, args.members, rate, args.rawboost
                ),
                "lfcc-gmm": recipes.recipe_lfcc_gmm(data, rate),
            },
        ),
        "fusion": lambda: recipes.recipe_fusion(
            data,
            {
                "whisper-lr": recipes.recipe_whisper(data, layers),
                "spec-cnn": recipes.recipe_cnn(
                    data, args.epochs, args.members, rate, args.rawboost
                ),
            },
        ),
        "before": lambda: recipes.recipe_before(data, args.before_weights),
    }
    scheme = "grouped" if args.recipe == "before" else args.scheme
    built = sorted({g for g in data.groups if is_copy_family(g)})
    t0 = time.time()
    if args.merge_parts:
        runs = read_parts(args.parts, splits, data.fingerprint)
    else:
        fit_score = make[args.recipe]()
        is_test = np.isin(data.copy, [PRIMARY, CLEAN])
        todo = splits if args.split_index is None else [splits[args.split_index]]
        scored = run_splits(todo, data.labels, data.groups, is_test, fit_score, log, data.origins)
        runs = {args.recipe: scored}
        if len(data.side_scores) > 1:  # a fusion: its members too
            for name, rows in data.side_scores.items():
                runs[name] = [
                    Scored(s.split, test, calib.logits(raw_test), calib.threshold)
                    for s, (test, raw_test, _, calib) in zip(scored, rows, strict=True)
                ]
        if args.split_index is not None:
            write_part(args.parts, args.split_index, runs, data.fingerprint)
            return 0
    meta = dict(
        scheme="none (untrained)" if args.recipe == "before" else args.scheme,
        folds=folds,
        seconds=round(time.time() - t0, 1),
        epochs=args.epochs if args.recipe in ("spec-cnn", "cnn-gmm", "fusion") else None,
        max_train=args.max_train,
        copy_families=built,
        rawboost=args.rawboost,
    )
    suffix = (f"-{layers}L" if layers else "") + ("-8k" if rate == 8000 else "")
    suffix += ("+copies" if built else "") + (f"-{args.tag}" if args.tag else "")
    main_run = args.recipe if args.recipe in runs else next(iter(runs))
    for name, sc in runs.items():
        result = aggregate(data, sc, scheme)
        result.update(meta, recipe=name + suffix)
        for cond in ("channel", "clean"):
            log(f"{name} {cond}: {json.dumps(result['summary'][cond])}")
        if args.json:
            path = args.json if name == main_run else args.json.with_suffix(f".{name}.json")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(result, indent=1) + "\n")
    return 0


def write_part(parts: Path | None, index: int, runs: dict, fingerprint: str) -> None:
    """Scores of one split (every run of it: the recipe and a fusion's members) as JSON."""
    if parts is None:
        raise SystemExit("--split-index needs --parts FOLDER")
    parts.mkdir(parents=True, exist_ok=True)
    payload = {
        name: {
            "split": sc[0].split.name,
            "index": sc[0].index.tolist(),
            "logits": sc[0].logits.tolist(),
            "threshold": sc[0].threshold,
            "fingerprint": fingerprint,
        }
        for name, sc in runs.items()
    }
    (parts / f"split{index}.json").write_text(json.dumps(payload) + "\n")
    log(f"split {index} written to {parts}")


def read_parts(parts: Path | None, splits: list, fingerprint: str) -> dict:
    """The runs of every split from ``write_part`` files (all splits must be there)."""
    if parts is None or not parts.is_dir():
        raise SystemExit(f"--merge-parts needs --parts FOLDER with split*.json ({parts})")
    runs: dict[str, list] = {}
    for k, split in enumerate(splits):
        path = parts / f"split{k}.json"
        if not path.is_file():
            raise SystemExit(f"{path} is missing: run --split-index {k} first")
        for name, row in json.loads(path.read_text()).items():
            if row["split"] != split.name:
                raise SystemExit(f"{path}: split {row['split']!r}, expected {split.name!r}")
            if row["fingerprint"] != fingerprint:
                raise SystemExit(f"{path} was scored on other copies (the data changed)")
            runs.setdefault(name, []).append(
                Scored(
                    split, np.array(row["index"], int), np.array(row["logits"]), row["threshold"]
                )
            )
    return runs


def write_tables(paths: list[Path], docs: Path | None) -> int:
    results = {}
    for p in paths:
        r = json.loads(p.read_text())
        scheme = "shipped weights" if r["scheme"].startswith("none") else r["scheme"]
        results[f"{r['recipe']} ({scheme})"] = r
    text = summary_table(results, "channel") + "\n\n" + summary_table(results, "clean")
    text += "\n\n" + table(results, "channel") + "\n\n" + table(results, "clean")
    text += "\n\n" + pair_table(results)
    print(text)
    if docs:
        doc = docs.read_text()
        if DOC_BEGIN not in doc:
            raise SystemExit(f"{docs} has no {DOC_BEGIN} ... {DOC_END} block")
        head, rest = doc.split(DOC_BEGIN, 1)
        _, tail = rest.split(DOC_END, 1)
        docs.write_text(f"{head}{DOC_BEGIN}\n{text}\n{DOC_END}{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
