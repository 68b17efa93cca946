"""Refit only the content router (speech / music / vocals) the way ``fakescope train audio`` does.

``train_all`` fits the router first, on the training split's front-end speech clips and the
music folders of ``--music``; this script rebuilds that same training list from the front-end
cache that ``train audio --cache`` writes (``speech_seed0.npz``, computed where missing) and
calls the same :func:`~fakescope.audio.content_training.train_content`, so a candidate router
costs minutes instead of a full retraining. ``--music`` adds folders to the default two
(HyperRogue, Asterisk music on hold).

Usage::

    .venv/bin/python scripts/audio/retrain_router.py \\
        --out /work/data/router/content_more_music.npz \\
        --music /usr/share/sonic-pi/samples /usr/share/games/warzone2100/music
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fakescope.audio.content import save_content_model
from fakescope.audio.content_training import music_files, train_content
from fakescope.audio.corpus import real_items, tts_items
from fakescope.audio.training import prepare_speech

DEFAULT_MUSIC = [Path("/usr/share/hyperrogue/music"), Path("/usr/share/asterisk/moh")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--fsdd", type=Path, default=Path("/work/shared/datasets/audio/fsdd"))
    ap.add_argument("--tts", type=Path, default=Path("/work/data/audio/tts"))
    ap.add_argument("--holdout-engine", default="pico")
    ap.add_argument(
        "--cache",
        type=Path,
        default=Path("/work/data/router/cache"),
        help="front-end cache folder (train audio --cache)",
    )
    ap.add_argument("--music", type=Path, nargs="*", default=[])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    items = real_items(args.fsdd) + tts_items(args.tts, args.holdout_engine)
    items = [i for i in items if i.split == "train"]
    prepared = prepare_speech(items, {"train": 3}, args.seed, args.cache, print)
    speech = [p.audio for p in prepared]
    print(f"{len(speech)} training speech clips")
    files = music_files(DEFAULT_MUSIC + list(args.music))
    print(f"{len(files)} music files")
    mean, scale, coef, intercept, acc = train_content(speech, files, args.seed, print)
    save_content_model(args.out, mean, scale, coef, intercept)
    print(f"wrote {args.out} (training accuracy {acc:.3f})")


if __name__ == "__main__":
    main()
