"""Token statistics from one forward pass: log-likelihood, rank, entropy and their summaries.

Pure functions over tensors/arrays (no model, no I/O), so they are tested on tiny inputs. The
direction of every summary is the same: machine-written text is *more predictable* to a language
model, i.e. higher log-likelihood, lower rank, lower entropy,
fewer very surprising tokens, lower spread of token log-likelihood (burstiness), higher curvature,
lower Binoculars.

References: GLTR (Gehrmann et al., 2019), Fast-DetectGPT (Bao et al., 2024), Binoculars (Hans et
al., 2024); burstiness as popularised by GPTZero (Tian, 2023).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

_ROWS = 2
"""Rows of logits per statistics step: 2 x 49k floats and their temporaries stay in the L1/L2
cache; 16 rows (the previous value) spilled out of it and made the statistics ~2.5x slower."""
_CHUNK = 128
_STATS_THREADS: int | None = 1
"""Torch threads for the per-row statistics (``None``: the process setting). An op on a 2 x 49k
block is too small to split: on a loaded 2-core machine each op waited for the other thread and
the statistics ran ~15x slower on 2 threads than on 1. The output-head product keeps all threads."""
"""Rows projected through the output head at once (one efficient matrix product)."""

TAIL_NATS = 5.0
"""Tokens with log-likelihood below ``-TAIL_NATS`` (p < 0.0067) count as very surprising."""

BUCKET_EDGES = (10, 100, 1000)
"""GLTR rank buckets: top-10, top-100, top-1000, rest (bucket 0, 1, 2, 3)."""


@dataclass
class TokenStats:
    """Per-token statistics of ``n`` scored tokens (each predicted from the tokens before it).

    Attributes
    ----------
    loglik : ndarray (n,)
        log p(token | prefix), natural log.
    rank : ndarray (n,)
        1-based rank of the token among the model's predictions (1 = the top guess).
    entropy : ndarray (n,)
        Entropy of the predictive distribution, nats.
    variance : ndarray (n,)
        Variance of log p(x) for x drawn from the predictive distribution (Fast-DetectGPT).
    cross_entropy : ndarray (n,) or None
        Cross-entropy of a second model's distribution against this one's log-probs (Binoculars).
    """

    loglik: np.ndarray
    rank: np.ndarray
    entropy: np.ndarray
    variance: np.ndarray
    cross_entropy: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.loglik.shape[0])

    def slice(self, start: int, stop: int) -> TokenStats:
        ce = None if self.cross_entropy is None else self.cross_entropy[start:stop]
        return TokenStats(
            self.loglik[start:stop],
            self.rank[start:stop],
            self.entropy[start:stop],
            self.variance[start:stop],
            ce,
        )

    def to_arrays(self) -> dict[str, np.ndarray]:
        out = {
            "loglik": self.loglik,
            "rank": self.rank,
            "entropy": self.entropy,
            "variance": self.variance,
        }
        if self.cross_entropy is not None:
            out["cross_entropy"] = self.cross_entropy
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> TokenStats:
        ce = arrays.get("cross_entropy")
        return cls(
            np.asarray(arrays["loglik"], dtype=np.float32),
            np.asarray(arrays["rank"], dtype=np.int64),
            np.asarray(arrays["entropy"], dtype=np.float32),
            np.asarray(arrays["variance"], dtype=np.float32),
            None if ce is None else np.asarray(ce, dtype=np.float32),
        )


def token_statistics(logits: Any, ids: Any, cross_logits: Any = None) -> TokenStats:
    """Statistics of ``ids[1:]`` given next-token ``logits`` of the same sequence.

    Parameters
    ----------
    logits : torch.Tensor (T, V)
        Logits at each position of the sequence ``ids`` (position t predicts ``ids[t + 1]``).
    ids : sequence of int (T,)
    cross_logits : torch.Tensor (T, V), optional
        A second model's logits on the same ids (same tokenizer) for Binoculars.

    Returns
    -------
    TokenStats
        ``T - 1`` tokens.

    Examples
    --------
    >>> import torch
    >>> logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 0.0]])
    >>> s = token_statistics(logits, [0, 0, 1])
    >>> s.rank.tolist()
    [1, 1]
    """
    import torch

    logits = torch.as_tensor(logits, dtype=torch.float32)
    other = None if cross_logits is None else torch.as_tensor(cross_logits, dtype=torch.float32)
    return statistics_from_blocks(
        lambda a, b: logits[a:b],
        ids,
        None if other is None else (lambda a, b: other[a:b]),
    )


def statistics_from_blocks(
    block: Callable[[int, int], Any],
    ids: Any,
    cross_block: Callable[[int, int], Any] | None = None,
) -> TokenStats:
    """:func:`token_statistics` with the logits produced a few rows at a time.

    ``block(a, b)`` returns float32 logits of positions ``a..b-1`` (shape ``(b - a, vocab)``),
    so a caller can project hidden states through the output head block by block and never
    hold a whole window's logits.
    """
    import torch

    target = torch.as_tensor(ids, dtype=torch.long)[1:]
    n = int(target.shape[0])
    loglik = torch.empty(n)
    rank = torch.empty(n, dtype=torch.long)
    entropy = torch.empty(n)
    variance = torch.empty(n)
    cross = torch.empty(n) if cross_block is not None else None
    # The logits come in chunks (one efficient matrix product through the output head), and
    # the statistics work on two rows at a time: each (rows x vocab) block and its temporaries
    # stay in the CPU cache, which makes these memory-bound passes much faster than
    # whole-matrix operations (~15x) or 16-row blocks (~2.2x, one thread).
    for c in range(0, n, _CHUNK):
        d = min(n, c + _CHUNK)
        chunk = block(c, d)
        other = None if cross_block is None else cross_block(c, d)
        with _threads(_STATS_THREADS):
            _rows_statistics(chunk, other, c, d, target, (loglik, rank, entropy, variance, cross))
    return TokenStats(
        loglik.numpy().astype(np.float32),
        rank.numpy().astype(np.int64),
        entropy.numpy().astype(np.float32),
        variance.numpy().astype(np.float32),
        None if cross is None else cross.numpy().astype(np.float32),
    )


@contextmanager
def _threads(n: int | None) -> Iterator[None]:
    """Torch's (process-wide) intra-op thread count set to ``n`` inside the block."""
    import torch

    before = torch.get_num_threads()
    if n is None or n == before:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _rows_statistics(chunk: Any, other: Any, c: int, d: int, target: Any, out: tuple) -> None:
    """The statistics of positions ``c..d-1`` from their logits ``chunk``, ``_ROWS`` at a time,
    written into ``out`` = (loglik, rank, entropy, variance, cross or None)."""
    import torch

    loglik, rank, entropy, variance, cross = out
    for a in range(c, d, _ROWS):
        b = min(d, a + _ROWS)
        z = chunk[a - c : b - c]
        # Everything from the shifted logits y = z - max(z) in six passes over the
        # vocabulary: with e = exp(y) and S = sum(e), log p = y - log S, so
        # E[log p] = E[y] - log S and Var[log p] = Var[y] = E[y^2] - E[y]^2 under p = e / S
        # (y <= 0 keeps the squares small where p is large: no cancellation).
        top = z.amax(dim=-1, keepdim=True)
        y = z - top
        e = y.exp()
        total = e.sum(dim=-1)
        log_total = total.log()
        lse = top[:, 0] + log_total
        chosen = z.gather(-1, target[a:b, None])
        loglik[a:b] = chosen[:, 0] - lse
        # Ties count in the token's favour: rank = 1 + number of strictly more likely tokens.
        rank[a:b] = (z > chosen).sum(dim=-1) + 1
        ey = e.mul_(y)
        mean_y = ey.sum(dim=-1) / total
        entropy[a:b] = log_total - mean_y
        variance[a:b] = (torch.linalg.vecdot(ey, y) / total - mean_y * mean_y).clamp_min(0.0)
        if cross is not None and other is not None:
            q = torch.softmax(other[a - c : b - c], dim=-1)
            cross[a:b] = lse - torch.linalg.vecdot(q, z)


