"""Square attack (Andriushchenko et al., ECCV 2020), L-inf, score-only.

Needs nothing but scores, so it attacks detectors without gradients (the spectrum classifier,
lfcc-gmm) and the fused verdict of a whole modality. Random square windows of the perturbation
are set to +-eps per channel and kept when the margin to the threshold shrinks; the window
shrinks on the paper's schedule. On 1-D inputs (waveforms) the "squares" are segments.
"""

from __future__ import annotations

import math

import torch

from fakescope.robustness.attacks.base import Attack


class Square(Attack):
    """Square attack with L-inf budget ``eps`` and ``queries`` score queries per sample.

    Parameters
    ----------
    queries : int
        Score evaluations per sample (the budget a platform may allow an attacker).
    p_init : float
        Initial share of the input changed by one window.
    stop_on_success : bool
        Stop a sample once it crosses the threshold (minimal change) instead of pushing it
        further (worst case, used for AUC under attack).

    Examples
    --------
    >>> model = lambda x: (x.flatten(1) - 0.5).sum(1) * 10
    >>> x = torch.full((2, 3, 8, 8), 0.55)
    >>> adv = Square(model, eps=0.1, queries=50, seed=0)(x, torch.ones(2))
    >>> bool((model(adv) < model(x)).all()), bool((adv - x).abs().max() <= 0.1 + 1e-6)
    (True, True)
    """

    access = "score-only"

    def __init__(
        self,
        model,
        eps: float,
        queries: int = 200,
        p_init: float = 0.1,
        stop_on_success: bool = False,
        seed: int | None = None,
        **kwargs,
    ) -> None:
        super().__init__(model, eps, **kwargs)
        self.queries = int(queries)
        self.p_init = float(p_init)
        self.stop_on_success = stop_on_success
        self.seed = seed
        self.queries_used = 0

    def _p(self, it: int) -> float:
        """The paper's piecewise-constant window-size schedule (rescaled to 10,000 queries)."""
        i = int(it / max(self.queries, 1) * 10000)
        for bound, div in ((10, 1), (50, 2), (200, 4), (500, 8), (1000, 16), (2000, 32),
                           (4000, 64), (6000, 128), (8000, 256)):  # fmt: skip
            if i <= bound:
                return self.p_init / div
        return self.p_init / 512

    @torch.no_grad()
    def forward(self, x, y):
        g = torch.Generator().manual_seed(self.seed if self.seed is not None else 0)
        image = x.dim() == 4
        n = x.shape[0]
        # init: vertical stripes (images) / constant +-eps (waveforms)
        if image:
            c, h, w = x.shape[1:]
            signs = torch.randint(0, 2, (n, c, 1, w), generator=g).to(x.dtype) * 2 - 1
        else:
            signs = torch.randint(0, 2, (n, 1), generator=g).to(x.dtype) * 2 - 1
        adv = self.clamp(x + self.eps * signs)
        margin = self.margin(self.model(adv), y)
        start = self.margin(self.model(x), y)
        keep = start < margin  # the start was already better: keep x itself
        adv[keep] = x[keep]
        margin = torch.minimum(margin, start)
        used = 2
        for it in range(self.queries - 2):
            active = torch.ones(n, dtype=torch.bool) if not self.stop_on_success else margin > 0
            if not bool(active.any()):
                break
            idx = active.nonzero().flatten()
            cand = adv[idx].clone()
            delta = cand - x[idx]
            p = self._p(it)
            k = len(idx)
            if image:  # one s x s window per sample, the same for every channel, new signs
                s = max(1, min(h, w, int(round(math.sqrt(p * h * w)))))
                r = torch.randint(0, h - s + 1, (k, 1), generator=g)
                q = torch.randint(0, w - s + 1, (k, 1), generator=g)
                rows = (torch.arange(h)[None] >= r) & (torch.arange(h)[None] < r + s)
                cols = (torch.arange(w)[None] >= q) & (torch.arange(w)[None] < q + s)
                mask = (rows[:, :, None] & cols[:, None, :])[:, None]  # (k, 1, h, w)
                new = torch.randint(0, 2, (k, c, 1, 1), generator=g).to(x.dtype) * 2 - 1
            else:  # one segment per sample
                t = x.shape[-1]
                s = max(1, int(round(p * t)))
                r = torch.randint(0, t - s + 1, (k, 1), generator=g)
                pos = torch.arange(t)[None]
                mask = ((pos >= r) & (pos < r + s)).view((k,) + (1,) * (x.dim() - 2) + (t,))
                new = torch.randint(0, 2, (k,) + (1,) * (x.dim() - 1), generator=g).to(x.dtype)
                new = new * 2 - 1
            delta = torch.where(mask, self.eps * new, delta)
            cand = self.clamp(x[idx] + delta)
            m = self.margin(self.model(cand), y[idx])
            better = m < margin[idx]
            adv[idx[better]] = cand[better]
            margin[idx[better]] = m[better]
            used += 1
        self.queries_used = used
        return adv
