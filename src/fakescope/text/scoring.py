"""Run the language model over texts once, in batched windows, and keep the token statistics.

Every text detector reads the same :class:`TextStats`, computed once per text by the shared
:class:`TextScorer`: an in-memory cache bounded by tokens (and never smaller than the batch being
scored, so the detectors of one scan share a batch however large it is), plus an optional
on-disk cache keyed by model and token ids, so that evaluation runs never score a window twice.

Windows: the text is tokenized once and cut into windows of at most ``window`` tokens; each
window after the first repeats the last ``context`` tokens of the previous one as context
(they are not scored again), so no token is run through the model twice except those few.
Windows of many texts are sorted by length and run through the model together.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from fakescope.text.batching import length_batches
from fakescope.text.hidden_head import HIDDEN_FEATURE, HiddenProjection
from fakescope.text.lm import LanguageModel
from fakescope.text.stats import TokenStats, concat_stats, statistics_from_blocks, summarise
from fakescope.text.stats_cache import WindowCache
from fakescope.text.unigram import unigram_statistics, unigram_table
from fakescope.text.windows import DEFAULT_WINDOW, TextStats, Window, window_spans

__all__ = ["DEFAULT_WINDOW", "TextScorer", "TextStats", "Window", "shared_scorer", "window_spans"]

DEFAULT_MAX_TOKENS = 2048
MIN_TOKENS = 40
"""Texts with fewer scored tokens than this are "too short to judge"."""
BATCH_TOKENS = 4096
"""Padded tokens per batched forward pass (memory: hidden states only, never whole logits)."""
CACHE_TOKENS = 400_000
"""Tokens of statistics kept in memory (~60 MB) beyond the batch being scored."""

FEATURE_CACHE_ENV = "FAKESCOPE_TEXT_CACHE_DIR"
MAX_TOKENS_ENV = "FAKESCOPE_TEXT_MAX_TOKENS"


class TextScorer:
    """Computes :class:`TextStats` with one model (and optionally a second, for Binoculars).

    Parameters
    ----------
    lm : LanguageModel
    cross_lm : LanguageModel, optional
        Second model with the same tokenizer (``lm-cross``).
    window : int
        At most this many tokens per window (one row of a batched forward pass).
    max_tokens : int
        Longer texts are scored on their first ``max_tokens`` tokens (the evidence says so).
    cache_tokens : int
        Tokens of statistics kept in memory besides the current batch.
    cache_dir : path, optional
        Folder for a persistent per-window cache (default ``$FAKESCOPE_TEXT_CACHE_DIR``, unset =
        no disk cache).
    batch_tokens : int
        Padded tokens per forward pass.
    pooled_layers : sequence of int
        Hidden-state layers whose token mean each :class:`TextStats` keeps in ``pooled``
        (the disk cache is bypassed then).
    pooled_last : bool
        Also keep the last token's hidden states of those layers (experiments).
    head : HiddenProjection, optional
        A head on the pooled states of one layer: every text's and window's features then
        include its ``hidden_logit`` (:mod:`~fakescope.text.hidden_head`), from the same pass.
    unigram : ndarray, optional
        Unigram log-probability per token id: every text's and window's features then include
        the unigram statistics (:mod:`~fakescope.text.unigram`; no extra model work).

    Examples
    --------
    >>> scorer = TextScorer(shared_model())  # doctest: +SKIP
    >>> batch = scorer.stats_batch(["A text ...", "Another text ..."])  # doctest: +SKIP
    >>> [s.features["loglik"] for s in batch]  # doctest: +SKIP
    [-3.1, -2.4]
    """

    def __init__(
        self,
        lm: LanguageModel,
        cross_lm: LanguageModel | None = None,
        *,
        window: int = DEFAULT_WINDOW,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        cache_tokens: int = CACHE_TOKENS,
        cache_dir: str | Path | None = None,
        batch_tokens: int = BATCH_TOKENS,
        pooled_layers: Sequence[int] = (),
        pooled_last: bool = False,
        head: HiddenProjection | None = None,
        unigram: np.ndarray | None = None,
    ) -> None:
        self.lm = lm
        self.cross_lm = cross_lm
        self.window = int(window)
        self.max_tokens = int(max_tokens)
        self.cache_tokens = int(cache_tokens)
        self.batch_tokens = max(int(batch_tokens), self.window)
        self.pooled_layers = tuple(pooled_layers)
        self.pooled_last = bool(pooled_last)
        self.head = head
        self.unigram = None if unigram is None else np.asarray(unigram, dtype=np.float64)
        if head is not None and head.layer not in self.pooled_layers:
            self.pooled_layers = (*self.pooled_layers, head.layer)
        env_dir = os.environ.get(FEATURE_CACHE_ENV, "").strip()
        chosen = cache_dir if cache_dir is not None else (env_dir or None)
        self.cache_dir = Path(chosen).expanduser() if chosen else None
        self._disk = WindowCache(self.cache_dir) if self.cache_dir else None
        cross = cross_lm.cache_identity if cross_lm is not None else ""
        self._identity = f"{lm.cache_identity}|{cross}"
        self._head_row = None if head is None else self.pooled_layers.index(head.layer)
        self._memory: OrderedDict[str, TextStats] = OrderedDict()
        self._memory_tokens = 0
        self._lock = threading.Lock()
        self.windows_scored = 0
        """Windows run through the model so far (not counting cache hits)."""
        if cross_lm is not None:
            check_same_tokenizer(lm, cross_lm)

    # -- public --------------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(self.lm.encode(text)[0])

    def stats(self, text: str) -> TextStats:
        """Token statistics of ``text`` (cached)."""
        return self.stats_batch([text])[0]

    def stats_batch(self, texts: Sequence[str]) -> list[TextStats]:
        """Token statistics of every text, the model run once over all their new windows.

        Texts already in memory or on disk are not scored again; the rest are tokenized, cut
        into windows, and the windows of all of them go through the model in length-sorted
        batches.
        """
        keys = [_text_key(t) for t in texts]
        found: dict[str, TextStats] = {}
        with self._lock:
            for key in keys:
                hit = self._memory.get(key)
                if hit is not None:
                    self._memory.move_to_end(key)
                    found[key] = hit
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if todo:
            computed = self._compute_many(list(todo.values()))
            found.update(zip(todo.keys(), computed, strict=True))
            self._remember(found, keys)
        return [found[k] for k in keys]

    # -- internals -----------------------------------------------------------------------------
    def _remember(self, found: dict[str, TextStats], batch_keys: list[str]) -> None:
        batch_tokens = sum(len(found[k].ids) for k in set(batch_keys))
        # Never evict the batch being scored: the next detector of the same scan reads it.
        budget = max(self.cache_tokens, batch_tokens)
        with self._lock:
            for key in batch_keys:
                if key in self._memory:
                    self._memory.move_to_end(key)
                    continue
                self._memory[key] = found[key]
                self._memory_tokens += len(found[key].ids)
            while self._memory_tokens > budget and self._memory:
                _, old = self._memory.popitem(last=False)
                self._memory_tokens -= len(old.ids)

    def _compute_many(self, texts: list[str]) -> list[TextStats]:
        encoded = []
        pending: list[list[int]] = []
        slots: list[tuple[int, int]] = []
        per_text: list[list[TokenStats | None]] = []
        for t, text in enumerate(texts):
            all_ids, all_offsets = self.lm.encode(text)
            ids = all_ids[: self.max_tokens]
            offsets = None if all_offsets is None else all_offsets[: self.max_tokens]
            spans = window_spans(len(ids), self.window)
            encoded.append((ids, offsets, len(all_ids), spans))
            row: list[TokenStats | None] = []
            for w, (start, stop, _) in enumerate(spans):
                cached = None if self.pooled_layers else self._disk_get(ids[start:stop])
                row.append(cached)
                if cached is None:
                    pending.append(ids[start:stop])
                    slots.append((t, w))
            per_text.append(row)
        scored, pooled = self._score_windows(pending)
        window_pooled: dict[tuple[int, int], np.ndarray] = {}
        for (t, w), stats, pool in zip(slots, scored, pooled, strict=True):
            per_text[t][w] = stats
            if pool is not None:
                window_pooled[(t, w)] = pool
            if not self.pooled_layers:
                ids, _, _, spans = encoded[t]
                start, stop, _ = spans[w]
                self._disk_put(ids[start:stop], stats)
        out = []
        for t, (ids, offsets, n_total, spans) in enumerate(encoded):
            windows: list[Window] = []
            pieces: list[TokenStats] = []
            for w, (start, stop, new_from) in enumerate(spans):
                stats = per_text[t][w]
                assert stats is not None
                window_features = summarise(stats)
                if self.unigram is not None:
                    window_features.update(self._unigram(ids[start + 1 : stop], stats))
                if self._head_row is not None and (t, w) in window_pooled:
                    window_features[HIDDEN_FEATURE] = self._head_value(window_pooled[(t, w)])
                windows.append(Window(start, stop, new_from, stats, window_features))
                # stats[j] describes token start + 1 + j; keep only tokens new to this window.
                pieces.append(stats.slice(new_from - (start + 1), len(stats)))
            tokens = concat_stats(pieces)
            features = summarise(tokens) if len(tokens) else {}
            if features and self.unigram is not None:
                features.update(self._unigram(ids[1 : 1 + len(tokens)], tokens))
            pooled_mean = None
            if self.pooled_layers and spans:
                weights = np.array([stop - start for start, stop, _ in spans], dtype=np.float64)
                stack = np.stack([window_pooled[(t, w)] for w in range(len(spans))])
                pooled_mean = np.average(stack, axis=0, weights=weights)
                if self.pooled_last:
                    # the second half holds last-token states: the last window's, not an average
                    half = len(self.pooled_layers)
                    pooled_mean[half:] = stack[-1, half:]
            if pooled_mean is not None and self._head_row is not None and features:
                features[HIDDEN_FEATURE] = self._head_value(pooled_mean)
            out.append(TextStats(ids, offsets, n_total, windows, tokens, features, pooled_mean))
        return out

    def _unigram(self, ids: Sequence[int], stats: TokenStats) -> dict[str, float]:
        assert self.unigram is not None
        return unigram_statistics(np.asarray(ids), stats.loglik, self.unigram)

    def _head_value(self, pooled: np.ndarray) -> float:
        assert self.head is not None and self._head_row is not None
        return self.head.value(pooled[self._head_row])

    def _score_windows(
        self, seqs: list[list[int]]
    ) -> tuple[list[TokenStats], list[np.ndarray | None]]:
        """Statistics of each window, the windows run through the model in padded batches."""
        out: list[TokenStats | None] = [None] * len(seqs)
        pooled: list[np.ndarray | None] = [None] * len(seqs)
        for batch in length_batches([len(s) for s in seqs], self.batch_tokens):
            group = [seqs[i] for i in batch]
            rows, pools = self.lm.forward_rows(group, self.pooled_layers, self.pooled_last)
            cross_rows = None
            if self.cross_lm is not None:
                cross_rows = self.cross_lm.forward_rows(group)[0]
            for j, i in enumerate(batch):
                cross = None if cross_rows is None else _blocks(self.cross_lm, cross_rows[j])
                out[i] = statistics_from_blocks(_blocks(self.lm, rows[j]), seqs[i], cross)
                if pools is not None:
                    pooled[i] = pools[j].numpy().astype(np.float32)
            self.windows_scored += len(batch)
        return [s for s in out if s is not None], pooled

    def _disk_get(self, ids: list[int]) -> TokenStats | None:
        return None if self._disk is None else self._disk.get(self._identity, ids)

    def _disk_put(self, ids: list[int], stats: TokenStats) -> None:
        if self._disk is not None:
            self._disk.put(self._identity, ids, stats)


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _blocks(lm: LanguageModel | None, rows: Any) -> Any:
    """``block(a, b)``: float32 logits of rows a..b-1 (projected through the head on demand)."""
    assert lm is not None
    return lambda a, b: lm.rows_to_logits(rows[a:b])


def check_same_tokenizer(a: LanguageModel, b: LanguageModel) -> None:
    """Raise ``ValueError`` unless both models tokenize text identically (Binoculars needs it)."""
    probe = "The committee said on Tuesday that 3,412 résumés were reviewed."
    if a.encode(probe)[0] != b.encode(probe)[0] or a.vocab_size != b.vocab_size:
        raise ValueError(
            f"{a.name!r} and {b.name!r} use different tokenizers; lm-cross needs two models "
            "of one family (e.g. a base and an instruct model)"
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
            _SCORERS[key] = TextScorer(
                lm,
                cross_lm,
                max_tokens=_env_max_tokens(),
                head=_weights_head(lm),
                unigram=unigram_table(lm.name, lm.vocab_size),
            )
        return _SCORERS[key]


def _weights_head(lm: LanguageModel) -> HiddenProjection | None:
    """The hidden-state head of the text weights in use, if they were fitted on ``lm``'s states."""
    from fakescope.text.calibration import load_weights

    try:
        weights = load_weights()
    except (FileNotFoundError, ValueError):
        return None
    head = weights.hidden
    if head is None or weights.model != lm.name:
        return None
    config = getattr(lm.model, "config", None)
    size = getattr(config, "hidden_size", None)
    layers = getattr(config, "num_hidden_layers", None)
    if size != head.size or layers is None or head.layer > layers:
        return None  # weights fitted on another model: the statistics fallback decides
    return head


def _env_max_tokens() -> int:
    raw = os.environ.get(MAX_TOKENS_ENV, "").strip()
    try:
        return max(MIN_TOKENS + 1, int(raw)) if raw else DEFAULT_MAX_TOKENS
    except ValueError:
        return DEFAULT_MAX_TOKENS


def clear_shared_scorers() -> None:
    with _SCORERS_LOCK:
        _SCORERS.clear()