def concat_stats(pieces: list[TokenStats]) -> TokenStats:
    """The statistics of several windows' tokens, in order (empty when there are none)."""
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


def rank_buckets(rank: np.ndarray) -> np.ndarray:
    """GLTR bucket of each rank: 0 top-10, 1 top-100, 2 top-1000, 3 rest.

    Examples
    --------
    >>> rank_buckets(np.array([1, 10, 11, 100, 101, 1001])).tolist()
    [0, 0, 1, 1, 2, 3]
    """
    return np.searchsorted(np.asarray(BUCKET_EDGES), np.asarray(rank), side="left").astype(int)


def bucket_fractions(rank: np.ndarray) -> np.ndarray:
    """Share of tokens in each GLTR bucket (sums to 1).

    Examples
    --------
    >>> bucket_fractions(np.array([1, 2, 50, 5000])).tolist()
    [0.5, 0.25, 0.0, 0.25]
    """
    rank = np.asarray(rank)
    if rank.size == 0:
        return np.zeros(4)
    counts = np.bincount(rank_buckets(rank), minlength=4)[:4]
    return counts / rank.size


def mean_log_rank(rank: np.ndarray) -> float:
    """Mean natural-log rank (0 when every token is the top guess).

    Examples
    --------
    >>> round(mean_log_rank(np.array([1, 1, np.e ** 2])), 3)
    0.667
    """
    rank = np.asarray(rank, dtype=np.float64)
    return float(np.log(rank).mean()) if rank.size else float("nan")


def mean_loglik(loglik: np.ndarray) -> float:
    """Mean token log-likelihood (nats per token).

    Examples
    --------
    >>> mean_loglik(np.array([-1.0, -3.0]))
    -2.0
    """
    loglik = np.asarray(loglik, dtype=np.float64)
    return float(loglik.mean()) if loglik.size else float("nan")


