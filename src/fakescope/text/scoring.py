"""Run the language model over a text once, in windows, and keep the token statistics.

Every text detector reads the same :class:`TextStats`, computed once per text by the shared
:class:`TextScorer` (an in-memory LRU, plus an optional on-disk cache keyed by model and token
ids, so that evaluation runs never score the same window twice).

Windows: the text is tokenized once and cut into windows of ``window`` tokens; each window after
the first starts one token early so that every token but the very first is predicted from
context. A short tail is scored as the last ``window`` tokens instead (overlapping the previous
window), so every window the model sees has the length the calibration was fitted on.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fakescope.text.lm import LanguageModel
from fakescope.text.stats import TokenStats, summarise, token_statistics

DEFAULT_WINDOW = 200
DEFAULT_MAX_TOKENS = 2048
MIN_TOKENS = 40
"""Texts with fewer scored tokens than this are "too short to judge"."""

FEATURE_CACHE_ENV = "FAKESCOPE_TEXT_CACHE_DIR"
MAX_TOKENS_ENV = "FAKESCOPE_TEXT_MAX_TOKENS"


@dataclass
class Window:
    """One scored window: ``ids[start:stop]`` went through the model; ``stats`` covers
    ``ids[start + 1:stop]``. ``new_from`` is the first token not already scored by an earlier
    window (the colour map takes each token from the first window that scored it)."""

    start: int
    stop: int
    new_from: int
    stats: TokenStats
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class TextStats:
    """Everything the detectors need about one text.

    Attributes
    ----------
    ids : list of int
        Token ids that were scored (at most ``max_tokens``).
    offsets : list of (int, int) or None
        Character span of each token in the text, when the tokenizer gives them.
    n_tokens_total : int
        Token count of the whole text (larger than ``len(ids)`` when truncated).
    windows : list of Window
    tokens : TokenStats
        Statistics of every scored token once (tokens 1..len(ids)-1).
    features : dict
        Document-level features pooled over ``tokens`` (see
        :func:`~fakescope.text.stats.summarise`).
    """

    ids: list[int]
    offsets: list[tuple[int, int]] | None
    n_tokens_total: int
    windows: list[Window]
    tokens: TokenStats
    features: dict[str, float]

    @property
    def truncated(self) -> bool:
        return self.n_tokens_total > len(self.ids)

    @property
    def n_scored(self) -> int:
        return len(self.tokens)


def window_spans(n: int, window: int = DEFAULT_WINDOW) -> list[tuple[int, int, int]]:
    """``(start, stop, new_from)`` of each window over ``n`` tokens.

    Windows hold ``window`` tokens; a tail shorter than a quarter window is added to the last
    window (so windows run up to 1.25 x ``window``), a longer tail is scored as the last
    ``window`` tokens, overlapping the previous window.

    Examples
    --------
    >>> window_spans(5, 4)
    [(0, 5, 1)]
    >>> window_spans(10, 4)
    [(0, 4, 1), (3, 7, 4), (6, 10, 7)]
    >>> window_spans(14, 8)
    [(0, 8, 1), (6, 14, 8)]
    """
    if n < 2:
        return []
    window = max(2, window)
    slack = window // 4

    def stop_for(start: int) -> int:
        stop = min(n, start + window)
        return n if n - stop <= slack else stop

    spans = [(0, stop_for(0), 1)]
    while spans[-1][1] < n:
        new_from = spans[-1][1]
        start = new_from - 1
        stop = stop_for(start)
        if stop - start < window:
            start = max(0, n - window)
        spans.append((start, stop, new_from))
    return spans


class TextScorer:
    """Computes :class:`TextStats` with one model (and optionally a second, for Binoculars).

    Parameters
    ----------
    lm : LanguageModel
    cross_lm : LanguageModel, optional
        Second model with the same tokenizer (``lm-cross``).
    window : int
        Tokens per forward pass.
    max_tokens : int
        Longer texts are scored on their first ``max_tokens`` tokens (the evidence says so).
    cache_size : int
        Texts kept in memory (detectors of one scan share them).
    cache_dir : path, optional
        Folder for a persistent per-window cache (default ``$FAKESCOPE_TEXT_CACHE_DIR``, unset =
        no disk cache).

    Examples
    --------
    >>> scorer = TextScorer(shared_model())  # doctest: +SKIP
    >>> scorer.stats("Some text ...").features["loglik"]  # doctest: +SKIP
    -3.1
    """

    def __init__(
        self,
        lm: LanguageModel,
        cross_lm: LanguageModel | None = None,
        *,
        window: int = DEFAULT_WINDOW,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        cache_size: int = 256,
        cache_dir: str | Path | None = None,
    ) -> None:
        self.lm = lm
        self.cross_lm = cross_lm
        self.window = int(window)
        self.max_tokens = int(max_tokens)
        self.cache_size = int(cache_size)
        env_dir = os.environ.get(FEATURE_CACHE_ENV, "").strip()
        chosen = cache_dir if cache_dir is not None else (env_dir or None)
        self.cache_dir = Path(chosen).expanduser() if chosen else None
        self._memory: OrderedDict[str, TextStats] = OrderedDict()
        self._lock = threading.Lock()
        if cross_lm is not None:
            check_same_tokenizer(lm, cross_lm)

    # -- public --------------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(self.lm.encode(text)[0])

    def stats(self, text: str) -> TextStats:
        """Token statistics of ``text`` (cached)."""
        key = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
        with self._lock:
            hit = self._memory.get(key)
            if hit is not None:
                self._memory.move_to_end(key)
                return hit
        result = self._compute(text)
        with self._lock:
            self._memory[key] = result
            while len(self._memory) > self.cache_size:
                self._memory.popitem(last=False)
        return result

    def stats_batch(self, texts: Sequence[str]) -> list[TextStats]:
        return [self.stats(t) for t in texts]

    # -- internals -----------------------------------------------------------------------------
    def _compute(self, text: str) -> TextStats:
        all_ids, all_offsets = self.lm.encode(text)
        ids = all_ids[: self.max_tokens]
        offsets = None if all_offsets is None else all_offsets[: self.max_tokens]
        windows: list[Window] = []
        pieces: list[TokenStats] = []
        for start, stop, new_from in window_spans(len(ids), self.window):
            stats = self._window_stats(ids[start:stop])
            win = Window(start, stop, new_from, stats, summarise(stats))
            windows.append(win)
            # stats[j] describes token start + 1 + j; keep only tokens new to this window.
            pieces.append(stats.slice(new_from - (start + 1), len(stats)))
        tokens = _concat(pieces)
        features = summarise(tokens) if len(tokens) else {}
        return TextStats(ids, offsets, len(all_ids), windows, tokens, features)

    def _window_stats(self, ids: list[int]) -> TokenStats:
        key = self._disk_key(ids)
        cached = self._disk_get(key)
        if cached is not None:
            return cached
        logits = self.lm.logits(ids)
        cross = self.cross_lm.logits(ids) if self.cross_lm is not None else None
        stats = token_statistics(logits, ids, cross)
        self._disk_put(key, stats)
        return stats

    def _disk_key(self, ids: list[int]) -> str | None:
        if self.cache_dir is None:
            return None
        cross = self.cross_lm.name if self.cross_lm is not None else ""
        # models scored behind a <bos> get their own keys (older caches were made without it)
        prefix = self.lm.prefix_ids
        name = f"{self.lm.name}+{prefix}" if prefix else self.lm.name
        raw = f"{name}|{cross}|" + ",".join(map(str, ids))
        return hashlib.sha1(raw.encode()).hexdigest()

    def _disk_get(self, key: str | None) -> TokenStats | None:
        if key is None or self.cache_dir is None:
            return None
        path = self.cache_dir / key[:2] / f"{key}.npz"
        if not path.is_file():
            return None
        try:
            with np.load(path) as data:
                return TokenStats.from_arrays({k: data[k] for k in data.files})
        except (OSError, ValueError, KeyError):  # a damaged entry is recomputed
            return None

    def _disk_put(self, key: str | None, stats: TokenStats) -> None:
        if key is None or self.cache_dir is None:
            return
        path = self.cache_dir / key[:2] / f"{key}.npz"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            buf = io.BytesIO()
            np.savez(buf, **stats.to_arrays())
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(buf.getvalue())
            tmp.replace(path)
        except OSError:  # the cache is an optimisation; never fail a scan over it
            return


def check_same_tokenizer(a: LanguageModel, b: LanguageModel) -> None:
    """Raise ``ValueError`` unless both models tokenize text identically (Binoculars needs it)."""
    probe = "The committee said on Tuesday that 3,412 résumés were reviewed."
    if a.encode(probe)[0] != b.encode(probe)[0] or a.vocab_size != b.vocab_size:
        raise ValueError(
            f"{a.name!r} and {b.name!r} use different tokenizers; lm-cross needs two models "
            "of one family (e.g. a base and an instruct model)"
        )


def _concat(pieces: list[TokenStats]) -> TokenStats:
    if not pieces:
        empty = np.zeros(0, dtype=np.float32)
        return TokenStats(empty, np.zeros(0, dtype=np.int64), empty, empty)
    ce = None
    if all(p.cross_entropy is not None for p in pieces):
        ce = np.concatenate([p.cross_entropy for p in pieces])  # type: ignore[misc]
    return TokenStats(
        np.concatenate([p.loglik for p in pieces]),
        np.concatenate([p.rank for p in pieces]),
        np.concatenate([p.entropy for p in pieces]),
        np.concatenate([p.variance for p in pieces]),
        ce,
    )


_SCORERS: dict[tuple[str, str | None], TextScorer] = {}
_SCORERS_LOCK = threading.Lock()


def shared_scorer(with_cross: bool = False) -> TextScorer:
    """The process-wide scorer for the configured model(s); built once, shared by all detectors.

    Raises
    ------
    ModelUnavailable
        When a model cannot be loaded; ``ValueError`` when ``with_cross`` is asked for but
        ``$FAKESCOPE_TEXT_CROSS_MODEL`` is unset.
    """
    from fakescope.text.lm import (
        CROSS_MODEL_ENV,
        configured_cross_model,
        configured_model,
        shared_model,
    )

    name = configured_model()
    cross = configured_cross_model() if with_cross else None
    if with_cross and cross is None:
        raise ValueError(
            f"lm-cross needs a second model: set {CROSS_MODEL_ENV} to a causal LM sharing the "
            f"main model's tokenizer"
        )
    key = (name, cross)
    with _SCORERS_LOCK:
        if key not in _SCORERS:
            lm = shared_model(name)
            cross_lm = shared_model(cross) if cross else None
            _SCORERS[key] = TextScorer(lm, cross_lm, max_tokens=_env_max_tokens())
        return _SCORERS[key]


def _env_max_tokens() -> int:
    raw = os.environ.get(MAX_TOKENS_ENV, "").strip()
    try:
        return max(MIN_TOKENS + 1, int(raw)) if raw else DEFAULT_MAX_TOKENS
    except ValueError:
        return DEFAULT_MAX_TOKENS


def clear_shared_scorers() -> None:
    with _SCORERS_LOCK:
        _SCORERS.clear()
