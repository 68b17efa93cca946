"""Text scan speed with the default language model, against a bare forward pass.

Usage::

    .venv/bin/python benchmarks/bench_text.py [--texts 6] [--threads 2]

Both measurements run in this process on the same token windows: the baseline is the model's
forward pass alone (``model(input_ids)``), the scan is ``Scanner().scan`` over .txt files with the
default text detectors (loading, tokenizing, every statistic, the colour map, fusion). The ratio
is the overhead of fakescope's code; the goal is <= 1.3x.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

PARAGRAPHS = [
    # Public-domain prose (Austen, Melville, Dickens, Twain), ~150-250 tokens each.
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, "
    "must be in want of a wife. However little known the feelings or views of such a man may be "
    "on his first entering a neighbourhood, this truth is so well fixed in the minds of the "
    "surrounding families, that he is considered the rightful property of some one or other of "
    "their daughters. My dear Mr. Bennet, said his lady to him one day, have you heard that "
    "Netherfield Park is let at last? Mr. Bennet replied that he had not. But it is, returned "
    "she; for Mrs. Long has just been here, and she told me all about it.",
    "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in "
    "my purse, and nothing particular to interest me on shore, I thought I would sail about a "
    "little and see the watery part of the world. It is a way I have of driving off the spleen "
    "and regulating the circulation. Whenever I find myself growing grim about the mouth; "
    "whenever it is a damp, drizzly November in my soul; whenever I find myself involuntarily "
    "pausing before coffin warehouses, and bringing up the rear of every funeral I meet, then "
    "I account it high time to get to sea as soon as I can.",
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the "
    "age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the "
    "season of Light, it was the season of Darkness, it was the spring of hope, it was the "
    "winter of despair, we had everything before us, we had nothing before us, we were all going "
    "direct to Heaven, we were all going direct the other way. In short, the period was so far "
    "like the present period, that some of its noisiest authorities insisted on its being "
    "received, for good or for evil, in the superlative degree of comparison only.",
    "You don't know about me without you have read a book by the name of The Adventures of Tom "
    "Sawyer; but that ain't no matter. That book was made by Mr. Mark Twain, and he told the "
    "truth, mainly. There was things which he stretched, but mainly he told the truth. That is "
    "nothing. I never seen anybody but lied one time or another, without it was Aunt Polly, or "
    "the widow, or maybe Mary. Aunt Polly, Tom's Aunt Polly, she is, and Mary, and the Widow "
    "Douglas is all told about in that book, which is mostly a true book, with some stretchers.",
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--texts", type=int, default=4, help="documents scanned")
    ap.add_argument(
        "--threads", type=int, default=1, help="torch threads (1 is stable on a shared CPU)"
    )
    ap.add_argument("--repeat", type=int, default=3, help="timed rounds (best is kept)")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from fakescope.core.pipeline import Scanner
    from fakescope.text.lm import shared_model
    from fakescope.text.scoring import clear_shared_scorers, window_spans

    t0 = time.perf_counter()
    lm = shared_model()
    load_s = time.perf_counter() - t0
    # Each document: two paragraphs joined, so most documents span two windows.
    docs = [
        PARAGRAPHS[i % len(PARAGRAPHS)] + "\n\n" + PARAGRAPHS[(i + 1) % len(PARAGRAPHS)]
        for i in range(args.texts)
    ]
    windows = []
    for doc in docs:
        ids = lm.encode(doc)[0]
        windows += [ids[a:b] for a, b, _ in window_spans(len(ids))]
    n_tokens = sum(len(w) for w in windows)

    def bare() -> float:
        start = time.perf_counter()
        with torch.inference_mode():
            for w in windows:
                lm.model(input_ids=torch.tensor([w]), use_cache=False)
        return time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, doc in enumerate(docs):
            p = Path(tmp) / f"doc{i}.txt"
            p.write_text(doc)
            paths.append(str(p))

        def scan() -> float:
            clear_shared_scorers()  # no cached statistics: every window runs through the model
            start = time.perf_counter()
            reports = list(Scanner().scan(paths))
            elapsed = time.perf_counter() - start
            assert all(r.score is not None for r in reports), [r.verdict for r in reports]
            return elapsed

        scan()  # warm-up: imports, first-call allocations
        bare()
        # Interleave the rounds so both see the same load on a shared machine.
        bare_s = scan_s = float("inf")
        for _ in range(args.repeat):
            bare_s = min(bare_s, bare())
            scan_s = min(scan_s, scan())

    print(f"model {lm.name}: loaded in {load_s:.2f} s (converted-weights cache)")
    print(
        f"{len(docs)} documents, {len(windows)} windows, {n_tokens} tokens, {args.threads} threads"
    )
    print(f"{'':24s}{'seconds':>10s}{'tokens/s':>12s}")
    print(f"{'bare forward pass':24s}{bare_s:10.2f}{n_tokens / bare_s:12.1f}")
    print(f"{'fakescope scan':24s}{scan_s:10.2f}{n_tokens / scan_s:12.1f}")
    print(f"overhead ratio scan / bare forward: {scan_s / bare_s:.2f}x (goal <= 1.3x)")


if __name__ == "__main__":
    main()
