"""Fooling images by gradient ascent on the input (the 2015 paper's second method).

Starting from grey with a little noise, Adam moves the pixels (through a sigmoid, so they stay in
[0, 1]) to maximise the detector's log-odds in the wanted direction, with a small total-variation
penalty; the result is quantised to 8 bits.

Examples
--------
>>> model = lambda x: (x.mean(dim=(1, 2, 3)) - 0.5) * 40
>>> img, logit = gradient_ascent(model, "real", size=8, steps=50)
>>> logit < -5
True
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def gradient_ascent(
    model: Callable[[torch.Tensor], torch.Tensor],
    direction: str,
    *,
    size: int = 256,
    steps: int = 100,
    lr: float = 0.1,
    tv_weight: float = 0.05,
    seed: int = 0,
) -> tuple[torch.Tensor, float]:
    """One fooling image ``(3, size, size)`` in [0, 1] and the model's log-odds for it."""
    sign = 1.0 if direction == "synthetic" else -1.0
    g = torch.Generator().manual_seed(seed)
    param = (torch.randn(1, 3, size, size, generator=g) * 0.1).requires_grad_(True)
    opt = torch.optim.Adam([param], lr=lr)
    for _ in range(steps):
        x = torch.sigmoid(param)
        tv = (x[..., 1:, :] - x[..., :-1, :]).abs().mean() + (x[..., 1:] - x[..., :-1]).abs().mean()
        loss = -sign * model(x).sum() + tv_weight * tv
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        x = (torch.sigmoid(param).clamp(0, 1) * 255).round() / 255
        return x[0], float(model(x)[0])
