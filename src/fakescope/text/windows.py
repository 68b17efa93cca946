"""What the scorer keeps per text: its windows and their token statistics.

:class:`TextStats` is what every text detector reads; :func:`window_spans` cuts a text's tokens
into the windows the model scores (each later window re-reads a few tokens of context).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from fakescope.text.stats import TokenStats

DEFAULT_WINDOW = 512
CONTEXT = 32
"""Tokens of the previous window fed again (not scored) before each later window."""


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
    pooled : ndarray or None
        Mean hidden states of the layers the scorer was asked for (``pooled_layers``), shape
        (len(pooled_layers), hidden), averaged over windows by their length; with
        ``pooled_last`` the last scored token's states of the same layers follow (twice the
        rows). ``None`` when no layers were asked for.
    """

    ids: list[int]
    offsets: list[tuple[int, int]] | None
    n_tokens_total: int
    windows: list[Window]
    tokens: TokenStats
    features: dict[str, float]
    pooled: np.ndarray | None = None

    @property
    def truncated(self) -> bool:
        return self.n_tokens_total > len(self.ids)

    @property
    def n_scored(self) -> int:
        return len(self.tokens)


def window_spans(
    n: int, window: int = DEFAULT_WINDOW, context: int = CONTEXT
) -> list[tuple[int, int, int]]:
    """``(start, stop, new_from)`` of each window over ``n`` tokens.

    Windows hold at most ``window`` tokens. Each later window starts ``context`` tokens before
    the first token it scores (``new_from``), so those tokens are predicted with some context;
    a tail shorter than a quarter window is added to the last window instead (windows run up
    to 1.25 x ``window``).

    Examples
    --------
    >>> window_spans(5, 4)
    [(0, 5, 1)]
    >>> window_spans(12, 4, context=1)
    [(0, 4, 1), (3, 7, 4), (6, 10, 7), (9, 12, 10)]
    >>> window_spans(20, 8, context=2)
    [(0, 8, 1), (6, 14, 8), (12, 20, 14)]
    """
    if n < 2:
        return []
    window = max(2, window)
    context = max(1, min(context, window // 2))
    slack = window // 4

    def stop_for(start: int) -> int:
        stop = min(n, start + window)
        return n if n - stop <= slack else stop

    spans = [(0, stop_for(0), 1)]
    while spans[-1][1] < n:
        new_from = spans[-1][1]
        start = new_from - context
        spans.append((start, stop_for(start), new_from))
    return spans
