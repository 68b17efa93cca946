"""Write the leak-free train/test split of the scored ../shared pairs as JSON Lines.

Usage::

    .venv/bin/python scripts/text/make_split.py --features /work/data/text/features.jsonl \\
        --out /work/data/text/split

A pair goes to *test* when the hash of its human text is odd (``split_of``), so a human text that
appears in several generator files is on one side only; nothing is split by row. Writes
``train_human.jsonl``, ``train_machine.jsonl`` and, per generator, ``test/human_<gen>.jsonl``
(held-out human texts of that generator's three files) and ``test/machine_<gen>.jsonl``.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "text" / "fast-detect-gpt"


def split_of(human_key: str) -> str:
    """``"test"`` for half of the human texts (by hash), else ``"train"``."""
    return "test" if int(human_key, 16) % 2 else "train"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--features", type=Path, default=Path("/work/data/text/features.jsonl"))
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=Path("/work/data/text/split"))
    args = ap.parse_args()
    recs = [json.loads(line) for line in args.features.read_text().splitlines() if line.strip()]
    # Only pairs with both sides scored are used, so every test set is paired and balanced.
    sides = defaultdict(set)
    for r in recs:
        sides[(r["file"], r["index"])].add(r["label"])
    pairs = sorted(
        {
            (r["file"], r["index"], r["human_key"])
            for r in recs
            if sides[(r["file"], r["index"])] == {0, 1}
        }
    )
    cache: dict[str, dict] = {}
    out: dict[str, list[dict]] = defaultdict(list)
    for name, idx, hkey in pairs:
        data = cache.setdefault(name, json.loads((args.data / name).read_text()))
        domain, generator = name.removesuffix(".raw_data.json").split("_", 1)
        meta = {"file": name, "index": idx, "domain": domain, "generator": generator}
        human = {"text": data["original"][idx], **meta}
        machine = {"text": data["sampled"][idx], **meta}
        if split_of(hkey) == "train":
            out["train_human.jsonl"].append(human)
            out["train_machine.jsonl"].append(machine)
        else:
            out[f"test/human_{generator}.jsonl"].append(human)
            out[f"test/machine_{generator}.jsonl"].append(machine)
    for rel, rows in sorted(out.items()):
        path = args.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        print(f"{path}: {len(rows)}")


if __name__ == "__main__":
    main()
