"""The simulated fake families of image training, exposed as generators over the user's photos.

- ``decoder``: AutoGAN-style - the photo is shrunk by 2 or 4 and rebuilt by a briefly trained
  up-sampling autoencoder (transposed conv, nearest/bilinear + conv, pixel shuffle);
- ``upsample``: a random up-sampling decoder added to a nearest/bilinear enlargement (the
  checkerboard / periodic traces of generator up-sampling without learnt content);
- ``selfblend``: SBI-style - an altered copy of the photo blended into a soft region.

These are the same code paths as ``fakescope train image`` (:mod:`fakescope.image.simulate`).

Examples
--------
>>> img = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
>>> sim = SimulatedGenerator("selfblend", seed=0)
>>> sim.fit([img]).make(img, 0).shape
(64, 64, 3)
"""

from __future__ import annotations

import numpy as np

FAMILIES = {
    "decoder": "compositeWithTrainedAlgorithmicMedia",
    "upsample": "algorithmicallyEnhanced",
    "selfblend": "composite",
}


class SimulatedGenerator:
    """Turns real photos into simulated fakes of one family (deterministic given ``seed``)."""

    def __init__(self, family: str, seed: int = 0, n_decoders: int = 12, train_steps: int = 60):
        if family not in FAMILIES:
            raise ValueError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")
        self.family = family
        self.seed = seed
        self.n_decoders = n_decoders
        self.train_steps = train_steps
        self.bank_ = None

    def fit(self, photos: list[np.ndarray]) -> SimulatedGenerator:
        """Build the decoder pool (trained decoders learn from crops of ``photos``)."""
        from fakescope.image.simulate import DecoderBank

        if self.family in ("decoder", "upsample"):
            big = [p for p in photos if min(p.shape[:2]) >= 64]
            steps = self.train_steps if self.family == "decoder" and big else 0
            self.bank_ = DecoderBank(self.n_decoders, train_steps=steps, seed=self.seed).fit(big)
        return self

    def make(self, photo: np.ndarray, index: int) -> np.ndarray:
        """The fake made from ``photo`` (``index`` picks the decoder / random draw)."""
        from fakescope.image.simulate import self_blend

        rng = np.random.default_rng([self.seed, index])
        if self.family == "selfblend":
            return self_blend(photo, rng)
        decoders = self.bank_.decoders
        wanted = [
            i for i, (spec, _) in enumerate(decoders) if spec.trained == (self.family == "decoder")
        ]
        pool = wanted or list(range(len(decoders)))
        return self.bank_.apply(photo, rng, index=pool[index % len(pool)])

    def describe(self, index: int) -> dict:
        """Settings of the fake made with ``index`` (for its provenance record)."""
        if self.bank_ is None:
            return {"family": self.family, "seed": self.seed}
        decoders = self.bank_.decoders
        wanted = [i for i, (s, _) in enumerate(decoders) if s.trained == (self.family == "decoder")]
        pool = wanted or list(range(len(decoders)))
        spec = decoders[pool[index % len(pool)]][0]
        return {"family": self.family, "seed": self.seed, "decoder": spec.__dict__}
