"""Text scan speed with the default language model, against a bare forward pass.

Usage::

    .venv/bin/python benchmarks/bench_text.py [--docs 16] [--texts 300] [--threads 2]

Part 1, overhead: the same documents (about 200 words each) are run (a) through the model's
bare forward pass, batched exactly as the scorer batches them and in the same dtype, and (b)
through ``Scanner().scan`` with the default text detectors (loading, tokenizing, the output head,
every statistic, the colour map, fusion). The ratio (b)/(a) is fakescope's overhead; the goal is
<= 1.3x. For reference it also times what the previous release did: one float32 forward pass per
200-token window, one document at a time.

Part 2, throughput: ``--texts`` distinct texts of 200 words in one JSON Lines file, scanned
end to end by ``Scanner().scan`` (the work ``fakescope scan``/``evaluate`` do after start-up);
the goal is 300 texts in under 3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from pathlib import Path

PARAGRAPHS = [
    # Public-domain prose (Austen, Melville, Dickens, Twain).
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


def documents(n: int, words: int = 200, seed: int = 0) -> list[str]:
    """``n`` distinct documents of ``words`` words: shuffled sentences of the paragraphs."""
    sentences = [s for p in PARAGRAPHS for s in re.split(r"(?<=[.?;])\s+", p) if s]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        picked: list[str] = []
        while sum(len(s.split()) for s in picked) < words:
            picked.append(rng.choice(sentences))
        out.append(" ".join(" ".join(picked).split()[:words]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=16, help="documents in the overhead part")
    ap.add_argument("--texts", type=int, default=300, help="texts in the throughput part")
    ap.add_argument("--threads", type=int, default=2, help="torch threads")
    ap.add_argument("--repeat", type=int, default=2, help="timed rounds (best is kept)")
    ap.add_argument(
        "--legacy",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time the previous release's float32 unbatched pass (slow)",
    )
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from fakescope.core.pipeline import Scanner
    from fakescope.text import stats as text_stats
    from fakescope.text.batching import length_batches
    from fakescope.text.lm import shared_model
    from fakescope.text.scoring import BATCH_TOKENS, clear_shared_scorers, window_spans

    t0 = time.perf_counter()
    lm = shared_model()
    load_s = time.perf_counter() - t0
    docs = documents(args.docs)
    windows = []
    for doc in docs:
        ids = lm.encode(doc)[0]
        windows += [ids[a:b] for a, b, _ in window_spans(len(ids))]
    n_tokens = sum(len(w) for w in windows)

    def bare() -> float:
        # the scorer's batching and dtype; the forward pass with its output head, nothing else
        start = time.perf_counter()
        for batch in length_batches([len(w) for w in windows], BATCH_TOKENS):
            rows, _ = lm.forward_rows([windows[i] for i in batch])
            for r in rows:
                lm.rows_to_logits(r)
        return time.perf_counter() - start

    model32 = None

    def legacy() -> float:
        # the previous release: float32, 200-token windows (tail re-scored), one at a time
        start = time.perf_counter()
        with torch.inference_mode():
            for doc in docs:
                ids = lm.encode(doc)[0]
                spans = [(0, 200)] if len(ids) <= 250 else [(0, 200), (len(ids) - 200, len(ids))]
                for a, b in spans:
                    model32(input_ids=torch.tensor([ids[a:b]]), use_cache=False)  # type: ignore[misc]
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
            reports = list(Scanner(batch_size=len(paths)).scan(paths))
            elapsed = time.perf_counter() - start
            assert all(r.score is not None for r in reports), [r.verdict for r in reports]
            return elapsed

        def scan_rows16() -> float:
            # the statistics as in the previous release: 16 rows of logits per step, on all
            # torch threads (now: 2 rows, one thread; the output head keeps all threads)
            rows, threads = text_stats._ROWS, text_stats._STATS_THREADS
            text_stats._ROWS, text_stats._STATS_THREADS = 16, None
            try:
                return scan()
            finally:
                text_stats._ROWS, text_stats._STATS_THREADS = rows, threads

        scan()  # warm-up: imports, first-call allocations
        bare()
        # Interleave the rounds so all see the same load on a shared machine.
        bare_s = scan_s = scan16_s = float("inf")
        for _ in range(args.repeat):
            bare_s = min(bare_s, bare())
            scan_s = min(scan_s, scan())
            scan16_s = min(scan16_s, scan_rows16())
        import copy

        legacy_s = float("nan")
        if args.legacy:
            model32 = copy.deepcopy(lm.model).float()
            legacy_s = legacy()
            model32 = None

        texts = documents(args.texts, seed=1)
        jsonl = Path(tmp) / "texts.jsonl"
        jsonl.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
        clear_shared_scorers()
        start, cpu0 = time.perf_counter(), time.process_time()
        reports = list(Scanner().scan([str(jsonl)]))
        through_s = time.perf_counter() - start
        through_cpu = time.process_time() - cpu0
        assert len(reports) == len(texts) and all(r.score is not None for r in reports)

    print(f"model {lm.name} ({lm.dtype}): loaded in {load_s:.2f} s (converted-weights cache)")
    print(
        f"{len(docs)} documents of 200 words, {len(windows)} windows, {n_tokens} tokens, "
        f"{args.threads} threads"
    )
    print(f"{'':44s}{'seconds':>10s}{'tokens/s':>12s}")
    rows = [
        ("bare forward pass (same batches and dtype)", bare_s),
        ("fakescope scan, default text detectors", scan_s),
        ("same scan, previous statistics (16 rows, all threads)", scan16_s),
        ("previous release: float32, unbatched", legacy_s),
    ]
    for label, s in rows:
        if s != s:  # not measured (--no-legacy)
            continue
        print(f"{label:44s}{s:10.2f}{n_tokens / s:12.1f}")
    print(f"overhead ratio scan / bare forward: {scan_s / bare_s:.2f}x (goal <= 1.3x)")
    print(f"same with the previous statistics steps: {scan16_s / bare_s:.2f}x")
    if args.legacy:
        print(f"speed-up over the previous release's model time: {legacy_s / scan_s:.2f}x")
    print(
        f"throughput: {len(texts)} texts of 200 words in {through_s:.1f} s wall = "
        f"{len(texts) / through_s:.2f} texts/s (goal: 300 texts in under 180 s on 2 cores); "
        f"{through_cpu:.1f} CPU seconds = {through_cpu / len(texts):.2f} CPU s per text"
    )
    try:
        import os

        print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    except OSError:
        pass


if __name__ == "__main__":
    main()