def surprisal_tail(loglik: np.ndarray, nats: float = TAIL_NATS) -> float:
    """Mean excess surprisal beyond ``nats`` per token: ``mean(max(0, -loglik - nats))``.

    The lower tail of the token log-likelihood. Human writers use words the model finds very
    improbable (names, numbers, rare words, odd turns of phrase) far more often than sampled
    machine text, and text sampled with temperature < 1 or top-p has almost none. Unlike the
    spread (:func:`loglik_std`) it is monotone in every token's log-likelihood, so text that is
    more predictable everywhere always looks more machine-like, also when a human-written prompt
    is followed by a very predictable continuation. Lower = more machine-like; 0 when no token
    is below ``-nats``.

    Examples
    --------
    >>> surprisal_tail(np.array([-1.0, -7.0, -9.0, -3.0]))
    1.5
    """
    loglik = np.asarray(loglik, dtype=np.float64)
    if not loglik.size:
        return float("nan")
    return float(np.maximum(-loglik - nats, 0.0).mean())


def loglik_std(loglik: np.ndarray) -> float:
    """Standard deviation of the token log-likelihoods (nats): the text's *burstiness*.

    Human writers mix predictable words with surprising ones (names, numbers, rare words, odd
    turns of phrase); sampled machine text, and above all text sampled with temperature < 1 or
    top-p, has no such heavy tail of improbable tokens, so its surprisal is more uniform.
    Lower = more machine-like on the held-out split of docs/text.md, but not monotone: a
    human-written prompt followed by a very predictable continuation has a *wider* spread than
    either part, so it is an opt-in detector and not in the default fusion (docs/text.md).

    Examples
    --------
    >>> loglik_std(np.array([-1.0, -3.0]))
    1.0
    """
    loglik = np.asarray(loglik, dtype=np.float64)
    return float(loglik.std()) if loglik.size else float("nan")


def analytic_curvature(
    loglik: np.ndarray, entropy: np.ndarray, variance: np.ndarray, *, normalise: bool = True
) -> float:
    """Fast-DetectGPT's analytic sampling discrepancy with one model for sampling and scoring.

    ``(sum loglik - sum E[log p]) / sqrt(sum Var[log p])`` where the expectation and variance
    are over tokens drawn from the model's own predictive distribution (``E[log p] = -entropy``).
    The published statistic grows like sqrt(n); ``normalise=True`` divides by sqrt(n) so that
    texts of different lengths are comparable.

    Examples
    --------
    >>> ll, ent, var = np.array([-1.0, -1.0]), np.array([2.0, 2.0]), np.array([1.0, 1.0])
    >>> round(analytic_curvature(ll, ent, var), 6)
    1.0
    """
    loglik = np.asarray(loglik, dtype=np.float64)
    n = loglik.size
    if n == 0:
        return float("nan")
    diff = loglik.sum() + np.asarray(entropy, dtype=np.float64).sum()
    var = max(float(np.asarray(variance, dtype=np.float64).sum()), 1e-12)
    value = diff / np.sqrt(var)
    return float(value / np.sqrt(n) if normalise else value)


def binoculars_score(loglik: np.ndarray, cross_entropy: np.ndarray) -> float:
    """Binoculars: log-perplexity divided by log cross-perplexity (lower = more machine-like).

    Examples
    --------
    >>> binoculars_score(np.array([-2.0, -2.0]), np.array([4.0, 4.0]))
    0.5
    """
    nll = -float(np.asarray(loglik, dtype=np.float64).mean())
    xent = float(np.asarray(cross_entropy, dtype=np.float64).mean())
    return nll / max(xent, 1e-9)


def summarise(stats: TokenStats) -> dict[str, float]:
    """All document-level features of one window, as plain floats.

    Examples
    --------
    >>> s = TokenStats(np.array([-1.0]), np.array([3]), np.array([2.0]), np.array([1.0]))
    >>> summarise(s)["loglik"]
    -1.0
    """
    fractions = bucket_fractions(stats.rank)
    out = {
        "loglik": mean_loglik(stats.loglik),
        "loglik_std": loglik_std(stats.loglik),
        "surprisal_tail": surprisal_tail(stats.loglik),
        "tail_share": float(np.mean(stats.loglik < -TAIL_NATS)) if len(stats) else float("nan"),
        "log_rank": mean_log_rank(stats.rank),
        "entropy": float(np.mean(stats.entropy)) if len(stats) else float("nan"),
        "curvature": analytic_curvature(stats.loglik, stats.entropy, stats.variance),
        "curvature_raw": analytic_curvature(
            stats.loglik, stats.entropy, stats.variance, normalise=False
        ),
        "top10": float(fractions[0]),
        "top100": float(fractions[1]),
        "top1000": float(fractions[2]),
        "rest": float(fractions[3]),
        "n_tokens": float(len(stats)),
    }
    # One-model Binoculars: log-perplexity over the model's own mean entropy (the cross-
    # perplexity of a model with itself); lower = more machine-like.
    out["binoculars1"] = -out["loglik"] / max(out["entropy"], 1e-6) if len(stats) else float("nan")
    if stats.cross_entropy is not None:
        out["binoculars"] = binoculars_score(stats.loglik, stats.cross_entropy)
    return out
