"""Token surprisal measured against a unigram frequency model (a reference for memorised text).

A small language model finds text from its own training data (Wikipedia, wikiHow, Gutenberg)
predictable, and the likelihood statistics read that as "machine-written". A unigram model knows
only how common each token is. Comparing the two per token separates "predictable because the
words are common" from "predictable given the context". These statistics are pure functions of
the scored token ids, their log-likelihoods and a table of unigram log-probabilities per token
(built from wordfreq by ``scripts/text/unigram_table.py``); tokens the table does not cover
(NaN: punctuation, digits, code) are skipped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

COMMON_NATS = 7.0
"""Tokens with unigram surprisal below this (p > 0.09 %) count as common words."""

UNIGRAM_STATISTICS = ("u_pmi", "u_ratio", "u_rarity", "u_common_loglik")

TABLES_DIR = Path(__file__).resolve().parent / "weights"
"""Shipped tables: ``unigram-<model name>.npy`` (one float32 log-probability per token id)."""


def unigram_table(model_name: str, vocab_size: int) -> np.ndarray | None:
    """The shipped unigram table of the model called ``model_name``, or ``None`` when there is
    none (another tokenizer: the statistics then stay absent and the fused verdict falls back to
    the LM statistics alone).

    Examples
    --------
    >>> unigram_table("no-such-model", 10) is None
    True
    """
    path = TABLES_DIR / f"unigram-{model_name}.npy"
    if not path.is_file():
        return None
    table = np.load(path)
    if table.ndim != 1 or len(table) != vocab_size:
        return None  # built for another tokenizer of the same name
    return table.astype(np.float64)


def unigram_statistics(ids: np.ndarray, loglik: np.ndarray, table: np.ndarray) -> dict[str, float]:
    """Statistics of scored tokens ``ids`` with LM log-likelihoods ``loglik`` (same length).

    - ``u_pmi``: mean of (unigram surprisal - LM surprisal): how much the context helped.
    - ``u_ratio``: total LM surprisal / total unigram surprisal (lower = more predictable than
      word frequency alone explains; a unigram "cross-perplexity" as in Binoculars).
    - ``u_rarity``: mean unigram surprisal: how rare the vocabulary is.
    - ``u_common_loglik``: mean LM log-likelihood of the common tokens only.

    Examples
    --------
    >>> table = np.log(np.array([0.5, 0.25, 0.25, np.nan]))
    >>> s = unigram_statistics(np.array([0, 1, 3]), np.array([-0.1, -1.0, -5.0]), table)
    >>> round(s["u_rarity"], 3), round(s["u_common_loglik"], 3)
    (1.04, -0.55)
    """
    ids = np.asarray(ids, dtype=np.int64)
    loglik = np.asarray(loglik, dtype=np.float64)
    inside = (ids >= 0) & (ids < len(table))
    ref = np.full(len(ids), np.nan)
    ref[inside] = table[ids[inside]]
    keep = np.isfinite(ref) & np.isfinite(loglik)
    if not keep.any():
        return {k: float("nan") for k in UNIGRAM_STATISTICS}
    s_uni = -ref[keep]
    s_lm = -loglik[keep]
    common = s_uni < COMMON_NATS
    return {
        "u_pmi": float(np.mean(s_uni - s_lm)),
        "u_ratio": float(s_lm.sum() / max(s_uni.sum(), 1e-9)),
        "u_rarity": float(s_uni.mean()),
        "u_common_loglik": float(-(s_lm[common] if common.any() else s_lm).mean()),
    }
