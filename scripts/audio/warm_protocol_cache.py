"""Fill the protocol's caches (prepared copies, Whisper statistics) for some groups only.

``generalise_protocol.py`` prepares and caches every group itself, one after the other; on a
shared machine several of these processes, each on its own groups, fill the cache sooner.

Usage::

    .venv/bin/python scripts/audio/warm_protocol_cache.py --groups copy-world copy-mlsa --whisper
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fakescope.audio.speech_cache import prepare_copies, whisper_stats
from fakescope.audio.speech_data import all_items


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--groups", nargs="+", required=True)
    ap.add_argument("--engines", type=Path, default=Path("/work/data/audio/tts_stage"))
    ap.add_argument("--copies", type=Path, default=Path("/work/data/audio/copysynth"))
    ap.add_argument("--cache", type=Path, default=Path("/work/data/audio/g20"))
    ap.add_argument("--whisper", action="store_true", help="also the Whisper statistics")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    items = all_items(engines=args.engines, copies=args.copies)
    unknown = set(args.groups) - {i.group for i in items}
    if unknown:
        raise SystemExit(f"no items in group(s) {sorted(unknown)}")
    for group in args.groups:
        t0 = time.time()
        copies = prepare_copies([i for i in items if i.group == group], 2, args.seed, args.cache)
        print(f"{group}: {len(copies)} copies ({time.time() - t0:.0f} s)", flush=True)
        if args.whisper:
            from fakescope.audio.whisper_encoder import load_encoder

            whisper_stats(copies, load_encoder(), args.seed, args.cache)
            print(f"{group}: Whisper statistics ({time.time() - t0:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
