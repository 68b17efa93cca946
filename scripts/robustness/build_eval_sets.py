"""Build the held-out sets of docs/robustness.md under /work/data/robustness/eval (never committed).

- ``image/real``: the TEST patches of ``scripts/image/build_real_corpus.py`` (source photos never
  used in training), copied;
- ``image/fake_upsample``: the same patches shrunk by 2-4 and enlarged with bicubic/Lanczos (half
  sharpened), made by ``scripts/image/train_heldout_gan.py``'s ``upsampled_fake`` (kernels never
  used in training);
- ``image/shared_real``, ``image/shared_fake``: a seeded random subset of ../shared/datasets/images
  (camera crops vs genuine generator outputs), symbolic links, evaluation only;
- ``audio/shared_real``, ``audio/shared_fake``: the same for ../shared/datasets/audio/speech-train;
- ``audio/theo``: FSDD speaker theo (held out from the shipped speech weights); the matching
  fakes are SVOX Pico clips from ``scripts/audio/build_speech_corpus.py`` (engine never seen).
- ``text/human``, ``text/machine`` (``--text-sample``): ``--n-text`` texts per class drawn at
  random from the TEST half of the chat-era sample of ``scripts/text/chat_data.py`` (the shipped
  text fusion was fitted on the other half), TOEFL essays and GPT-4-edited human essays left out
  (docs/text.md), one ``.txt`` file each.

Usage::

    .venv/bin/python scripts/robustness/build_eval_sets.py --corpus /work/data/robustness/image/real
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
# ../shared beside the repository (a git worktree elsewhere falls back to /work/shared)
SHARED = next(
    (p / "datasets" for p in (ROOT.parent / "shared", Path("/work/shared")) if p.is_dir()),
    ROOT.parent / "shared" / "datasets",
)


def _heldout_gan_module():
    spec = importlib.util.spec_from_file_location(
        "train_heldout_gan", ROOT / "scripts" / "image" / "train_heldout_gan.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def link_subset(src: Path, dst: Path, n: int, rng: np.random.Generator) -> int:
    files = sorted(p for p in src.iterdir() if p.is_file())
    if n and len(files) > n:
        files = [files[i] for i in sorted(rng.choice(len(files), n, replace=False))]
    dst.mkdir(parents=True, exist_ok=True)
    for p in files:
        target = dst / p.name
        if not target.exists():
            target.symlink_to(p)
    return len(files)


def build_text_set(sample: Path, out: Path, n: int, seed: int) -> None:
    """``n`` human and ``n`` machine test-half texts as .txt files under ``out``."""
    import json

    rows = [json.loads(line) for line in sample.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["half"] == "test" and r["domain_group"] != "toefl"
            and r["generator"] != "gpt-4-edit-of-human"]  # fmt: skip
    rng = np.random.default_rng(seed)
    for label, name in ((0, "human"), (1, "machine")):
        pool = [r for r in rows if r["label"] == label]
        picked = [pool[i] for i in sorted(rng.choice(len(pool), min(n, len(pool)), replace=False))]
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        for k, r in enumerate(picked):
            tag = f"{r['generator']}__{r['domain_group']}".replace("/", "-")
            (folder / f"{k:03d}__{tag}.txt").write_text(r["text"].strip() + "\n")
        print(f"{folder}: {len(picked)} texts")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("/work/data/robustness/image/real"))
    ap.add_argument("--out", type=Path, default=Path("/work/data/robustness/eval"))
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--n-shared", type=int, default=150, help="files per class from shared/")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--text-sample", type=Path, default=None, help="chat-era sample.jsonl")
    ap.add_argument("--n-text", type=int, default=20, help="texts per class")
    ap.add_argument("--text-only", action="store_true", help="build only the text set")
    args = ap.parse_args()
    if args.text_sample is not None:
        build_text_set(args.text_sample, args.out / "text", args.n_text, args.seed)
    if args.text_only:
        return

    rng = np.random.default_rng(args.seed)
    real_dir, fake_dir = args.out / "image" / "real", args.out / "image" / "fake_upsample"
    for d in (real_dir, fake_dir):
        d.mkdir(parents=True, exist_ok=True)
    upsampled_fake = _heldout_gan_module().upsampled_fake
    tests = sorted((args.corpus / "test").glob("*.png"))
    for p in tests:
        shutil.copyfile(p, real_dir / p.name)
        up, tag = upsampled_fake(np.asarray(Image.open(p).convert("RGB")), rng)
        up.save(fake_dir / f"{p.stem}__{tag}.png")
    print(f"image: {len(tests)} real test patches and as many up-sampled fakes in {args.out}/image")
    pairs = [
        (args.shared / "images" / "real", args.out / "image" / "shared_real"),
        (args.shared / "images" / "fake", args.out / "image" / "shared_fake"),
        (args.shared / "audio" / "speech-train" / "real", args.out / "audio" / "shared_real"),
        (args.shared / "audio" / "speech-train" / "fake", args.out / "audio" / "shared_fake"),
    ]
    for src, dst in pairs:
        if src.is_dir():
            print(f"{dst}: {link_subset(src, dst, args.n_shared, rng)} links")
        else:
            print(f"skipped {dst}: {src} not found")
    # FSDD speaker theo: the shipped speech weights' held-out real speaker (docs/audio.md)
    fsdd = args.shared / "audio" / "fsdd"
    if fsdd.is_dir():
        theo = args.out / "audio" / "theo"
        theo.mkdir(parents=True, exist_ok=True)
        files = sorted(fsdd.glob("*_theo_*.wav"))
        for p in files:
            if not (theo / p.name).exists():
                (theo / p.name).symlink_to(p)
        print(f"{theo}: {len(files)} links")


if __name__ == "__main__":
    main()
