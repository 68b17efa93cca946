"""Evaluate the content router (speech / music / vocals) on music and speech clips already on disk.

Step 1 (``probs``) caches per-clip segment probabilities of one router weights file; step 2
(``report``) applies routing rules to the cache and prints, per split and source:

- music clips not routed to music (``has_music`` False: the music verdict does not run), and
  those where the music side does not decide (not routed, or label "speech");
- speech clips routed away from speech (the speech fusion does not decide the verdict: no voice,
  or music routed and the label is not "speech", see ``audio/fusion.py``), and those that get the
  music check at all.

Splits (see /work/data/notes/router_protocol.md): FIT = other-genre music cuts
(``/work/data/music/det/other.npz``) + FSDD, Asterisk prompts, local TTS engines; HELD-OUT =
``../shared/datasets/music`` (whole files) + ``../shared/datasets/audio/speech-train`` +
pocketsphinx-testdata LibriVox.

Usage::

    P=".venv/bin/python scripts/audio/eval_router.py"
    $P probs --out /work/data/router/probs_shipped.npz
    $P report --probs /work/data/router/probs_shipped.npz --music-threshold 0.5 0.3
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from fakescope.audio.content import CONTENT_RATE, ContentClassifier, route, segment_probs
from fakescope.audio.dsp import resample
from fakescope.audio.loader import load_audio

SHARED = Path("/work/shared/datasets")  # the repo's ../shared/datasets in the lead checkout
MUSIC_DET = Path("/work/data/music/det")
TTS_DIR = Path("/work/data/audio/tts")
FSDD = SHARED / "audio" / "fsdd"
ASTERISK = Path("/usr/share/asterisk/sounds/en_US_f_Allison")
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")


def _items() -> list[tuple[str, str, str, object]]:
    """(split, kind, source, path or (array, rate)) for every evaluation clip."""
    items: list[tuple[str, str, str, object]] = []
    man = SHARED / "music" / "MANIFEST.tsv"
    with open(man) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            src = "music-real" if row["label"] == "real" else f"music-gen:{row['family']}"
            items.append(("heldout", "music", src, SHARED / "music" / row["file"]))
    man = SHARED / "audio" / "speech-train" / "MANIFEST.tsv"
    with open(man) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            kind = "real" if row["label"] == "real" else "tts"
            items.append(
                (
                    "heldout",
                    "speech",
                    f"{kind}:{row['system']}",
                    SHARED / "audio" / "speech-train" / row["file"],
                )
            )
    for p in sorted(LIBRIVOX.glob("*.wav")):
        items.append(("heldout", "speech", "real:librivox", p))
    other = np.load(MUSIC_DET / "other.npz")
    for meta, x in zip(other["meta"], other["clean"], strict=True):
        items.append(("fit", "music", f"music-other:{meta[3]}", (x, 16000)))
    for p in sorted(FSDD.glob("*.wav"))[::5]:
        items.append(("fit", "speech", "real:fsdd", p))
    for p in sorted(ASTERISK.rglob("*.wav")):
        items.append(("fit", "speech", "real:asterisk", p))
    for d in sorted(TTS_DIR.iterdir()):
        for p in sorted(d.glob("*.wav"))[::6][:100]:
            items.append(("fit", "speech", f"tts:{d.name}", p))
    return items


def cmd_probs(args: argparse.Namespace) -> None:
    clf = ContentClassifier(args.weights)
    rows, probs = [], []
    items = _items()
    for i, (split, kind, source, what) in enumerate(items):
        if isinstance(what, tuple):
            x, rate = what
            x = resample(np.asarray(x, np.float32), rate, CONTENT_RATE)
            name = source
        else:
            try:
                x = load_audio(Path(what))[0].data.mono_at(CONTENT_RATE)
            except Exception as exc:  # a clip the scanner refuses is not routed either
                print(f"skip {what}: {exc}", file=sys.stderr)
                continue
            name = str(what)
        probs.append(segment_probs(x, clf).mean(axis=0))
        rows.append((split, kind, source, name))
        if i % 500 == 0:
            print(f"{i}/{len(items)}", file=sys.stderr, flush=True)
    np.savez(args.out, meta=np.array(rows), probs=np.array(probs))
    print(f"wrote {args.out}: {len(rows)} clips")


def routing_table(meta: np.ndarray, probs: np.ndarray, music_threshold: float) -> dict:
    """Per (split, kind, source): n, and counts of each failure kind."""
    out: dict = defaultdict(lambda: defaultdict(int))
    for (split, kind, source, _), p in zip(meta, probs, strict=True):
        r = route(p[None, :], music_threshold=music_threshold)
        for key in ((split, kind, source), (split, kind, "ALL")):
            c = out[key]
            c["n"] += 1
            if kind == "music":
                c["not_routed"] += not r["has_music"]
                c["not_deciding"] += (not r["has_music"]) or r["label"] == "speech"
            else:
                away = (not r["has_voice"]) or (r["has_music"] and r["label"] != "speech")
                c["away"] += away
                c["music_check"] += r["has_music"]
    return out


def cmd_report(args: argparse.Namespace) -> None:
    data = np.load(args.probs)
    meta, probs = data["meta"], data["probs"]
    keep = np.array([not any(e in m[3] for e in args.exclude) for m in meta], dtype=bool)
    meta, probs = meta[keep], probs[keep]
    if args.exclude:
        print(f"excluded {int((~keep).sum())} clips matching {args.exclude}")
    for t in args.music_threshold:
        print(f"\n## music threshold {t}")
        table = routing_table(meta, probs, t)
        for key in sorted(table):
            c = table[key]
            if key[1] == "music":
                print(
                    f"{key[0]:8s} {key[2]:32s} n={c['n']:4d} not routed to music "
                    f"{c['not_routed']:4d} ({c['not_routed'] / c['n']:.1%})  music not deciding "
                    f"{c['not_deciding']:4d}"
                )
            elif args.all_speech or key[2] == "ALL" or c["away"] or c["music_check"]:
                print(
                    f"{key[0]:8s} {key[2]:32s} n={c['n']:4d} routed away from speech "
                    f"{c['away']:4d} ({c['away'] / c['n']:.1%})  get music check "
                    f"{c['music_check']:4d} ({c['music_check'] / c['n']:.1%})"
                )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("probs")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--weights", type=Path, default=None, help="content.npz (default: shipped)")
    p.set_defaults(func=cmd_probs)
    r = sub.add_parser("report")
    r.add_argument("--probs", type=Path, required=True)
    r.add_argument("--music-threshold", type=float, nargs="+", default=[0.5])
    r.add_argument(
        "--exclude", nargs="*", default=[], help="drop clips whose path contains any of these"
    )
    r.add_argument("--all-speech", action="store_true", help="list every speech source")
    r.set_defaults(func=cmd_report)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
