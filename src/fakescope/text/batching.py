"""Helpers for running many token windows through a language model together.

Pure functions on tensors and lists: grouping windows of similar length into padded batches,
building the padded ids and attention mask, and pooling hidden states per sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def length_batches(lengths: list[int], budget: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, each at most ``budget`` padded tokens.

    Examples
    --------
    >>> length_batches([5, 100, 6, 90], 200)
    [[0, 2], [3, 1]]
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        # sorted ascending, so the newest member sets the padded width of the batch
        if current and (len(current) + 1) * lengths[i] > budget:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def pool_layers(
    hidden_states: Any, layers: Sequence[int], b: int, skip: int, n: int, last: bool = False
) -> Any:
    """Mean over the ``n`` real tokens of row ``b`` of each layer's hidden states, shape
    (len(layers), hidden); with ``last``, the last token's states follow (2 * len(layers) rows).
    """
    import torch

    means = [hidden_states[k][b, skip : skip + n].float().mean(dim=0) for k in layers]
    lasts = [hidden_states[k][b, skip + n - 1].float() for k in layers] if last else []
    return torch.stack(means + lasts)


def padded(seqs: Sequence[Sequence[int]], prefix: list[int], pad: int) -> tuple[Any, Any]:
    """Right-padded ids and attention mask for a batch (padding never affects real tokens)."""
    import torch

    width = len(prefix) + max(len(seq) for seq in seqs)
    ids = torch.full((len(seqs), width), pad, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for b, seq in enumerate(seqs):
        n = len(prefix) + len(seq)
        ids[b, :n] = torch.tensor(prefix + [int(i) for i in seq], dtype=torch.long)
        mask[b, :n] = 1
    return ids, mask


def pad_id(tokenizer: Any) -> int:
    for attr in ("pad_token_id", "eos_token_id"):
        value = getattr(tokenizer, attr, None)
        if isinstance(value, int):
            return value
    return 0
